// Kill switch latency: N live Flowspec rollouts over a 50-PoP network on an SQLite file, each
// having reached every PoP of its scope; time from killSwitch() call to every revert done and
// logged. The target is an in-memory fleet (no network), so this measures the store + executor.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact, EnforcementTarget, PopHealth } from '../src/fleet/enforcement.js';
import type { NetworkDescription } from '../src/fleet/network.js';
import { ManualClock } from '../src/lib/clock.js';
import { RolloutExecutor, planRollout } from '../src/rollout/index.js';
import { FailsmallStore } from '../src/store/index.js';

class MemoryFleet implements EnforcementTarget {
  readonly held = new Map<string, Set<string>>();
  async apply(popId: string, a: Artifact): Promise<void> {
    if (a.kind !== 'flowspec') return;
    const s = this.held.get(popId) ?? new Set<string>();
    for (const r of a.add) s.add(r.id);
    this.held.set(popId, s);
  }
  async revert(popId: string, a: Artifact): Promise<void> {
    if (a.kind === 'flowspec') for (const r of a.add) this.held.get(popId)?.delete(r.id);
  }
  async health(popId: string): Promise<PopHealth> {
    return { popId, atMs: 0, httpErrorRate: 0, trafficFailing: 0, routers: [{ routerId: `${popId}-r`, up: true, cpu: 0.1, memory: 0.2, bgpEstablished: true, installedRuleIds: [...(this.held.get(popId) ?? [])], crashes: 0 }] };
  }
  async installed(popId: string): Promise<readonly string[]> {
    return [...(this.held.get(popId) ?? [])];
  }
}

const network: NetworkDescription = { name: 'b', ownedPrefixes: [], mtuBytes: 1500, pops: Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, region: `r${i % 5}`, anycastPrefixes: [], capacityBps: 1e9 * (1 + i), routers: [] })) };

async function once(n: number): Promise<{ ms: number; reverts: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'failsmall-bench-ks-'));
  try {
    const store = await FailsmallStore.openSqlite(join(dir, 'b.sqlite'));
    const fleet = new MemoryFleet();
    const clock = new ManualClock(0);
    const ex = new RolloutExecutor(store, fleet, clock);
    for (let i = 0; i < n; i++) {
      const pops = network.pops.filter((_, k) => (k + i) % 3 === 0).map((p) => p.id).slice(0, 20);
      const plan = planRollout({ kind: 'flowspec', add: [{ id: `r${i}`, family: 'ipv4', match: { destination: '192.0.2.1/32' }, action: { kind: 'discard' }, scope: { kind: 'pops', pops }, provenance: {} }], withdraw: [] }, network, { id: `ro${i}`, author: 'a', nowMs: i, bakeMs: 10, waveShares: [1] });
      await ex.create(plan);
      await ex.start(plan.id, 'a');
    }
    clock.advance(10);
    await ex.tick(); // every rollout reaches its whole scope
    const before = [...fleet.held.values()].reduce((k, s) => k + s.size, 0);
    const t0 = performance.now();
    await ex.killSwitch('flowspec', 'oncall', 'bench');
    const ms = performance.now() - t0;
    const after = [...fleet.held.values()].reduce((k, s) => k + s.size, 0);
    if (after !== 0) throw new Error(`kill switch left ${after} rules installed`);
    await store.close();
    return { ms, reverts: before };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const n of [10, 100, 300]) {
  const runs: Array<{ ms: number; reverts: number }> = [];
  for (let i = 0; i < 3; i++) runs.push(await once(n));
  console.log(`kill switch: ${n} live rollouts, ${runs[0]!.reverts} PoP reverts: median ${median(runs.map((r) => r.ms)).toFixed(1)} ms (SQLite file, in-memory fleet)`);
}
