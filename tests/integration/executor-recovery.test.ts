// The executor over a real SQLite file and a test target that keeps installed rules in memory
// and can "crash the control plane" at any enforcement call. After a restart (a new executor
// over the same file) and recover(), every PoP holds exactly what the store says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Artifact, EnforcementTarget, PopHealth } from '../../src/fleet/enforcement.js';
import type { NetworkDescription } from '../../src/fleet/network.js';
import { ManualClock } from '../../src/lib/clock.js';
import { RolloutExecutor, expectedInstalled, planRollout, replayRollout } from '../../src/rollout/index.js';
import { FailsmallStore } from '../../src/store/index.js';

class Crash extends Error {}

/** Holds installed rule ids per PoP; throws Crash on the n-th apply/revert (1-based). */
class MemoryTarget implements EnforcementTarget {
  readonly installedBy = new Map<string, Set<string>>();
  calls = 0;
  /** PoPs whose routers report a new crash (a gate must fail there). */
  readonly sick = new Set<string>();
  constructor(private readonly crashAt = Number.POSITIVE_INFINITY) {}
  private step(): void {
    if (++this.calls === this.crashAt) throw new Crash(`control plane died at call ${this.calls}`);
  }
  async apply(popId: string, a: Artifact): Promise<void> {
    this.step();
    if (a.kind !== 'flowspec') return;
    const set = this.installedBy.get(popId) ?? new Set<string>();
    for (const id of a.withdraw) set.delete(id);
    for (const r of a.add) set.add(r.id);
    this.installedBy.set(popId, set);
  }
  async revert(popId: string, a: Artifact): Promise<void> {
    this.step();
    if (a.kind !== 'flowspec') return;
    for (const r of a.add) this.installedBy.get(popId)?.delete(r.id);
  }
  async health(popId: string): Promise<PopHealth> {
    return { popId, atMs: 0, httpErrorRate: 0, trafficFailing: 0, routers: [{ routerId: `${popId}-r`, up: true, cpu: 0.1, memory: 0.3, bgpEstablished: true, installedRuleIds: [...(this.installedBy.get(popId) ?? [])], crashes: this.sick.has(popId) ? 1 : 0 }] };
  }
  async installed(popId: string): Promise<readonly string[]> {
    return [...(this.installedBy.get(popId) ?? [])];
  }
}

const network: NetworkDescription = { name: 't', ownedPrefixes: [], mtuBytes: 1500, pops: Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, region: 'eu', anycastPrefixes: [], capacityBps: (i + 1) * 1e9, routers: [] })) };
const artifact = (id: string, pops: string[]): Artifact => ({ kind: 'flowspec', add: [{ id, family: 'ipv4', match: { destination: '192.0.2.1/32' }, action: { kind: 'discard' }, scope: { kind: 'pops', pops }, provenance: {} }], withdraw: [] });
const dir = mkdtempSync(join(tmpdir(), 'failsmall-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run a scripted operator session until the target crashes; return how far it got. */
async function session(ex: RolloutExecutor, clock: ManualClock, target: MemoryTarget): Promise<void> {
  await ex.create(planRollout(artifact('r-a', ['p0', 'p1', 'p2', 'p3']), network, { id: 'a', author: 'ann', nowMs: clock.nowMs(), bakeMs: 1000 }));
  await ex.create(planRollout(artifact('r-b', ['p2', 'p4', 'p5']), network, { id: 'b', author: 'bob', nowMs: clock.nowMs(), bakeMs: 1000 }));
  await expect(ex.approve('a', 'ann')).rejects.toThrow(/cannot approve/);
  await ex.approve('a', 'carol');
  await ex.start('a', 'ann');
  await ex.start('b', 'bob');
  for (let i = 0; i < 4; i++) {
    clock.advance(1000);
    await ex.tick();
  }
  await ex.rollback('b', 'bob', 'wrong victim');
  // c withdraws r-a everywhere (wide: it reaches every PoP); it gets as far as its first wave.
  await ex.create(planRollout({ kind: 'flowspec', add: [], withdraw: ['r-a'] }, network, { id: 'c', author: 'dave', nowMs: clock.nowMs(), bakeMs: 1000 }));
  await ex.approve('c', 'carol');
  await ex.start('c', 'dave');
  clock.advance(1000);
  await ex.tick();
  // d is paused at its canary when the canary's router crashes: the gate still rolls it back.
  await ex.create(planRollout(artifact('r-d', ['p5']), network, { id: 'd', author: 'ann', nowMs: clock.nowMs(), bakeMs: 1000 }));
  await ex.start('d', 'ann');
  await ex.pause('d', 'ann', 'looking');
  target.sick.add('p5');
  clock.advance(10);
  await ex.tick();
  target.sick.delete('p5');
  // e is planned and never started: the kill switch aborts it so it cannot ship afterwards.
  await ex.create(planRollout(artifact('r-e', ['p1']), network, { id: 'e', author: 'ann', nowMs: clock.nowMs(), bakeMs: 1000 }));
  await ex.killSwitch('flowspec', 'oncall', 'drill');
}

/** Every stored state is what its event log replays to. */
async function expectReplayable(store: FailsmallStore, label: string): Promise<void> {
  for (const s of await store.listRollouts({ limit: Number.POSITIVE_INFINITY })) {
    const r = replayRollout(s.plan, await store.rolloutEvents(s.plan.id));
    expect(r.error, `${label} ${s.plan.id}`).toBeUndefined();
    expect(r.state, `${label} ${s.plan.id}`).toEqual(s);
  }
}

describe('executor crash recovery', () => {
  it('rolls back when a reached PoP cannot report its health (nobody can vouch for it)', async () => {
    const store = await FailsmallStore.openSqlite(join(dir, 'blind.sqlite'));
    const target = new MemoryTarget();
    target.health = async (popId: string) => {
      throw new Error(`agent at ${popId} unreachable`);
    };
    const clock = new ManualClock(0);
    const ex = new RolloutExecutor(store, target, clock);
    await ex.create(planRollout(artifact('r-x', ['p0', 'p1']), network, { id: 'x', author: 'ann', nowMs: 0, bakeMs: 1000 }));
    await ex.start('x', 'ann');
    clock.advance(10);
    await ex.tick();
    const s = await ex.get('x');
    expect(s.phase).toBe('rolled-back');
    expect(s.gateFailures.map((g) => g.gate)).toContain('traffic-failing-below');
    expect(target.installedBy.get('p0')?.size ?? 0).toBe(0);
    await store.close();
  });

  it('completes the scripted session without a crash (sanity)', async () => {
    const store = await FailsmallStore.openSqlite(join(dir, 'ok.sqlite'));
    const target = new MemoryTarget();
    const clock = new ManualClock(0);
    await session(new RolloutExecutor(store, target, clock), clock, target);
    expect((await store.getRollout('b'))?.phase).toBe('rolled-back');
    const d = await store.getRollout('d');
    expect(d?.phase).toBe('rolled-back');
    expect(d?.gateFailures.map((g) => g.gate)).toEqual(['no-crash']);
    expect((await store.getRollout('e'))?.phase).toBe('aborted');
    expect((await store.getRollout('a'))?.phase).toBe('rolled-back');
    expect((await store.getRollout('c'))?.phase).toBe('rolled-back');
    expect([...target.installedBy.values()].every((s) => s.size === 0)).toBe(true);
    const audit = await store.listAudit();
    expect(audit.find((e) => e.action === 'killswitch')?.diff).toEqual({ rolledBack: expect.arrayContaining(['a', 'c']), aborted: ['e'] });
    expect((await store.listApprovals('a')).map((x) => x.approver)).toEqual(['carol']);
    await expectReplayable(store, 'no crash');
    await store.close();
  });

  it('after a crash at every enforcement call, recovery makes installed == store', async () => {
    const total = await (async () => {
      const store = await FailsmallStore.openSqlite(join(dir, 'count.sqlite'));
      const t = new MemoryTarget();
      const clock = new ManualClock(0);
      await session(new RolloutExecutor(store, t, clock), clock, t);
      await store.close();
      return t.calls;
    })();
    expect(total).toBeGreaterThan(8);
    for (let crashAt = 1; crashAt <= total; crashAt++) {
      const file = join(dir, `crash-${crashAt}.sqlite`);
      const store = await FailsmallStore.openSqlite(file);
      const target = new MemoryTarget(crashAt);
      const clock = new ManualClock(0);
      await expect(session(new RolloutExecutor(store, target, clock), clock, target)).rejects.toBeInstanceOf(Crash);
      await store.close();
      // restart: new store handle, new executor, same fleet
      const store2 = await FailsmallStore.openSqlite(file);
      const healed = new MemoryTarget();
      for (const [pop, set] of target.installedBy) healed.installedBy.set(pop, new Set(set));
      await new RolloutExecutor(store2, healed, clock).recover();
      await expectReplayable(store2, `crash at call ${crashAt}`);
      const expected = expectedInstalled(await store2.listRollouts({ limit: 100 }));
      for (const pop of network.pops.map((p) => p.id)) {
        expect([...(healed.installedBy.get(pop) ?? [])].sort(), `crash at call ${crashAt}, PoP ${pop}`).toEqual([...(expected.get(pop) ?? [])].sort());
      }
      await store2.close();
    }
  });
});
