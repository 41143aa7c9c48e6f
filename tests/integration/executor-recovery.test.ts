// The executor over a real SQLite file and an in-memory fleet (tests/support/memory-fleet.ts).
// The control plane "dies" at every side effect of a scripted operator session (every
// enforcement call and every store write, before or after it takes effect); after a restart (a
// new store handle and executor over the same file) and recover(), every PoP holds exactly what
// the store says, nothing is left pending, every stored state is what its event log replays
// to, every decision has its audit entry, and the rollouts then run to their end consistently.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/fleet/enforcement.js';
import type { NetworkDescription } from '../../src/fleet/network.js';
import { ManualClock } from '../../src/lib/clock.js';
import { type RolloutError, RolloutExecutor, TERMINAL_PHASES, expectedInstalled, pendingActions, replayRollout, stepRollout } from '../../src/rollout/index.js';
import { FailsmallStore } from '../../src/store/index.js';
import { Crash, CrashPlan, MemoryFleet } from '../support/memory-fleet.js';

const POPS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
const network: NetworkDescription = { name: 't', ownedPrefixes: [], mtuBytes: 1500, pops: POPS.map((id, i) => ({ id, region: 'eu', anycastPrefixes: [], capacityBps: (i + 1) * 1e9, routers: [] })) };
const rule = (id: string, pops: string[], dst = '192.0.2.1/32') => ({ id, family: 'ipv4' as const, match: { destination: dst }, action: { kind: 'discard' as const }, scope: { kind: 'pops' as const, pops }, provenance: {} });
const artifact = (id: string, pops: string[], dst?: string): Artifact => ({ kind: 'flowspec', add: [rule(id, pops, dst)], withdraw: [] });
const dir = mkdtempSync(join(tmpdir(), 'failsmall-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WRITES = new Set(['recordRollout', 'recordRollouts', 'appendAudit']);
/** The store as the dying process sees it: writes are side effects under the crash plan; reads fail once dead. */
function mortal(store: FailsmallStore, crash: CrashPlan): FailsmallStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (WRITES.has(String(prop))) return crash.effect(() => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        crash.check();
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Expect a refusal from the engine; a crash passes through (the session ends there). */
async function refused(p: Promise<unknown>, code: string): Promise<void> {
  await p.then(
    () => {
      throw new Error(`expected ${code}`);
    },
    (e: unknown) => {
      if (e instanceof Crash) throw e;
      expect((e as RolloutError).code).toBe(code);
    },
  );
}

/** A scripted operator session touching every path of the engine. */
async function session(ex: RolloutExecutor, clock: ManualClock, fleet: MemoryFleet): Promise<void> {
  const plan = (id: string, a: Artifact, author: string) => ex.planChange(a, network, { id, author, nowMs: clock.nowMs(), bakeMs: 1000, reason: `why ${id}` });
  const ticks = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      clock.advance(1000);
      await ex.tick();
    }
  };
  // a: 4 of 6 PoPs is wide; b: 3 PoPs is not.
  await ex.create(await plan('a', artifact('r-a', ['p0', 'p1', 'p2', 'p3']), 'ann'));
  await ex.create(await plan('b', artifact('r-b', ['p2', 'p4', 'p5']), 'bob'));
  await refused(ex.approve('a', 'ann'), 'rollout_self_approval');
  await refused(ex.start('a', 'ann'), 'rollout_invalid_transition');
  await ex.approve('a', 'carol');
  await ex.start('a', 'ann');
  await ex.start('b', 'bob');
  await ticks(4);
  await ex.rollback('b', 'bob', 'wrong victim');
  // c withdraws r-a where it is held; rolling c back must give r-a back to those PoPs.
  await ex.create(await plan('c', { kind: 'flowspec', add: [], withdraw: ['r-a'] }, 'dave'));
  await ex.approve('c', 'carol');
  await ex.start('c', 'dave');
  await ticks(1);
  await ex.rollback('c', 'dave', 'still needed');
  // d is paused at its canary when the canary's router crashes: the gate still rolls it back.
  await ex.create(await plan('d', artifact('r-d', ['p5']), 'ann'));
  await ex.start('d', 'ann');
  await ex.pause('d', 'ann', 'looking');
  fleet.crashRouter('p5');
  await ticks(1);
  // f: the second PoP refuses the apply: the rollout rolls back from both.
  fleet.refuse.add('p2');
  await ex.create(await plan('f', artifact('r-f', ['p1', 'p2']), 'ann'));
  await ex.start('f', 'ann');
  await ticks(2);
  fleet.refuse.delete('p2');
  // g completes, then is rolled back while p5 cannot be reached: it stays rolling-back until p5 answers.
  await ex.create(await plan('g', artifact('r-g', ['p4', 'p5'], '192.0.2.7/32'), 'ann'));
  await ex.start('g', 'ann');
  await ticks(2);
  fleet.unreachable.add('p5');
  await ex.rollback('g', 'ann', 'done with it');
  await ticks(1);
  fleet.unreachable.delete('p5');
  await ticks(1);
  // e is planned and never started: the kill switch aborts it so it cannot ship afterwards.
  await ex.create(await plan('e', artifact('r-e', ['p1']), 'ann'));
  await ex.create(await plan('h', artifact('r-h', ['p3']), 'ann'));
  await ex.start('h', 'ann');
  await ex.killSwitch('flowspec', 'oncall', 'drill');
}

/** Every stored state is what its event log replays to, and every decision has its audit entries. */
async function expectConsistentLog(store: FailsmallStore, label: string): Promise<void> {
  const audit = await store.listAudit(100_000);
  for (const s of await store.listRollouts({ limit: Number.POSITIVE_INFINITY })) {
    const events = await store.rolloutEvents(s.plan.id);
    const r = replayRollout(s.plan, events);
    expect(r.error, `${label} ${s.plan.id}`).toBeUndefined();
    expect(r.state, `${label} ${s.plan.id}`).toEqual(s);
    // audit actions the reducer produced along the log, plus the plan entry
    let state = replayRollout(s.plan, []).state;
    let want = 1;
    for (const e of events) {
      if (e.type === 'created') continue;
      const step = stepRollout(state, e);
      want += step.actions.filter((a) => a.type === 'audit').length;
      state = step.state;
    }
    expect(audit.filter((a) => a.target === s.plan.id).length, `${label} audit of ${s.plan.id}`).toBe(want);
  }
}

async function expectInstalledEqualsStore(store: FailsmallStore, fleet: MemoryFleet, label: string): Promise<void> {
  const states = await store.listRollouts({ limit: Number.POSITIVE_INFINITY });
  const expected = expectedInstalled(states);
  for (const pop of POPS) expect(fleet.held(pop), `${label}, PoP ${pop}`).toEqual([...(expected.get(pop) ?? [])].sort());
  for (const s of states) expect(pendingActions(s), `${label}, pending in ${s.plan.id}`).toEqual([]);
}

describe('executor', () => {
  it('runs the scripted session without a crash to the expected outcome', async () => {
    const store = await FailsmallStore.openSqlite(join(dir, 'ok.sqlite'));
    const fleet = new MemoryFleet(POPS);
    const clock = new ManualClock(0);
    const ex = new RolloutExecutor(store, fleet, clock);
    await session(ex, clock, fleet);
    const phase = async (id: string) => (await store.getRollout(id))?.phase;
    expect(await phase('b')).toBe('rolled-back');
    expect([...((await store.getRollout('c'))?.plan.scopePops ?? [])].sort()).toEqual(['p0', 'p1', 'p2', 'p3']); // only where r-a was held
    const d = await store.getRollout('d');
    expect(d?.phase).toBe('rolled-back');
    expect(d?.gateFailures.map((g) => g.gate)).toEqual(['no-crash']);
    const f = await store.getRollout('f');
    expect(f?.phase).toBe('rolled-back');
    expect(f?.gateFailures).toEqual([expect.objectContaining({ popId: 'p2', gate: 'applied' })]);
    const g = await store.getRollout('g');
    expect(g?.phase).toBe('rolled-back');
    expect((await store.rolloutEvents('g')).filter((e) => e.type === 'reverted').map((e) => ('failed' in e && e.failed ? 'failed' : 'ok'))).toEqual(['failed', 'failed', 'ok']); // refused, retried while still unreachable, done
    expect(await phase('e')).toBe('aborted');
    expect(await phase('a')).toBe('rolled-back');
    expect(await phase('h')).toBe('rolled-back');
    for (const pop of POPS) expect(fleet.held(pop), pop).toEqual([]);
    const audit = await store.listAudit();
    expect(audit.find((e) => e.action === 'killswitch')).toMatchObject({ actor: 'oncall', target: 'flowspec', reason: 'drill', diff: { rolledBack: expect.arrayContaining(['a', 'h']), aborted: ['e'] } });
    expect(audit.find((e) => e.target === 'g' && e.action === 'revert-failed')?.reason).toMatch(/p5 unreachable/);
    expect((await store.listApprovals('a')).map((x) => x.approver)).toEqual(['carol']);
    await expectConsistentLog(store, 'no crash');
    await store.close();
  });

  it('gives a withdrawn rule back when the withdraw is rolled back, and keeps a rule id another rollout holds', async () => {
    const store = await FailsmallStore.openSqlite(join(dir, 'restore.sqlite'));
    const fleet = new MemoryFleet(POPS);
    const clock = new ManualClock(0);
    const ex = new RolloutExecutor(store, fleet, clock);
    const go = async (id: string, a: Artifact): Promise<void> => {
      await ex.create(await ex.planChange(a, network, { id, author: 'ann', nowMs: clock.nowMs(), bakeMs: 10, waveShares: [1] }));
      await ex.start(id, 'ann');
      for (let i = 0; i < 3; i++) {
        clock.advance(10);
        await ex.tick();
      }
    };
    await go('old', artifact('shared', ['p0', 'p1'], '192.0.2.1/32'));
    await go('new', artifact('shared', ['p1', 'p2'], '192.0.2.2/32'));
    expect(fleet.ruleAt('p1', 'shared')?.match.destination).toBe('192.0.2.2/32');
    await ex.rollback('new', 'ann', 'x');
    expect(fleet.held('p2')).toEqual([]);
    expect(fleet.ruleAt('p1', 'shared')?.match.destination).toBe('192.0.2.1/32'); // the older rollout's version again
    await go('wd', { kind: 'flowspec', add: [], withdraw: ['shared'] });
    expect([...(await ex.get('wd')).plan.scopePops].sort()).toEqual(['p0', 'p1']);
    expect(fleet.held('p0')).toEqual([]);
    await ex.rollback('wd', 'ann', 'too early');
    expect(fleet.held('p0')).toEqual(['shared']);
    expect(fleet.held('p1')).toEqual(['shared']);
    await expectInstalledEqualsStore(store, fleet, 'restore');
    await store.close();
  });

  it('rolls back when a reached PoP cannot report its health (nobody can vouch for it)', async () => {
    const store = await FailsmallStore.openSqlite(join(dir, 'blind.sqlite'));
    const fleet = new MemoryFleet(POPS);
    fleet.health = async (popId: string) => {
      throw new Error(`agent at ${popId} unreachable`);
    };
    const clock = new ManualClock(0);
    const ex = new RolloutExecutor(store, fleet, clock);
    await ex.create(await ex.planChange(artifact('r-x', ['p0', 'p1']), network, { id: 'x', author: 'ann', nowMs: 0, bakeMs: 1000 }));
    await ex.start('x', 'ann');
    clock.advance(10);
    await ex.tick();
    const s = await ex.get('x');
    expect(s.phase).toBe('rolled-back');
    expect(s.gateFailures.map((g) => g.gate)).toContain('traffic-failing-below');
    expect(fleet.held('p0')).toEqual([]);
    await store.close();
  });

  it('kill switch withdraws hundreds of PoP rules in parallel and reports what it could not reach', async () => {
    const many: NetworkDescription = { ...network, pops: Array.from({ length: 40 }, (_, i) => ({ id: `q${i}`, region: 'eu', anycastPrefixes: [], capacityBps: (i + 1) * 1e9, routers: [] })) };
    const store = await FailsmallStore.openSqlite(join(dir, 'kill.sqlite'));
    const fleet = new MemoryFleet(many.pops.map((p) => p.id));
    const clock = new ManualClock(0);
    const ex = new RolloutExecutor(store, fleet, clock, { concurrency: 64 });
    for (let i = 0; i < 10; i++) {
      const pops = many.pops.filter((_, k) => (k + i) % 2 === 0).map((p) => p.id);
      await ex.create(await ex.planChange(artifact(`k${i}`, pops), many, { id: `k${i}`, author: 'ann', nowMs: i, bakeMs: 10, waveShares: [1], wideShare: 1 }));
      await ex.start(`k${i}`, 'ann');
    }
    clock.advance(10);
    await ex.tick();
    fleet.latencyMs = 20;
    fleet.unreachable.add('q0');
    const t0 = performance.now();
    const ids = await ex.killSwitch('flowspec', 'oncall', 'drill');
    const ms = performance.now() - t0;
    expect(ids).toHaveLength(10);
    // 200 reverts of 20 ms each: serial would take 4 s
    expect(ms).toBeLessThan(2000);
    const stuck = (await ex.list({ phases: ['rolling-back'] })).map((s) => s.plan.id).sort();
    expect(stuck).toEqual(['k0', 'k2', 'k4', 'k6', 'k8']); // the ones that hold q0
    for (const p of many.pops.slice(1)) expect(fleet.held(p.id), p.id).toEqual([]);
    fleet.unreachable.delete('q0');
    await ex.tick();
    expect(await ex.list({ phases: ['rolling-back'] })).toEqual([]);
    expect(fleet.held('q0')).toEqual([]);
    await store.close();
  });
});

describe('executor crash recovery', () => {
  it('after a crash at every side effect, before or after it, recovery makes installed == store and the rollouts finish', async () => {
    const total = await (async () => {
      const store = await FailsmallStore.openSqlite(join(dir, 'count.sqlite'));
      const fleet = new MemoryFleet(POPS);
      const crash = new CrashPlan();
      fleet.crash = crash;
      const clock = new ManualClock(0);
      await session(new RolloutExecutor(mortal(store, crash), fleet, clock), clock, fleet);
      await store.close();
      return crash.calls;
    })();
    expect(total).toBeGreaterThan(60);
    const points: Array<[number, 'before' | 'after']> = [];
    for (let n = 1; n <= total; n++) points.push([n, 'before'], [n, 'after']);
    for (const [crashAt, when] of points) {
      const label = `crash ${when} side effect ${crashAt}`;
      const file = join(dir, `crash-${crashAt}-${when}.sqlite`);
      const store = await FailsmallStore.openSqlite(file);
      const fleet = new MemoryFleet(POPS);
      const crash = new CrashPlan(crashAt, when);
      fleet.crash = crash;
      const clock = new ManualClock(0);
      const outcome = await session(new RolloutExecutor(mortal(store, crash), fleet, clock), clock, fleet).then(
        () => 'completed',
        (e: unknown) => (e instanceof Crash ? 'crashed' : e),
      );
      expect(outcome, label).toBe('crashed');
      await store.close();
      // restart: a new process (store handle, executor) over the same file and the same fleet
      fleet.crash = new CrashPlan();
      fleet.refuse.clear();
      fleet.unreachable.clear();
      const store2 = await FailsmallStore.openSqlite(file);
      const ex2 = new RolloutExecutor(store2, fleet, clock);
      await ex2.recover();
      await expectInstalledEqualsStore(store2, fleet, label);
      await expectConsistentLog(store2, label);
      expect(await ex2.recover(), `${label}: a second recovery changes nothing`).toEqual([]);
      // the rollouts left running resume and end; the fleet still matches the store
      for (let i = 0; i < 12 && (await store2.listRollouts({ phases: ['running', 'paused', 'rolling-back'] })).some((s) => s.phase !== 'paused'); i++) {
        clock.advance(1000);
        await ex2.tick();
      }
      for (const s of await store2.listRollouts({ limit: Number.POSITIVE_INFINITY })) expect(TERMINAL_PHASES.includes(s.phase) || s.phase === 'paused' || s.phase === 'planned' || s.phase === 'awaiting-approval', `${label}: ${s.plan.id} is ${s.phase}`).toBe(true);
      await expectInstalledEqualsStore(store2, fleet, `${label}, after resuming`);
      await expectConsistentLog(store2, `${label}, after resuming`);
      await store2.close();
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
    }
  }, 300_000);
});
