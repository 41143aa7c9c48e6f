// The nftables agent on a real host: two network namespaces joined by a veth pair (addresses
// only inside them), the agent enforcing rules in the receiver namespace, driven by the real
// rollout executor. Traffic: a bounded number of UDP datagrams sent by a small Node script run
// with `ip netns exec` in the sender namespace, counted by another in the receiver namespace.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, NftHost, startAgentServer } from '../../src/fleet/agent/index.js';
import type { NetworkDescription } from '../../src/fleet/network.js';
import { ManualClock } from '../../src/lib/clock.js';
import { RolloutExecutor, planRollout } from '../../src/rollout/index.js';
import type { MitigationRule } from '../../src/rules/model.js';
import { FailsmallStore } from '../../src/store/index.js';

const isRoot = process.getuid?.() === 0;
const hasTools = spawnSync('nft', ['--version']).status === 0 && spawnSync('ip', ['-V']).status === 0;
const skipReason = !isRoot ? ' — SKIPPED: needs root for ip netns (CI runs as root)' : !hasTools ? ' — SKIPPED: nft or ip (iproute2) not installed (scripts/install-system-deps.sh)' : '';
const tag = `fa${process.pid % 100000}`;
const TX = `${tag}-tx`;
const RX = `${tag}-rx`;
const TX_ADDR = '10.200.0.1';
const RX_ADDR = '10.200.0.2';
const dir = mkdtempSync(join(tmpdir(), 'failsmall-agent-'));

function must(args: string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const RECEIVER = `
import dgram from 'node:dgram';
const ports = JSON.parse(process.argv[1]);
const got = Object.fromEntries(ports.map((p) => [p, 0]));
let bound = 0;
for (const p of ports) {
  const s = dgram.createSocket('udp4');
  s.on('message', () => { got[p]++; });
  s.bind(p, '${RX_ADDR}', () => { if (++bound === ports.length) console.log('ready'); });
}
setTimeout(() => { console.log(JSON.stringify(got)); process.exit(0); }, Number(process.argv[2]));
`;
const SENDER = `
import dgram from 'node:dgram';
const [ports, count] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
const s = dgram.createSocket('udp4');
const payload = Buffer.alloc(100, 0x78);
let left = ports.length * count;
for (const p of ports) for (let i = 0; i < count; i++) s.send(payload, p, '${RX_ADDR}', () => { if (--left === 0) s.close(); });
`;

/** Send `count` datagrams of 100 bytes to each port from TX; return what RX received per port. */
async function exchange(ports: number[], count: number): Promise<Record<number, number>> {
  const rx = spawn('ip', ['netns', 'exec', RX, process.execPath, '--input-type=module', '-e', RECEIVER, JSON.stringify(ports), '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    rx.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    rx.once('exit', () => reject(new Error(`receiver exited before it was ready: ${out}`)));
  });
  await ready;
  const tx = spawnSync('ip', ['netns', 'exec', TX, process.execPath, '--input-type=module', '-e', SENDER, JSON.stringify(ports), String(count)], { encoding: 'utf8', timeout: 10_000 });
  if (tx.status !== 0) throw new Error(`sender failed: ${tx.stderr}`);
  await new Promise<void>((resolve) => rx.once('exit', () => resolve()));
  const last = out.trim().split('\n').pop() ?? '{}';
  return Object.fromEntries(Object.entries(JSON.parse(last) as Record<string, number>).map(([k, v]) => [Number(k), v]));
}

const DNS_DROP: MitigationRule = {
  id: 'lab-dns-drop',
  family: 'ipv4',
  match: { destination: `${RX_ADDR}/32`, source: `${TX_ADDR}/32`, protocols: [{ min: 17, max: 17 }], destinationPorts: [{ min: 53, max: 53 }] },
  action: { kind: 'discard' },
  scope: { kind: 'pops', pops: ['edge-lab'] },
  provenance: { reason: 'lab: DNS flood from the sender namespace' },
};

describe.skipIf(skipReason !== '')(`nftables agent in a network namespace${skipReason}`, () => {
  let server: Server | undefined;
  let port = 0;
  let host: NftHost;
  const stateFile = join(dir, 'agent-state.json');

  beforeAll(async () => {
    must(['ip', 'netns', 'add', TX]);
    must(['ip', 'netns', 'add', RX]);
    must(['ip', 'link', 'add', `${tag}a`, 'netns', TX, 'type', 'veth', 'peer', 'name', `${tag}b`, 'netns', RX]);
    must(['ip', '-n', TX, 'addr', 'add', `${TX_ADDR}/30`, 'dev', `${tag}a`]);
    must(['ip', '-n', RX, 'addr', 'add', `${RX_ADDR}/30`, 'dev', `${tag}b`]);
    for (const [ns, dev] of [[TX, `${tag}a`], [RX, `${tag}b`]] as const) {
      must(['ip', '-n', ns, 'link', 'set', dev, 'up']);
      must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    host = new NftHost('edge-lab', RX, { stateFile });
    ({ server, port } = await startAgentServer(host, { host: '127.0.0.1', port: 0 }));
  });

  afterAll(() => {
    server?.close();
    spawnSync('ip', ['netns', 'del', TX]);
    spawnSync('ip', ['netns', 'del', RX]); // takes the veth pair and the nft table with it
    rmSync(dir, { recursive: true, force: true });
  });

  it('a rollout through the agent drops UDP/53 from the sender, counts the drops in the kernel, and rolls back', async () => {
    expect(await exchange([53, 7000], 20)).toEqual({ 53: 20, 7000: 20 });
    const network: NetworkDescription = { name: 'lab', ownedPrefixes: ['10.200.0.0/30'], mtuBytes: 1500, pops: [{ id: 'edge-lab', region: 'lab', anycastPrefixes: [], routers: [{ id: 'edge-lab-nft', vendor: 'linux', model: 'linux-nftables', osVersion: '6.1' }] }] };
    const store = await FailsmallStore.openSqlite(join(dir, 'agent.sqlite'));
    const clock = new ManualClock(0);
    const client = new AgentClient(new Map([['edge-lab', { host: '127.0.0.1', port }]]));
    const executor = new RolloutExecutor(store, client, clock);
    await executor.create(planRollout({ kind: 'flowspec', add: [DNS_DROP], withdraw: [] }, network, { id: 'lab', author: 'ann', nowMs: 0, bakeMs: 1000 }));
    await executor.approve('lab', 'bob'); // one PoP of one is the whole network: wide scope
    await executor.start('lab', 'ann');
    clock.advance(1000);
    await executor.tick();
    expect((await executor.get('lab')).phase).toBe('completed'); // the rules-installed gate read the rule back from the kernel
    expect(await client.installed('edge-lab')).toEqual(['lab-dns-drop']);

    expect(await exchange([53, 7000], 20)).toEqual({ 53: 0, 7000: 20 });
    // 100 B payload + 8 B UDP + 20 B IPv4 = 128 B per datagram, counted by the kernel.
    expect(await client.counters('edge-lab')).toEqual([{ ruleId: 'lab-dns-drop', packets: 20, bytes: 20 * 128 }]);

    await executor.rollback('lab', 'ann', 'lab done');
    expect(await client.installed('edge-lab')).toEqual([]);
    expect(await exchange([53, 7000], 10)).toEqual({ 53: 10, 7000: 10 });
    await store.close();
  });

  it('answers a bad request or an inexpressible rule with an error and keeps what it had', async () => {
    const client = new AgentClient(new Map([['edge-lab', { host: '127.0.0.1', port }]]));
    await client.apply('edge-lab', { kind: 'flowspec', add: [DNS_DROP], withdraw: [] });
    // Packet length 99971 cannot be written in nftables (16-bit field): refused, table untouched.
    const tooLong: MitigationRule = { ...DNS_DROP, id: 'too-long', match: { destination: `${RX_ADDR}/32`, packetLengths: [{ min: 99971, max: 99985 }] } };
    await expect(client.apply('edge-lab', { kind: 'flowspec', add: [tooLong], withdraw: [] })).rejects.toMatchObject({ code: 'agent_failed', message: expect.stringMatching(/cannot express/) });
    expect(await client.installed('edge-lab')).toEqual(['lab-dns-drop']);
    const raw = async (line: string): Promise<unknown> =>
      new Promise((resolve) => {
        const sock = createConnection({ host: '127.0.0.1', port }, () => sock.write(`${line}\n`));
        sock.on('data', (d) => {
          resolve(JSON.parse(d.toString()));
          sock.end();
        });
      });
    expect(await raw('{not json')).toMatchObject({ ok: false, error: { code: 'agent_bad_request' } });
    expect(await raw(JSON.stringify({ op: 'apply', artifact: { kind: 'flowspec', add: [{ ...DNS_DROP, match: { destinationPorts: [{ min: 'x', max: 53 }] } }], withdraw: [] } }))).toMatchObject({ ok: false, error: { code: 'agent_bad_request' } });
    expect(await client.installed('edge-lab')).toEqual(['lab-dns-drop']);
    expect(await exchange([53], 5)).toEqual({ 53: 0 });
  });

  it('a restarted agent puts back the rule set from its state file; a state file of another PoP is refused', async () => {
    // The agent process dies: its server goes away and the kernel table is lost too (worst case).
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    host.flush();
    expect(spawnSync('ip', ['netns', 'exec', RX, 'nft', 'list', 'table', 'inet', 'failsmall']).status).not.toBe(0);
    expect(await exchange([53], 5)).toEqual({ 53: 5 });

    const restarted = new NftHost('edge-lab', RX, { stateFile });
    expect(restarted.restore()).toEqual(['lab-dns-drop']);
    ({ server, port } = await startAgentServer(restarted, { host: '127.0.0.1', port: 0 }));
    const client = new AgentClient(new Map([['edge-lab', { host: '127.0.0.1', port }]]));
    expect(await client.installed('edge-lab')).toEqual(['lab-dns-drop']);
    expect(await exchange([53, 7000], 5)).toEqual({ 53: 0, 7000: 5 });

    expect(() => new NftHost('edge-other', RX, { stateFile, table: 'other' }).restore()).toThrow(/belongs to PoP edge-lab/);
    writeFileSync(join(dir, 'broken.json'), '{"popId": "edge-lab", "rules": [{"id": 1}]}');
    expect(() => new NftHost('edge-lab', RX, { stateFile: join(dir, 'broken.json'), table: 'other' }).restore()).toThrow(/unreadable/);
  });

  it('`failsmall agent` serves the protocol from the CLI and leaves the kernel clean on exit', async () => {
    const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'agent', '--netns', RX, '--pop', 'edge-cli', '--table', 'fscli', '--listen', '127.0.0.1:0'], { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        cli.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('listening on')) resolve(out);
        });
        cli.once('exit', (code) => reject(new Error(`agent exited ${code}`)));
      });
      const cliPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(banner)![1]);
      const client = new AgentClient(new Map([['edge-cli', { host: '127.0.0.1', port: cliPort }]]));
      await client.apply('edge-cli', { kind: 'flowspec', add: [{ ...DNS_DROP, id: 'cli-7000', match: { destination: `${RX_ADDR}/32`, protocols: [{ min: 17, max: 17 }], destinationPorts: [{ min: 7000, max: 7000 }] } }], withdraw: [] });
      expect(await client.installed('edge-cli')).toEqual(['cli-7000']);
      const health = await client.health('edge-cli');
      expect(health.routers[0]).toMatchObject({ up: true, installedRuleIds: ['cli-7000'], bgpEstablished: true });
      expect(await exchange([7000], 5)).toEqual({ 7000: 0 });
    } finally {
      const exited = new Promise((resolve) => cli.once('exit', resolve));
      cli.kill('SIGTERM');
      await exited;
    }
    expect(spawnSync('ip', ['netns', 'exec', RX, 'nft', 'list', 'table', 'inet', 'fscli']).status).not.toBe(0);
  });
});
