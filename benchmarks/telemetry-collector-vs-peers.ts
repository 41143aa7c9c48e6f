// The same replayed export stream, sent over loopback UDP at fixed datagram rates, to failsmall's
// collector (`failsmall collect`, one process), nfcapd (nfdump) and pmacct (nfacctd for NetFlow/
// IPFIX, sfacctd for sFlow), each run as a separate process. Per run: records received vs sent
// (loss) and the collector's CPU time while it received and decoded (from /proc). Prints medians
// of the runs side by side with ratios to failsmall. Loopback only; every process started here is
// stopped by its pid and every temp dir removed, also on Ctrl-C.
//
// Run: npx tsx benchmarks/telemetry-collector-vs-peers.ts [--datagrams 20000] [--rates 10000,40000]
//        [--runs 3] [--formats sflow,netflow5,netflow9,ipfix] [--tools failsmall,nfcapd,pmacct]
//        [--rmem-max BYTES]
//
// Socket buffers: every tool asks for the same receive buffer (SO_RCVBUF, RCVBUF bytes: failsmall
// --rcvbuf, nfcapd -B, pmacct *_pipe_size); the kernel caps all of them at net.core.rmem_max,
// which the header prints. --rmem-max sets that sysctl for the run (root only) and restores it
// at exit: the buffer decides how long a collector may pause (GC, scheduling) inside a burst.
//
// Counting: failsmall prints its final counters (--json); nfcapd logs "Flows: N" when it stops
// (cross-checked with `nfdump -R DIR -q` line count); pmacct's print plugin with `aggregate: flows`
// writes one CSV total at exit (SIGINT): FLOWS for NetFlow/IPFIX records, PACKETS for sFlow
// samples (renormalisation off, so one sample = one packet).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExportFormat, EXPORT_FORMATS } from '../src/telemetry/export/index.js';
import { ExporterSender } from '../src/telemetry/io/exporter-sender.js';
import { type BenchStream, buildStream, median } from './support/telemetry-streams.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const datagramCount = Number(arg('datagrams', '20000'));
const rates = arg('rates', '10000,40000').split(',').map(Number);
const runs = Number(arg('runs', '3'));
const formats = arg('formats', EXPORT_FORMATS.join(',')).split(',') as ExportFormat[];
const tools = arg('tools', 'failsmall,nfcapd,pmacct').split(',');
const RCVBUF = 32 * 1024 * 1024;
const RMEM_MAX = '/proc/sys/net/core/rmem_max';
const rmemBefore = existsSync(RMEM_MAX) ? readFileSync(RMEM_MAX, 'utf8').trim() : undefined;
const rmemWanted = arg('rmem-max', '');
if (rmemWanted) {
  try {
    writeFileSync(RMEM_MAX, rmemWanted);
  } catch (e) {
    console.error(`cannot set net.core.rmem_max to ${rmemWanted} (${(e as Error).message}); run as root or leave --rmem-max out`);
    process.exit(2);
  }
}
const root = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || '100');

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
function cleanup(): void {
  for (const c of children) if (c.pid && c.exitCode === null) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  if (rmemWanted && rmemBefore !== undefined) {
    try {
      writeFileSync(RMEM_MAX, rmemBefore);
    } catch {
      // best effort: already reported when setting it failed
    }
  }
}
process.on('exit', cleanup);
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `failsmall-bench-${tag}-`));
  tempDirs.add(d);
  return d;
}

function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  tempDirs.delete(d);
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** CPU seconds (user + system) of a process and its descendants, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = (p: number): { ppid: number; ticks: number } | undefined => {
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
    } catch {
      return undefined;
    }
  };
  const all = readdirSync('/proc').filter((x) => /^\d+$/.test(x)).map(Number);
  const tree = new Set([pid]);
  let grew = true;
  const infos = new Map(all.map((p) => [p, stat(p)]));
  while (grew) {
    grew = false;
    for (const [p, info] of infos) if (info && !tree.has(p) && tree.has(info.ppid)) (tree.add(p), (grew = true));
  }
  let ticks = 0;
  for (const p of tree) ticks += infos.get(p)?.ticks ?? stat(p)?.ticks ?? 0;
  return ticks / CLK_TCK;
}

function start(cmd: string, args: readonly string[], cwd: string): { child: ChildProcess; log: () => string; exited: Promise<void> } {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString('latin1')));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString('latin1')));
  const exited = new Promise<void>((r) => child.once('exit', () => {
    children.delete(child);
    r();
  }));
  return { child, log: () => log, exited };
}

async function waitFor(what: string, f: () => boolean, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Stop by pid with `signal`; nudge with a UDP datagram (nfcapd sleeps in recvfrom) and escalate to SIGKILL. */
async function stop(p: ReturnType<typeof start>, signal: NodeJS.Signals, port: number): Promise<void> {
  p.child.kill(signal);
  for (let i = 0; i < 60 && p.child.exitCode === null && p.child.signalCode === null; i++) {
    if (i % 4 === 3) {
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.send(Uint8Array.of(0), port, '127.0.0.1', () => r()));
      s.close();
      if (i % 8 === 7) p.child.kill(signal);
    }
    await sleep(250);
  }
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}

interface RunResult {
  received: number;
  cpuSec: number;
  sendSec: number;
}

interface Tool {
  readonly name: string;
  supports(format: ExportFormat): string | undefined; // reason when not
  run(stream: BenchStream, ratePerSec: number): Promise<RunResult>;
}

async function send(stream: BenchStream, port: number, ratePerSec: number): Promise<number> {
  const sender = new ExporterSender({ host: '127.0.0.1', port, pace: ratePerSec });
  try {
    const s = await sender.send(stream.batches);
    if (Object.keys(s.errors).length > 0) throw new Error(`send errors: ${JSON.stringify(s.errors)}`);
    return s.seconds;
  } finally {
    await sender.close();
  }
}

/**
 * With the collector started: wait until its log says it is ready, send the stream, give it
 * 1.5 s to finish, and stop it with `signal`; its CPU time over that window, and the send time.
 */
async function measure(p: ReturnType<typeof start>, what: string, ready: RegExp, stream: BenchStream, port: number, rate: number, signal: NodeJS.Signals, settleMs = 0): Promise<{ cpuSec: number; sendSec: number }> {
  try {
    await waitFor(what, () => ready.test(p.log()));
    await sleep(settleMs);
    const cpu0 = cpuSeconds(p.child.pid!);
    const sendSec = await send(stream, port, rate);
    await sleep(1_500);
    return { cpuSec: cpuSeconds(p.child.pid!) - cpu0, sendSec };
  } finally {
    await stop(p, signal, port);
  }
}

const failsmall: Tool = {
  name: 'failsmall',
  supports: () => undefined,
  async run(stream, rate) {
    const port = await freeUdpPort();
    const listener = stream.format === 'sflow' ? '--sflow' : stream.format === 'ipfix' ? '--ipfix' : '--netflow';
    const p = start(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'collect', listener, `127.0.0.1:${port}`, '--queue', '100000', '--rcvbuf', String(RCVBUF), '--json'], root);
    const measured = await measure(p, 'failsmall collect', /collecting/, stream, port, rate, 'SIGTERM');
    const last = p.log().trim().split('\n').pop()!;
    const summary = JSON.parse(last) as { records: number };
    return { received: summary.records, ...measured };
  },
};

const nfcapd: Tool = {
  name: 'nfcapd',
  supports: (f) => (spawnSync('nfcapd', ['-V']).status !== 0 ? 'nfcapd is not installed' : f === 'sflow' ? 'the Debian nfdump 1.7.1 package ships no sfcapd; nfcapd reads NetFlow v1/v5/v7/v9 and IPFIX only' : undefined),
  async run(stream, rate) {
    const port = await freeUdpPort();
    const dir = tempDir('nfcapd');
    const p = start('nfcapd', ['-b', '127.0.0.1', '-p', String(port), '-w', dir, '-t', '3600', '-B', String(RCVBUF)], dir);
    const measured = await measure(p, 'nfcapd startup', /Startup/, stream, port, rate, 'SIGTERM');
    const m = [...p.log().matchAll(/Flows: (\d+)/g)].pop();
    const logged = m ? Number(m[1]) : Number.NaN;
    // Cross-check the number nfcapd logs with the records nfdump reads back from its files.
    const files = readdirSync(dir).filter((f) => f.startsWith('nfcapd.'));
    const lines = files.length === 0 ? 0 : execFileSync('nfdump', ['-R', dir, '-q', '-o', 'fmt:%pr'], { encoding: 'utf8', maxBuffer: 1 << 30 }).split('\n').filter((l) => l.trim()).length;
    removeDir(dir);
    if (lines !== logged) console.error(`  nfcapd logged ${logged} flows, nfdump read ${lines} back`);
    return { received: lines, ...measured };
  },
};

const pmacct: Tool = {
  name: 'pmacct',
  supports: (f) => (spawnSync(f === 'sflow' ? 'sfacctd' : 'nfacctd', ['-V']).status !== 0 ? `${f === 'sflow' ? 'sfacctd' : 'nfacctd'} is not installed` : undefined),
  async run(stream, rate) {
    const port = await freeUdpPort();
    const dir = tempDir('pmacct');
    const daemon = stream.format === 'sflow' ? 'sfacctd' : 'nfacctd';
    const out = join(dir, 'out.csv');
    writeFileSync(
      join(dir, `${daemon}.conf`),
      [
        'daemonize: false',
        `${daemon}_ip: 127.0.0.1`,
        `${daemon}_port: ${port}`,
        `${daemon}_pipe_size: ${RCVBUF}`,
        'plugins: print[all]',
        'aggregate[all]: flows',
        'print_output[all]: csv',
        `print_output_file[all]: ${out}`,
        'print_refresh_time[all]: 3600',
        'print_history[all]: 1h',
        '',
      ].join('\n'),
    );
    const p = start(daemon, ['-f', join(dir, `${daemon}.conf`)], dir);
    // SIGINT: the plugins purge their caches to the output, then exit; the print plugin process starts 200 ms after the core
    const measured = await measure(p, `${daemon} startup`, /waiting for/, stream, port, rate, 'SIGINT', 200);
    let received = 0;
    if (existsSync(out)) {
      const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
      const cols = header!.split(',');
      const col = cols.indexOf(stream.format === 'sflow' ? 'PACKETS' : 'FLOWS');
      for (const r of rows) received += Number(r.split(',')[col]);
    }
    removeDir(dir);
    return { received, ...measured };
  },
};

const TOOLS = [failsmall, nfcapd, pmacct].filter((t) => tools.includes(t.name));

interface Summary {
  tool: string;
  received: number;
  lossPct: number;
  cpuSec: number;
  sendRate: number;
  skipped?: string;
}

console.log(`Loopback replay: ${datagramCount} datagrams per format (seeded "mixed" scenario, 1:1000 sampled, one exporter per PoP from 127.0.1.x), rates ${rates.join(', ')} datagrams/s, ${runs} runs each, medians.`);
console.log(`Machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores shared with other work; node ${process.version}; nfcapd ${spawnSync('nfcapd', ['-V'], { encoding: 'utf8' }).stdout.trim().replace(/^nfcapd: Version: /, '')}; pmacct ${(/nfacctd ([\w.-]+)/.exec(spawnSync('nfacctd', ['-V'], { encoding: 'utf8' }).stdout) ?? [])[1] ?? '?'}`);
console.log(`Receive buffers: every tool asks for ${RCVBUF / 1024 / 1024} MiB; net.core.rmem_max = ${existsSync(RMEM_MAX) ? readFileSync(RMEM_MAX, 'utf8').trim() : '?'} bytes${rmemWanted ? ` (set for this run; was ${rmemBefore})` : ''}, so each gets at most that.`);
console.log('CPU = user+system seconds of the collector process(es) from the first datagram to 1.5 s after the last.\n');
for (const format of formats) {
  const stream = buildStream(format, datagramCount, { startMs: Date.now() });
  console.log(`${format}: ${stream.datagrams} datagrams, ${stream.records} ${format === 'sflow' ? 'samples' : 'flow records'}, ${(stream.bytes / 1e6).toFixed(1)} MB`);
  for (const rate of rates) {
    const rows: Summary[] = [];
    for (const tool of TOOLS) {
      const reason = tool.supports(format);
      if (reason) {
        rows.push({ tool: tool.name, received: Number.NaN, lossPct: Number.NaN, cpuSec: Number.NaN, sendRate: Number.NaN, skipped: reason });
        continue;
      }
      const results: RunResult[] = [];
      for (let i = 0; i < runs; i++) {
        try {
          results.push(await tool.run(stream, rate));
        } catch (e) {
          console.error(`  ${tool.name} run ${i + 1} failed: ${(e as Error).message}`);
        }
      }
      if (results.length === 0) {
        rows.push({ tool: tool.name, received: Number.NaN, lossPct: Number.NaN, cpuSec: Number.NaN, sendRate: Number.NaN, skipped: 'every run failed (see above)' });
        continue;
      }
      const received = median(results.map((r) => r.received));
      rows.push({ tool: tool.name, received, lossPct: (1 - received / stream.records) * 100, cpuSec: median(results.map((r) => r.cpuSec)), sendRate: median(results.map((r) => stream.datagrams / r.sendSec)) });
    }
    const base = rows.find((r) => r.tool === 'failsmall');
    console.log(`  offered ${rate.toLocaleString('en-US')} datagrams/s (~${Math.round((rate * stream.records) / stream.datagrams).toLocaleString('en-US')} records/s)`);
    console.log('  tool        received    loss     CPU s   CPU µs/record   sent at dg/s   loss vs failsmall   CPU vs failsmall');
    for (const r of rows) {
      if (r.skipped) {
        console.log(`  ${r.tool.padEnd(12)}n/a: ${r.skipped}`);
        continue;
      }
      const lossRatio = base && !base.skipped ? (base.lossPct === 0 && r.lossPct === 0 ? 'same (0)' : `${(r.lossPct - base.lossPct >= 0 ? '+' : '')}${(r.lossPct - base.lossPct).toFixed(2)} pts`) : '';
      const cpuRatio = base && !base.skipped && base.cpuSec > 0 ? `${(r.cpuSec / base.cpuSec).toFixed(2)}x` : '';
      console.log(
        `  ${r.tool.padEnd(12)}${String(r.received).padStart(8)}  ${r.lossPct.toFixed(2).padStart(6)}%  ${r.cpuSec.toFixed(2).padStart(7)}  ${((r.cpuSec / Math.max(1, r.received)) * 1e6).toFixed(2).padStart(13)}   ${Math.round(r.sendRate).toLocaleString('en-US').padStart(12)}   ${lossRatio.padStart(17)}   ${cpuRatio.padStart(16)}`,
      );
    }
  }
  console.log('');
}
cleanup();
