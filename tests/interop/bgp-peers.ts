// Real BGP peers for interop tests, vector capture and the announce benchmark: gobgpd, exabgp
// and BIRD 2 started on 127.0.0.1 with non-179 ports in a temp dir, and cleaned up by stop().
// Only loopback addresses are used; every port is picked by binding port 0 first.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function commandExists(cmd: string): boolean {
  const paths = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  return paths.some((p) => existsSync(join(p, cmd)));
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `failsmall-${prefix}-`));
}

/** Remove a peer's temp dir, unless FAILSMALL_KEEP_PEER_DIRS=1 (to read logs after a failure). */
function removeDir(dir: string): void {
  if (process.env.FAILSMALL_KEEP_PEER_DIRS === '1') {
    process.stderr.write(`kept ${dir}\n`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function run(cmd: string, args: readonly string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; maxBuffer?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { timeout: opts.timeoutMs ?? 20_000, env: opts.env ?? process.env, maxBuffer: opts.maxBuffer ?? 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

async function stopProcess(p: ChildProcess, timeoutMs = 5_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export interface PeerHandle {
  readonly dir: string;
  /** Process id of the daemon (for RSS readings). */
  readonly pid: number;
  /** Log file of the daemon. */
  readonly logPath: string;
  stop(): Promise<void>;
}

// ---- gobgpd ------------------------------------------------------------------------------

export interface GobgpNeighbor {
  readonly address: string;
  readonly peerAs: number;
  /** gobgpd waits for us to connect. */
  readonly passive?: boolean;
  /** Port gobgpd connects to when active. */
  readonly peerPort?: number;
  readonly families?: readonly string[];
  /** Advertise the graceful restart capability (RFC 4724). */
  readonly gracefulRestart?: boolean;
}

export interface GobgpOptions {
  readonly as: number;
  readonly routerId: string;
  readonly neighbors: readonly GobgpNeighbor[];
  /** BGP listen port (defaults to a free one). */
  readonly port?: number;
  readonly localAddress?: string;
}

export interface Gobgpd extends PeerHandle {
  readonly port: number;
  readonly apiPort: number;
  /** Run the gobgp CLI against this daemon. */
  cli(args: readonly string[], timeoutMs?: number): Promise<string>;
}

export async function startGobgpd(opts: GobgpOptions): Promise<Gobgpd> {
  const dir = makeTempDir('gobgpd');
  const port = opts.port ?? (await freePort());
  const apiPort = await freePort();
  const local = opts.localAddress ?? '127.0.0.1';
  const lines = [
    '[global.config]',
    `  as = ${opts.as}`,
    `  router-id = "${opts.routerId}"`,
    `  port = ${port}`,
    `  local-address-list = ["${local}"]`,
  ];
  for (const n of opts.neighbors) {
    lines.push(
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.peerAs}`,
      '  [neighbors.transport.config]',
      `    passive-mode = ${n.passive ?? true}`,
      `    local-address = "${local}"`,
      ...(n.peerPort ? [`    remote-port = ${n.peerPort}`] : []),
      '  [neighbors.timers.config]',
      '    connect-retry = 1',
      '    hold-time = 30',
      '    keepalive-interval = 10',
      '    idle-hold-time-after-reset = 1',
      ...(n.gracefulRestart ? ['  [neighbors.graceful-restart.config]', '    enabled = true', '    restart-time = 120'] : []),
    );
    for (const f of n.families ?? ['ipv4-flowspec', 'ipv6-flowspec']) {
      lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${f}"`);
    }
  }
  const configPath = join(dir, 'gobgpd.toml');
  writeFileSync(configPath, `${lines.join('\n')}\n`);
  const logPath = join(dir, 'gobgpd.log');
  const proc = spawn('gobgpd', ['-f', configPath, '--api-hosts', `127.0.0.1:${apiPort}`, '-l', 'info', '-p', '--pprof-disable'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = (b: Buffer): void => appendFileSync(logPath, b);
  proc.stdout?.on('data', log);
  proc.stderr?.on('data', log);
  const cli = (args: readonly string[], timeoutMs = 60_000): Promise<string> => run('gobgp', ['-u', '127.0.0.1', '-p', String(apiPort), ...args], { timeoutMs });
  const handle: Gobgpd = {
    dir,
    pid: proc.pid ?? -1,
    logPath,
    port,
    apiPort,
    cli,
    stop: async () => {
      await stopProcess(proc);
      removeDir(dir);
    },
  };
  try {
    await waitFor('gobgpd API', async () => (await cli(['global'], 2_000)).includes('Listening Port'), 15_000);
  } catch (e) {
    const text = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    await handle.stop();
    throw new Error(`gobgpd did not start: ${text.slice(-2000)}`, { cause: e });
  }
  return handle;
}

// ---- exabgp ------------------------------------------------------------------------------

export interface ExabgpOptions {
  readonly localAs: number;
  readonly peerAs: number;
  readonly routerId: string;
  /** Address of the peer (failsmall or another daemon). */
  readonly peerAddress: string;
  readonly localAddress?: string;
  /** exabgp connects to this port. */
  readonly connectPort?: number;
  /** exabgp listens on this port (passive). */
  readonly listenPort?: number;
  readonly passive?: boolean;
  /** Static routes: the body of a `flow { ... }` block. */
  readonly flowRoutes?: string;
  readonly families?: readonly string[];
  readonly holdTimeSec?: number;
  /** Body of a `capability { ... }` block, e.g. "route-refresh enable; graceful-restart 120;". */
  readonly capabilities?: string;
  /** exabgp.log.level (INFO by default; DEBUG logs every message it parses). */
  readonly logLevel?: string;
}

export interface Exabgp extends PeerHandle {
  /** Every JSON message exabgp's API printed (received updates, state changes). */
  received(): Array<Record<string, unknown>>;
  /** Send an API command (e.g. "announce flow route { ... }"). */
  command(line: string): void;
}

export async function startExabgp(opts: ExabgpOptions): Promise<Exabgp> {
  const dir = makeTempDir('exabgp');
  const receivedPath = join(dir, 'received.jsonl');
  const commandsPath = join(dir, 'commands.txt');
  writeFileSync(receivedPath, '');
  writeFileSync(commandsPath, '');
  const receiver = join(dir, 'receiver.sh');
  // The helper must keep its stdout open (exabgp treats EOF as the helper dying), so it copies
  // stdin to the file line by line instead of exec-ing cat with stdout redirected.
  writeFileSync(
    receiver,
    `#!/usr/bin/env python3\nimport sys\nwith open(${JSON.stringify(receivedPath)}, 'a') as f:\n    for line in sys.stdin:\n        f.write(line)\n        f.flush()\n`,
    { mode: 0o755 },
  );
  const sender = join(dir, 'sender.sh');
  writeFileSync(sender, `#!/bin/sh\nexec tail -n +1 -F '${commandsPath}' 2>/dev/null\n`, { mode: 0o755 });
  const families = opts.families ?? ['ipv4 flow', 'ipv6 flow'];
  const config = `process receiver {
  run ${receiver};
  encoder json;
}
process sender {
  run ${sender};
  encoder json;
}
neighbor ${opts.peerAddress} {
  router-id ${opts.routerId};
  local-address ${opts.localAddress ?? '127.0.0.1'};
  local-as ${opts.localAs};
  peer-as ${opts.peerAs};
  hold-time ${opts.holdTimeSec ?? 30};
  ${opts.connectPort ? `connect ${opts.connectPort};` : ''}
  ${opts.listenPort ? `listen ${opts.listenPort};` : ''}
  ${opts.passive ? 'passive true;' : ''}
  family {
${families.map((f) => `    ${f};`).join('\n')}
  }
${opts.capabilities ? `  capability {\n    ${opts.capabilities}\n  }` : ''}
  api receive-all {
    processes [ receiver ];
    neighbor-changes;
    receive { parsed; update; notification; open; }
  }
  api commands {
    processes [ sender ];
  }
${opts.flowRoutes ? `  flow {\n${opts.flowRoutes}\n  }` : ''}
}
`;
  const configPath = join(dir, 'exabgp.conf');
  writeFileSync(configPath, config);
  const logPath = join(dir, 'exabgp.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    'exabgp.daemon.user': 'root',
    'exabgp.daemon.drop': 'false',
    'exabgp.log.destination': logPath,
    'exabgp.log.level': opts.logLevel ?? 'INFO',
    'exabgp.api.ack': 'false',
    'exabgp.tcp.bind': opts.listenPort ? (opts.localAddress ?? '127.0.0.1') : '',
    'exabgp.tcp.port': String(opts.listenPort ?? 179),
    'exabgp.cache.attributes': 'false',
    'exabgp.bgp.openwait': '30',
  };
  const proc = spawn('exabgp', [configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = (b: Buffer): void => appendFileSync(join(dir, 'exabgp.out'), b);
  proc.stdout?.on('data', out);
  proc.stderr?.on('data', out);
  return {
    dir,
    pid: proc.pid ?? -1,
    logPath,
    received: () =>
      readFileSync(receivedPath, 'utf8')
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .flatMap((l) => {
          try {
            // 64-bit community values lose precision as JSON numbers: keep long integers as strings.
            return [JSON.parse(l.replace(/"value":\s*(\d{15,})/g, '"value": "$1"')) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    command: (line: string) => appendFileSync(commandsPath, `${line}\n`),
    stop: async () => {
      await stopProcess(proc);
      removeDir(dir);
    },
  };
}

// ---- BIRD 2 ------------------------------------------------------------------------------

export interface BirdOptions {
  readonly as: number;
  readonly routerId: string;
  readonly peerAddress: string;
  readonly peerAs: number;
  /** BIRD connects to the peer on this port. */
  readonly peerPort: number;
  /** BIRD listens on this port (also used as the local port). */
  readonly localPort?: number;
  readonly passive?: boolean;
  /** BIRD's own address (default 127.0.0.2; BIRD refuses a host-scope 127.x neighbor unless multihop). */
  readonly localAddress?: string;
  /** Extra config appended (e.g. static flow4 routes to export). */
  readonly extra?: string;
  /** Export the flow routes of BIRD's own static protocols (in `extra`) to the peer. */
  readonly exportStatic?: boolean;
}

export interface Bird extends PeerHandle {
  readonly socketPath: string;
  readonly address: string;
  readonly port: number;
  birdc(args: readonly string[]): Promise<string>;
}

export async function startBird(opts: BirdOptions): Promise<Bird> {
  const dir = makeTempDir('bird');
  const socketPath = join(dir, 'bird.ctl');
  const logPath = join(dir, 'bird.log');
  const localPort = opts.localPort ?? (await freePort());
  const config = `log "${logPath}" all;
router id ${opts.routerId};
flow4 table flowtab4;
flow6 table flowtab6;
protocol device { }
protocol bgp failsmall {
  local ${opts.localAddress ?? '127.0.0.2'} port ${localPort} as ${opts.as};
  neighbor ${opts.peerAddress} port ${opts.peerPort} as ${opts.peerAs};
  multihop;
  ${opts.passive ? 'passive on;' : ''}
  connect retry time 1;
  hold time 30;
  flow4 { table flowtab4; import all; export ${opts.exportStatic ? 'where source = RTS_STATIC' : 'none'}; };
  flow6 { table flowtab6; import all; export ${opts.exportStatic ? 'where source = RTS_STATIC' : 'none'}; };
}
${opts.extra ?? ''}
`;
  const configPath = join(dir, 'bird.conf');
  writeFileSync(configPath, config);
  const proc = spawn('bird', ['-f', '-c', configPath, '-s', socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = (b: Buffer): void => appendFileSync(join(dir, 'bird.out'), b);
  proc.stdout?.on('data', out);
  proc.stderr?.on('data', out);
  const birdc = (args: readonly string[]): Promise<string> => run('birdc', ['-s', socketPath, ...args], { timeoutMs: 30_000 });
  const handle: Bird = {
    dir,
    pid: proc.pid ?? -1,
    logPath,
    socketPath,
    address: opts.localAddress ?? '127.0.0.2',
    port: localPort,
    birdc,
    stop: async () => {
      await stopProcess(proc);
      removeDir(dir);
    },
  };
  try {
    await waitFor('bird control socket', async () => (await birdc(['show', 'status'])).includes('Daemon is up'), 15_000);
  } catch (e) {
    const text = existsSync(join(dir, 'bird.out')) ? readFileSync(join(dir, 'bird.out'), 'utf8') : '';
    await handle.stop();
    throw new Error(`bird did not start: ${text.slice(-2000)}`, { cause: e });
  }
  return handle;
}

/** Resident set size of a process in bytes (Linux /proc), or undefined. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
