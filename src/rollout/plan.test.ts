import { describe, expect, it } from 'vitest';
import type { Artifact } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import type { MitigationRule } from '../rules/model.js';
import { initialRolloutState, stepRollout } from './lifecycle.js';
import { PlanError, planRollout } from './plan.js';

// 10 PoPs: p0..p4 in eu, p5..p9 in na; capacity grows with the index except p7, the smallest.
const network: NetworkDescription = {
  name: 't',
  ownedPrefixes: ['192.0.2.0/24'],
  mtuBytes: 1500,
  pops: Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, region: i < 5 ? 'eu' : 'na', anycastPrefixes: [], capacityBps: i === 7 ? 1e8 : (i + 1) * 1e9, routers: [] })),
};
const rule = (scope: MitigationRule['scope'], id = 'r1'): MitigationRule => ({ id, family: 'ipv4', match: { destination: '192.0.2.1/32' }, action: { kind: 'discard' }, scope, provenance: {} });
const flowspec = (...rules: MitigationRule[]): Artifact => ({ kind: 'flowspec', add: rules, withdraw: [] });
const base = { id: 'x', author: 'ann', nowMs: 0 };
const planError = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof PlanError) return e.code;
    throw e;
  }
  return undefined;
};

describe('planRollout', () => {
  it('scopes to the PoPs that need it, canary first (least capacity), waves growing', () => {
    const plan = planRollout(flowspec(rule({ kind: 'regions', regions: ['eu'] })), network, base);
    expect(plan.scopePops).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(plan.waves).toEqual([['p0'], ['p1'], ['p2'], ['p3', 'p4']]); // canary, then 10%, 50%, the rest of 4
    expect(plan.wide).toBe(false);
    expect(plan.bakeMs).toBe(300_000);
    expect(plan.gates.map((g) => g.kind)).toEqual(expect.arrayContaining(['memory-below', 'cpu-below', 'bgp-established', 'rules-installed', 'no-crash', 'http-error-rate-below', 'traffic-failing-below', 'dropped-vs-expected-within']));
  });
  it('the union of several rules scopes, canary the smallest PoP among them', () => {
    const plan = planRollout(flowspec(rule({ kind: 'pops', pops: ['p2', 'p7'] }, 'a'), rule({ kind: 'pops', pops: ['p3'] }, 'b')), network, base);
    expect(plan.waves[0]).toEqual(['p7']);
    expect([...plan.scopePops].sort()).toEqual(['p2', 'p3', 'p7']);
  });
  it('global scope is wide: it needs an approver other than the author', () => {
    const plan = planRollout(flowspec(rule({ kind: 'global' })), network, base);
    expect(plan.wide).toBe(true);
    expect(plan.waves[0]).toEqual(['p7']);
    expect(plan.waves.flat()).toHaveLength(10);
    const s = initialRolloutState(plan);
    expect(s.phase).toBe('awaiting-approval');
    expect(stepRollout(s, { type: 'start', by: 'ann', atMs: 1 }).error?.code).toBe('rollout_invalid_transition');
    expect(stepRollout(s, { type: 'approve', by: 'ann', atMs: 1 }).error?.code).toBe('rollout_self_approval');
    expect(stepRollout(s, { type: 'approve', by: 'bob', atMs: 1 }).state.phase).toBe('planned');
  });
  it('more than half the PoPs, or more than wideMaxPops, is wide too', () => {
    expect(planRollout(flowspec(rule({ kind: 'pops', pops: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'] })), network, base).wide).toBe(true);
    expect(planRollout(flowspec(rule({ kind: 'pops', pops: ['p0', 'p1', 'p2'] })), network, base).wide).toBe(false);
    expect(planRollout(flowspec(rule({ kind: 'pops', pops: ['p0', 'p1', 'p2'] })), network, { ...base, wideMaxPops: 2 }).wide).toBe(true);
  });
  it('a withdraw goes where the rule is held, or everywhere when nobody says', () => {
    const withdraw: Artifact = { kind: 'flowspec', add: [], withdraw: ['r1'] };
    expect(planRollout(withdraw, network, { ...base, holders: new Map([['r1', ['p3', 'p4']]]) }).scopePops).toEqual(['p3', 'p4']);
    expect(planRollout(withdraw, network, base).scopePops).toHaveLength(10);
    expect(planError(() => planRollout(withdraw, network, { ...base, holders: new Map() }))).toBe('rollout_scope_empty');
  });
  it('WAF and data-file changes go everywhere (wide) unless scoped', () => {
    const waf: Artifact = { kind: 'waf-regex', rules: [{ id: 'w1', pattern: 'a+b' }] };
    expect(planRollout(waf, network, base).wide).toBe(true);
    const scoped = planRollout(waf, network, { ...base, scope: { kind: 'regions', regions: ['na'] } });
    expect(scoped.waves[0]).toEqual(['p7']);
    expect(scoped.scopePops).toHaveLength(5);
    expect(scoped.wide).toBe(false);
  });
  it('honours a requested canary, wave sizes, shares and bake', () => {
    const plan = planRollout(flowspec(rule({ kind: 'regions', regions: ['eu'] })), network, { ...base, canaryPop: 'p3', waveSizes: [2], bakeMs: 60_000 });
    expect(plan.waves).toEqual([['p3'], ['p0', 'p1'], ['p2', 'p4']]);
    expect(plan.bakeMs).toBe(60_000);
    expect(planRollout(flowspec(rule({ kind: 'global' })), network, { ...base, waveShares: [1] }).waves).toHaveLength(2);
    // 9 PoPs after the canary in 3 doubling waves: 9/7 ≈ 1.3, 3.9, 9 cumulative -> 2, 2, 5
    expect(planRollout(flowspec(rule({ kind: 'global' })), network, { ...base, waveCount: 3 }).waves.map((w) => w.length)).toEqual([1, 2, 2, 5]);
  });
  it('rejects what it cannot plan, with a code', () => {
    expect(planError(() => planRollout(flowspec(rule({ kind: 'pops', pops: ['zz9'] })), network, base))).toBe('rollout_scope_unknown');
    expect(planError(() => planRollout(flowspec(rule({ kind: 'regions', regions: ['eu', 'mars'] })), network, base))).toBe('rollout_scope_unknown');
    expect(planError(() => planRollout(flowspec(rule({ kind: 'pops', pops: ['p1'] })), network, { ...base, canaryPop: 'p2' }))).toBe('rollout_canary_out_of_scope');
    expect(planError(() => planRollout(flowspec(), network, base))).toBe('rollout_scope_empty');
    expect(planError(() => planRollout(flowspec(rule({ kind: 'global' })), network, { ...base, bakeMs: -1 }))).toBe('rollout_plan_invalid');
    expect(planError(() => planRollout(flowspec(rule({ kind: 'global' })), network, { ...base, waveShares: [0.5, 0.2] }))).toBe('rollout_plan_invalid');
    expect(planError(() => planRollout(flowspec(rule({ kind: 'global' })), network, { ...base, waveSizes: [0] }))).toBe('rollout_plan_invalid');
    expect(planError(() => planRollout(flowspec(rule({ kind: 'global' })), network, { ...base, waveSizes: [2], waveCount: 2 }))).toBe('rollout_plan_invalid');
  });
  it('is deterministic: the same input plans the same waves', () => {
    const a = planRollout(flowspec(rule({ kind: 'global' })), network, base);
    const b = planRollout(flowspec(rule({ kind: 'global' })), network, base);
    expect(b).toEqual(a);
  });
});
