// The rollout reducer's transition table (every phase × every event) and properties over random
// event sequences: what may happen in each phase, and what can never happen.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Artifact, PopHealth } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import { type RolloutEvent, type RolloutPhase, type RolloutState, TERMINAL_PHASES, initialRolloutState, killSwitch, replayRollout, stepRollout } from './lifecycle.js';
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

function must(s: RolloutState, e: RolloutEvent): RolloutState {
  const r = stepRollout(s, e);
  if (r.error) throw new Error(r.error.message);
  return r.state;
}
const all = (s: RolloutState, atMs: number, ok = true): PopHealth[] => s.plan.scopePops.map((p) => health(p, ok)).map((h) => ({ ...h, atMs }));

function stateIn(phase: RolloutPhase): RolloutState {
  const planned = initialRolloutState(narrow);
  const running = must(planned, { type: 'start', by: 'ann', atMs: 0 });
  switch (phase) {
    case 'awaiting-approval':
      return initialRolloutState(wide);
    case 'planned':
      return planned;
    case 'running':
      return running;
    case 'paused':
      return must(running, { type: 'pause', by: 'ann', atMs: 10 });
    case 'completed': {
      let s = running;
      for (let t = BAKE; s.phase === 'running'; t += BAKE) s = must(s, { type: 'health', atMs: t, health: all(s, t) });
      return s;
    }
    case 'rolled-back':
      return must(running, { type: 'rollback', by: 'ann', atMs: 10, reason: 'x' });
    case 'aborted':
      return must(running, { type: 'abort', by: 'ann', atMs: 10 });
  }
}

type EventName = 'approve' | 'start' | 'health-ok' | 'health-fail' | 'pause' | 'resume' | 'abort' | 'rollback';
function eventOf(name: EventName, s: RolloutState, atMs: number): RolloutEvent {
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
  }
}

// phase -> event -> resulting phase, or 'invalid' (state unchanged, no actions, rollout_invalid_transition)
const X = 'invalid';
const TABLE: Record<RolloutPhase, Record<EventName, RolloutPhase | typeof X>> = {
  'awaiting-approval': { approve: 'planned', start: X, 'health-ok': 'awaiting-approval', 'health-fail': 'awaiting-approval', pause: X, resume: X, abort: 'aborted', rollback: X },
  planned: { approve: X, start: 'running', 'health-ok': 'planned', 'health-fail': 'planned', pause: X, resume: X, abort: 'aborted', rollback: X },
  running: { approve: X, start: X, 'health-ok': 'running', 'health-fail': 'rolled-back', pause: 'paused', resume: X, abort: 'aborted', rollback: 'rolled-back' },
  paused: { approve: X, start: X, 'health-ok': 'paused', 'health-fail': 'rolled-back', pause: X, resume: 'running', abort: 'aborted', rollback: 'rolled-back' },
  completed: { approve: X, start: X, 'health-ok': 'completed', 'health-fail': 'completed', pause: X, resume: X, abort: X, rollback: 'rolled-back' },
  'rolled-back': { approve: X, start: X, 'health-ok': 'rolled-back', 'health-fail': 'rolled-back', pause: X, resume: X, abort: X, rollback: X },
  aborted: { approve: X, start: X, 'health-ok': 'aborted', 'health-fail': 'aborted', pause: X, resume: X, abort: X, rollback: 'rolled-back' },
};

describe('rollout transition table', () => {
  for (const [phase, row] of Object.entries(TABLE) as Array<[RolloutPhase, Record<EventName, RolloutPhase | typeof X>]>) {
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
        if (want === 'rolled-back' && phase !== 'rolled-back') {
          // every PoP the change reached is reverted, newest first
          expect(reverts).toEqual([...s.reached].reverse());
          expect(r.state.reverted).toEqual(expect.arrayContaining([...s.reached]));
        } else expect(reverts).toEqual([]);
        if (name === 'start') expect(r.actions.filter((a) => a.type === 'apply')).toEqual([{ type: 'apply', popId: 'p0' }]);
      });
    }
  }

  it('a wide rollout cannot be approved by its author and cannot start unapproved', () => {
    const s = initialRolloutState(wide);
    expect(stepRollout(s, { type: 'approve', by: 'ann', atMs: 1 }).error?.code).toBe('rollout_self_approval');
    expect(stepRollout(s, { type: 'start', by: 'bob', atMs: 1 }).error?.code).toBe('rollout_invalid_transition');
  });

  it('the kill switch rolls back live rollouts of the kind and aborts unstarted ones', () => {
    const steps = killSwitch([stateIn('running'), stateIn('completed'), stateIn('planned'), stateIn('rolled-back'), stateIn('aborted')], 'flowspec', 'oncall', 5000, 'drill');
    expect(steps.map((x) => [x.event.type, x.result.state.phase])).toEqual([
      ['rollback', 'rolled-back'],
      ['rollback', 'rolled-back'],
      ['abort', 'aborted'],
      ['rollback', 'rolled-back'], // aborted mid-way still held p0
    ]);
    expect(steps[1]!.result.actions.filter((a) => a.type === 'revert')).toHaveLength(3);
  });
});

describe('rollout reducer properties', () => {
  const names: EventName[] = ['approve', 'start', 'health-ok', 'health-fail', 'pause', 'resume', 'abort', 'rollback'];
  it('over random event sequences: reached ⊆ scope, each PoP applied once, reverts only reached PoPs, replay = state', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.tuple(fc.constantFrom(...names), fc.integer({ min: 0, max: 3 * BAKE })), { maxLength: 40 }), (isWide, script) => {
        let s = initialRolloutState(isWide ? wide : narrow);
        const log: RolloutEvent[] = [];
        const applied: string[] = [];
        const reverted: string[] = [];
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
            if (a.type === 'apply') applied.push(a.popId);
            if (a.type === 'revert') {
              expect(applied).toContain(a.popId);
              reverted.push(a.popId);
            }
          }
          if (s.plan.wide && r.state.phase === 'running') expect(r.state.approvedBy).not.toBe(s.plan.author);
          if (TERMINAL_PHASES.includes(s.phase)) expect(r.actions.filter((a) => a.type === 'apply')).toEqual([]);
          s = r.state;
        }
        expect(new Set(applied).size).toBe(applied.length);
        expect(new Set(reverted).size).toBe(reverted.length);
        expect(s.reached).toEqual(applied);
        for (const p of s.reached) expect(s.plan.scopePops).toContain(p);
        if (s.phase === 'rolled-back') expect([...reverted].sort()).toEqual([...applied].sort());
        expect(replayRollout(s.plan, log).state).toEqual(s);
      }),
      { numRuns: 300, seed: 6 },
    );
  });
});
