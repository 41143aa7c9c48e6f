// Kill switch latency: N live Flowspec rollouts over a 50-PoP network on an SQLite file, each
// having reached every PoP of its scope (up to 20); time from killSwitch() call to every revert
// done and confirmed in the store. The fleet is in memory (tests/support/memory-fleet.ts), with
// an optional per-call latency standing in for an agent round trip, so this measures the store,
// the executor and how many enforcement calls it keeps in flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkDescription } from '../src/fleet/network.js';
import { ManualClock } from '../src/lib/clock.js';
import { RolloutExecutor, planRollout } from '../src/rollout/index.js';
import { FailsmallStore } from '../src/store/index.js';
import { MemoryFleet } from '../tests/support/memory-fleet.js';

const network: NetworkDescription = { name: 'b', ownedPrefixes: [], mtuBytes: 1500, pops: Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, region: `r${i % 5}`, anycastPrefixes: [], capacityBps: 1e9 * (1 + i), routers: [] })) };

async function once(n: number, latencyMs: number, concurrency: number): Promise<{ ms: number; reverts: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'failsmall-bench-ks-'));
  try {
    const store = await FailsmallStore.openSqlite(join(dir, 'b.sqlite'));
    const fleet = new MemoryFleet(network.pops.map((p) => p.id));
    fleet.memoryPerRule = 0; // hundreds of rules per PoP here; the memory gate is not what is measured
    const clock = new ManualClock(0);
    const ex = new RolloutExecutor(store, fleet, clock, { concurrency });
    for (let i = 0; i < n; i++) {
      const pops = network.pops.filter((_, k) => (k + i) % 3 === 0).map((p) => p.id).slice(0, 20);
      const plan = planRollout({ kind: 'flowspec', add: [{ id: `r${i}`, family: 'ipv4', match: { destination: '192.0.2.1/32' }, action: { kind: 'discard' }, scope: { kind: 'pops', pops }, provenance: {} }], withdraw: [] }, network, { id: `ro${i}`, author: 'a', nowMs: i, bakeMs: 10, waveShares: [1] });
      await ex.create(plan);
      await ex.start(plan.id, 'a');
    }
    clock.advance(10);
    await ex.tick(); // every rollout reaches its whole scope
    const before = network.pops.reduce((k, p) => k + fleet.held(p.id).length, 0);
    fleet.latencyMs = latencyMs;
    const t0 = performance.now();
    await ex.killSwitch('flowspec', 'oncall', 'bench');
    const ms = performance.now() - t0;
    const after = network.pops.reduce((k, p) => k + fleet.held(p.id).length, 0);
    if (after !== 0) throw new Error(`kill switch left ${after} rules installed`);
    if (before < n * 16) throw new Error(`only ${before} PoP rules were live before the kill switch`);
    await store.close();
    return { ms, reverts: before };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function report(n: number, latencyMs: number, concurrency: number, runs: number): Promise<number> {
  const rs: Array<{ ms: number; reverts: number }> = [];
  for (let i = 0; i < runs; i++) rs.push(await once(n, latencyMs, concurrency));
  const m = median(rs.map((r) => r.ms));
  console.log(`kill switch: ${String(n).padStart(3)} live rollouts, ${String(rs[0]!.reverts).padStart(4)} PoP reverts, ${latencyMs} ms per call, ${String(concurrency).padStart(3)} in flight: median ${m.toFixed(1).padStart(7)} ms over ${runs} run(s)`);
  return m;
}

for (const n of [10, 100, 300]) await report(n, 0, 32, 3);
const serial = await report(100, 5, 1, 1);
const parallel = await report(100, 5, 32, 3);
const wide = await report(100, 5, 128, 3);
console.log(`5 ms agents, 100 rollouts: 32 in flight is ${(serial / parallel).toFixed(1)}x faster than one at a time, 128 in flight ${(serial / wide).toFixed(1)}x`);
