// The rollout reducer's transition table (every phase × every event) and properties over random
// event sequences: what may happen in each phase, and what can never happen.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Artifact, PopHealth } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import {
  type RolloutEvent,
  type RolloutPhase,
  type RolloutState,
  TERMINAL_PHASES,
  activePops,
  confirmActions,
  initialRolloutState,
  killSwitch,
  pendingActions,
  replayRollout,
  stepRollout,
} from './lifecycle.js';
import { planRollout } from './plan.js';

const network: NetworkDescription = {
  name: 't',
  ownedPrefixes: ['192.0.2.0/24'],
  mtuBytes: 1500,
  pops: Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, region: 'eu', anycastPrefixes: [], capacityBps: (i + 1) * 1e9, routers: [{ id: `p${i}-r1`, vendor: 'juniper' as const, model: 'MX480', osVersion: '21.4R3' }] })),
};
const art = (pops: string[] | 'global'): Artifact => ({
  kind: 'flowspec',
  add: [{ id: 'r1', family: 'ipv4', match: { destination: '192.0.2.1/32' }, action: { kind: 'discard' }, scope: pops === 'global' ? { kind: 'global' } : { kind: 'pops', pops }, provenance: {} }],
  withdraw: [],
});
const health = (popId: string, ok = true): PopHealth => ({
  popId,
  atMs: 0,
  httpErrorRate: 0,
  trafficFailing: 0,
  routers: [{ routerId: `${popId}-r1`, up: true, cpu: 0.2, memory: 0.4, bgpEstablished: true, installedRuleIds: ['r1'], crashes: ok ? 0 : 1 }],
});
const BAKE = 100;
const narrow = planRollout(art(['p0', 'p1', 'p2']), network, { id: 'n', author: 'ann', nowMs: 0, bakeMs: BAKE });
const wide = planRollout(art('global'), network, { id: 'w', author: 'ann', nowMs: 0, bakeMs: BAKE });

/** Step, and confirm the enforcement the step asked for (a target that never fails). */
function settle(s: RolloutState, e: RolloutEvent): RolloutState {
  const r = stepRollout(s, e);
  if (r.error) throw new Error(r.error.message);
  return confirmActions(r.state, r.actions, e.atMs);
}
function unsettled(s: RolloutState, e: RolloutEvent): RolloutState {
  const r = stepRollout(s, e);
  if (r.error) throw new Error(r.error.message);
  return r.state;
}
const all = (s: RolloutState, atMs: number, ok = true): PopHealth[] => s.plan.scopePops.map((p) => health(p, ok)).map((h) => ({ ...h, atMs }));

function stateIn(phase: RolloutPhase): RolloutState {
  const planned = initialRolloutState(narrow);
  const running = settle(planned, { type: 'start', by: 'ann', atMs: 0 });
  switch (phase) {
    case 'awaiting-approval':
      return initialRolloutState(wide);
    case 'planned':
      return planned;
    case 'running':
      return running;
    case 'paused':
      return settle(running, { type: 'pause', by: 'ann', atMs: 10 });
    case 'completed': {
      let s = running;
      for (let t = BAKE; s.phase === 'running'; t += BAKE) s = settle(s, { type: 'health', atMs: t, health: all(s, t) });
      return s;
    }
    case 'rolling-back':
      return unsettled(running, { type: 'rollback', by: 'ann', atMs: 10, reason: 'x' });
    case 'rolled-back':
      return settle(running, { type: 'rollback', by: 'ann', atMs: 10, reason: 'x' });
    case 'aborted':
      return settle(running, { type: 'abort', by: 'ann', atMs: 10 });
  }
}

const EVENT_NAMES = ['approve', 'start', 'health-ok', 'health-fail', 'pause', 'resume', 'abort', 'rollback', 'applied', 'apply-failed', 'reverted', 'revert-failed'] as const;
type EventName = (typeof EVENT_NAMES)[number];
function eventOf(name: EventName, s: RolloutState, atMs: number): RolloutEvent {
  const somePop = activePops(s)[0] ?? s.plan.scopePops[0]!;
  switch (name) {
    case 'approve':
      return { type: 'approve', by: 'bob', atMs };
    case 'start':
      return { type: 'start', by: 'ann', atMs };
    case 'health-ok':
      return { type: 'health', atMs, health: all(s, atMs) };
    case 'health-fail':
      return { type: 'health', atMs, health: all(s, atMs, false) };
    case 'pause':
      return { type: 'pause', by: 'ann', atMs };
    case 'resume':
      return { type: 'resume', by: 'ann', atMs };
    case 'abort':
      return { type: 'abort', by: 'ann', atMs };
    case 'rollback':
      return { type: 'rollback', by: 'ann', atMs, reason: 'operator' };
    case 'applied':
      return { type: 'applied', atMs, popIds: s.pendingApply ?? [] };
    case 'apply-failed':
      return { type: 'applied', atMs, popIds: [], failed: [{ popId: somePop, error: 'agent refused' }] };
    case 'reverted':
      return { type: 'reverted', atMs, popIds: s.pendingRevert ?? [] };
    case 'revert-failed':
      return { type: 'reverted', atMs, popIds: [], failed: [{ popId: somePop, error: 'agent unreachable' }] };
  }
}

// phase -> event -> resulting phase, or 'invalid' (state unchanged, no actions, rollout_invalid_transition)
const X = 'invalid';
type Row = Record<EventName, RolloutPhase | typeof X>;
const same = (p: RolloutPhase): Pick<Row, 'health-ok' | 'health-fail' | 'applied' | 'apply-failed' | 'reverted' | 'revert-failed'> => ({
  'health-ok': p,
  'health-fail': p,
  applied: p,
  'apply-failed': p,
  reverted: p,
  'revert-failed': p,
});
const TABLE: Record<RolloutPhase, Row> = {
  'awaiting-approval': { ...same('awaiting-approval'), approve: 'planned', start: X, pause: X, resume: X, abort: 'aborted', rollback: X },
  planned: { ...same('planned'), approve: X, start: 'running', pause: X, resume: X, abort: 'aborted', rollback: X },
  running: { ...same('running'), 'health-fail': 'rolling-back', 'apply-failed': 'rolling-back', approve: X, start: X, pause: 'paused', resume: X, abort: 'aborted', rollback: 'rolling-back' },
  paused: { ...same('paused'), 'health-fail': 'rolling-back', 'apply-failed': 'rolling-back', approve: X, start: X, pause: X, resume: 'running', abort: 'aborted', rollback: 'rolling-back' },
  'rolling-back': { ...same('rolling-back'), reverted: 'rolled-back', approve: X, start: X, pause: X, resume: X, abort: X, rollback: X },
  completed: { ...same('completed'), approve: X, start: X, pause: X, resume: X, abort: X, rollback: 'rolling-back' },
  'rolled-back': { ...same('rolled-back'), approve: X, start: X, pause: X, resume: X, abort: X, rollback: X },
  aborted: { ...same('aborted'), approve: X, start: X, pause: X, resume: X, abort: X, rollback: 'rolling-back' },
};

describe('rollout transition table', () => {
  for (const [phase, row] of Object.entries(TABLE) as Array<[RolloutPhase, Row]>) {
    for (const [name, want] of Object.entries(row) as Array<[EventName, RolloutPhase | typeof X]>) {
      it(`${phase} + ${name} -> ${want}`, () => {
        const s = stateIn(phase);
        expect(s.phase).toBe(phase);
        const r = stepRollout(s, eventOf(name, s, 1000));
        if (want === X) {
          expect(r.error?.code).toBe('rollout_invalid_transition');
          expect(r.state).toBe(s);
          expect(r.actions).toEqual([]);
          return;
        }
        expect(r.error).toBeUndefined();
        expect(r.state.phase).toBe(want);
        const reverts = r.actions.filter((a) => a.type === 'revert').map((a) => (a as { popId: string }).popId);
        if (want === 'rolling-back' && phase !== 'rolling-back') {
          // every PoP the change holds is reverted, newest first, and stays pending until confirmed
          expect(reverts).toEqual(activePops(s).reverse());
          expect(r.state.pendingRevert).toEqual(reverts);
          expect(activePops(r.state)).toEqual([]);
          expect(r.actions.find((a) => a.type === 'audit')).toMatchObject({ action: 'rollback' });
        } else expect(reverts).toEqual([]);
        if (want === 'rolled-back') expect(r.state.pendingRevert ?? []).toEqual([]);
        if (name === 'start') expect(r.actions.filter((a) => a.type === 'apply')).toEqual([{ type: 'apply', popId: 'p0', wave: 0 }]);
        if (name === 'revert-failed' && phase === 'rolling-back') expect(r.state.lastError).toMatch(/agent unreachable/);
      });
    }
  }

  it('a wide rollout cannot be approved by its author and cannot start unapproved', () => {
    const s = initialRolloutState(wide);
    expect(stepRollout(s, { type: 'approve', by: 'ann', atMs: 1 }).error?.code).toBe('rollout_self_approval');
    expect(stepRollout(s, { type: 'start', by: 'bob', atMs: 1 }).error?.code).toBe('rollout_invalid_transition');
  });

  it('the next wave waits until every PoP of the current one confirmed the change', () => {
    const started = unsettled(initialRolloutState(narrow), { type: 'start', by: 'ann', atMs: 0 });
    expect(started.pendingApply).toEqual(['p0']);
    const late = stepRollout(started, { type: 'health', atMs: 5 * BAKE, health: all(started, 5 * BAKE) });
    expect(late.actions).toEqual([]);
    const confirmed = settle(started, { type: 'applied', atMs: 10, popIds: ['p0'] });
    const next = stepRollout(confirmed, { type: 'health', atMs: 5 * BAKE, health: all(confirmed, 5 * BAKE) });
    expect(next.actions.filter((a) => a.type === 'apply')).toEqual([{ type: 'apply', popId: 'p1', wave: 1 }]);
  });

  it('recovery confirms pending actions and ends a rollback whose reverts it finished', () => {
    const rolling = stateIn('rolling-back');
    expect(pendingActions(rolling)).toEqual([{ type: 'revert', popId: 'p0', wave: 0 }]);
    const r = stepRollout(rolling, { type: 'recovered', atMs: 2000, applied: [], reverted: ['p0'] });
    expect(r.state.phase).toBe('rolled-back');
    expect(r.actions).toEqual([expect.objectContaining({ type: 'audit', action: 'recover' })]);
  });

  it('the kill switch rolls back live rollouts of the kind, repeats outstanding reverts and aborts unstarted ones', () => {
    const steps = killSwitch(
      [stateIn('running'), stateIn('completed'), stateIn('planned'), stateIn('rolled-back'), stateIn('aborted'), stateIn('rolling-back')],
      'flowspec',
      'oncall',
      5000,
      'drill',
    );
    expect(steps.map((x) => [x.event?.type, x.result.state.phase])).toEqual([
      ['rollback', 'rolling-back'],
      ['rollback', 'rolling-back'],
      ['abort', 'aborted'],
      ['rollback', 'rolling-back'], // aborted mid-way still held p0
      [undefined, 'rolling-back'], // already rolling back: its reverts again
    ]);
    expect(steps[1]!.result.actions.filter((a) => a.type === 'revert')).toHaveLength(3);
    expect(steps[4]!.result.actions).toEqual([{ type: 'revert', popId: 'p0', wave: 0 }]);
    expect(killSwitch([stateIn('running')], 'waf-regex', 'oncall', 5000, 'drill')).toEqual([]);
  });
});

describe('rollout reducer properties', () => {
  it('over random event sequences: reached ⊆ scope, each PoP applied once, reverts only reached PoPs, replay = state', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.tuple(fc.constantFrom(...EVENT_NAMES), fc.integer({ min: 0, max: 3 * BAKE })), { maxLength: 50 }), (isWide, script) => {
        let s = initialRolloutState(isWide ? wide : narrow);
        const log: RolloutEvent[] = [];
        const applied: string[] = [];
        const reverted: string[] = [];
        let rollbackDecided = false;
        let t = 0;
        for (const [name, dt] of script) {
          t += dt;
          const e = eventOf(name, s, t);
          const r = stepRollout(s, e);
          if (r.error) {
            expect(r.state).toBe(s);
            continue;
          }
          log.push(e);
          for (const a of r.actions) {
            if (a.type === 'apply') {
              expect(rollbackDecided).toBe(false); // nothing ships after a rollback
              applied.push(a.popId);
            }
            if (a.type === 'revert') {
              expect(applied).toContain(a.popId);
              reverted.push(a.popId);
              rollbackDecided = true;
            }
          }
          if (s.plan.wide && r.state.phase === 'running') expect(r.state.approvedBy).not.toBe(s.plan.author);
          if (TERMINAL_PHASES.includes(s.phase)) expect(r.actions.filter((a) => a.type === 'apply')).toEqual([]);
          if (r.state.phase === 'rolling-back') expect(r.state.pendingRevert?.length).toBeGreaterThan(0);
          if (r.state.phase === 'rolled-back') expect(r.state.pendingRevert ?? []).toEqual([]);
          if (r.state.phase === 'completed' && s.phase !== 'completed') expect(r.state.pendingApply ?? []).toEqual([]);
          s = r.state;
        }
        expect(new Set(applied).size).toBe(applied.length);
        expect(new Set(reverted).size).toBe(reverted.length);
        expect(s.reached).toEqual(applied);
        for (const p of s.reached) expect(s.plan.scopePops).toContain(p);
        if (s.phase === 'rolled-back' || s.phase === 'rolling-back') expect([...reverted].sort()).toEqual([...applied].sort());
        expect(replayRollout(s.plan, log).state).toEqual(s);
      }),
      { numRuns: 400, seed: 6 },
    );
  });
});
