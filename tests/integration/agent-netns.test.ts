// The nftables agent on a real host: two network namespaces joined by a veth pair (addresses
// only inside them), the agent enforcing rules in the receiver namespace, driven by the real
// rollout executor. Traffic: a bounded number of UDP datagrams from the sender namespace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
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
const hasTools = ['nft', 'ip', 'python3'].every((c) => spawnSync(c, ['--version']).status === 0 || spawnSync(c, ['-V']).status === 0);
const tag = `fa${process.pid % 10000}`;
const TX = `${tag}-tx`;
const RX = `${tag}-rx`;
const RX_ADDR = '10.201.0.2';

function must(args: string[], input?: string): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 20_000, ...(input !== undefined ? { input } : {}) });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Send `count` datagrams to each port from TX and count what RX receives within a bounded time. */
function exchange(ports: number[], count: number): Record<number, number> {
  const receiver = `
import socket, select, time, json
socks = {}
for p in ${JSON.stringify(ports)}:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("${RX_ADDR}", p)); socks[s] = p
got = {p: 0 for p in ${JSON.stringify(ports)}}
print("ready", flush=True)
end = time.time() + 2.5
while time.time() < end:
    r, _, _ = select.select(list(socks), [], [], 0.1)
    for s in r:
        s.recv(2048); got[socks[s]] += 1
print(json.dumps(got), flush=True)
`;
  const sender = `
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
time.sleep(0.5)
for p in ${JSON.stringify(ports)}:
    for i in range(${count}):
        s.sendto(b"x" * 100, ("${RX_ADDR}", p))
`;
  const rx = spawnSync('bash', ['-c', `ip netns exec ${RX} python3 -c '${receiver.replace(/'/g, "'\\''")}' & sleep 0.2; ip netns exec ${TX} python3 -c '${sender.replace(/'/g, "'\\''")}'; wait`], { encoding: 'utf8', timeout: 15_000 });
  const last = rx.stdout.trim().split('\n').pop() ?? '{}';
  const parsed = JSON.parse(last) as Record<string, number>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [Number(k), v]));
}

describe.skipIf(!isRoot || !hasTools)('nftables agent in a network namespace', () => {
  let server: Server;
  let port = 0;
  let host: NftHost;
  const dir = mkdtempSync(join(tmpdir(), 'failsmall-agent-'));

  beforeAll(async () => {
    must(['ip', 'netns', 'add', TX]);
    must(['ip', 'netns', 'add', RX]);
    must(['ip', 'link', 'add', `${tag}a`, 'netns', TX, 'type', 'veth', 'peer', 'name', `${tag}b`, 'netns', RX]);
    must(['ip', '-n', TX, 'addr', 'add', '10.201.0.1/30', 'dev', `${tag}a`]);
    must(['ip', '-n', RX, 'addr', 'add', `${RX_ADDR}/30`, 'dev', `${tag}b`]);
    for (const [ns, dev] of [[TX, `${tag}a`], [RX, `${tag}b`]] as const) {
      must(['ip', '-n', ns, 'link', 'set', dev, 'up']);
      must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    host = new NftHost('edge-lab', RX);
    ({ server, port } = await startAgentServer(host, { host: '127.0.0.1', port: 0 }));
  });

  afterAll(() => {
    server?.close();
    host?.flush();
    spawnSync('ip', ['netns', 'del', TX]);
    spawnSync('ip', ['netns', 'del', RX]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a rollout through the agent drops exactly what the rule matches, confirms from the kernel, and rolls back', async () => {
    expect(exchange([5353, 7000], 20)).toEqual({ 5353: 20, 7000: 20 });
    const rule: MitigationRule = { id: 'lab-mdns-drop', family: 'ipv4', match: { destination: `${RX_ADDR}/32`, protocols: [{ min: 17, max: 17 }], destinationPorts: [{ min: 5353, max: 5353 }] }, action: { kind: 'discard' }, scope: { kind: 'pops', pops: ['edge-lab'] }, provenance: {} };
    const network: NetworkDescription = { name: 'lab', ownedPrefixes: ['10.201.0.0/30'], mtuBytes: 1500, pops: [{ id: 'edge-lab', region: 'lab', anycastPrefixes: [], routers: [{ id: 'edge-lab-nft', vendor: 'linux', model: 'linux-nftables', osVersion: '6.1' }] }] };
    const store = await FailsmallStore.openSqlite(join(dir, 'agent.sqlite'));
    const clock = new ManualClock(0);
    const client = new AgentClient(new Map([['edge-lab', { host: '127.0.0.1', port }]]));
    const executor = new RolloutExecutor(store, client, clock);
    await executor.create(planRollout({ kind: 'flowspec', add: [rule], withdraw: [] }, network, { id: 'lab', author: 'ann', nowMs: 0, bakeMs: 1000 }));
    await executor.approve('lab', 'bob'); // one PoP of one is the whole network: wide scope
    await executor.start('lab', 'ann');
    clock.advance(1000);
    await executor.tick();
    expect((await executor.get('lab')).phase).toBe('completed'); // the gate read the rule back from the kernel
    expect(await client.installed('edge-lab')).toEqual(['lab-mdns-drop']);

    expect(exchange([5353, 7000], 20)).toEqual({ 5353: 0, 7000: 20 });
    const counters = await client.counters('edge-lab');
    expect(counters).toEqual([{ ruleId: 'lab-mdns-drop', packets: 20, bytes: 20 * 128 }]); // 100 B payload + 8 UDP + 20 IPv4

    await executor.rollback('lab', 'ann', 'lab done');
    expect(await client.installed('edge-lab')).toEqual([]);
    expect(exchange([5353], 10)).toEqual({ 5353: 10 });
    await store.close();
  });

  it('answers a bad request with an error and keeps what it had', async () => {
    const client = new AgentClient(new Map([['edge-lab', { host: '127.0.0.1', port }]]));
    await client.apply('edge-lab', { kind: 'flowspec', add: [{ id: 'keep', family: 'ipv4', match: { destination: `${RX_ADDR}/32`, protocols: [{ min: 6, max: 6 }] }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} }], withdraw: [] });
    await expect(client.apply('edge-lab', { kind: 'flowspec', add: [{ id: 'too-long', family: 'ipv4', match: { destination: `${RX_ADDR}/32`, packetLengths: [{ min: 99971, max: 99985 }] }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} }], withdraw: [] })).rejects.toThrow(/cannot express/);
    expect(await client.installed('edge-lab')).toEqual(['keep']);
    const { createConnection } = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port }, () => sock.write('{not json\n'));
      sock.on('data', (d) => { resolve(d.toString()); sock.end(); });
    });
    expect(JSON.parse(reply)).toMatchObject({ ok: false, error: { code: 'agent_bad_request' } });
    expect(await client.installed('edge-lab')).toEqual(['keep']);
  });
});
