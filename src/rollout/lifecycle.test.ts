import { describe, expect, it } from 'vitest';
import type { Artifact, PopHealth } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import type { MitigationRule } from '../rules/model.js';
import { expectedInstalled, initialRolloutState, killSwitch, stepRollout } from './lifecycle.js';
import { planRollout } from './plan.js';

const network: NetworkDescription = {
  name: 't',
  ownedPrefixes: ['192.0.2.0/24'],
  mtuBytes: 1500,
  pops: Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, region: i < 5 ? 'eu' : 'na', anycastPrefixes: [], capacityBps: (i + 1) * 1e9, routers: [{ id: `p${i}-r1`, vendor: 'juniper' as const, model: 'MX480', osVersion: '21.4R3' }] })),
};
const rule = (scope: MitigationRule['scope']): MitigationRule => ({ id: 'r1', family: 'ipv4', match: { destination: '192.0.2.1/32' }, action: { kind: 'discard' }, scope, provenance: {} });
const art = (scope: MitigationRule['scope']): Artifact => ({ kind: 'flowspec', add: [rule(scope)], withdraw: [] });
const healthy = (popId: string, installed: string[] = ['r1'], crashes = 0, up = true): PopHealth => ({
  popId, atMs: 0, httpErrorRate: 0, trafficFailing: 0,
  routers: [{ routerId: `${popId}-r1`, up, cpu: 0.2, memory: 0.4, bgpEstablished: up, installedRuleIds: up ? installed : [], crashes }],
});

describe('planRollout', () => {
  it('scopes to the PoPs that need it, canary first (least capacity), waves growing', () => {
    const plan = planRollout(art({ kind: 'regions', regions: ['eu'] }), network, { id: 'x', author: 'ann', nowMs: 0 });
    expect(plan.scopePops).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(plan.waves).toEqual([['p0'], ['p1'], ['p2'], ['p3', 'p4']]); // canary, then 10%, 50%, the rest of 4
    expect(plan.wide).toBe(false);
  });
  it('marks global scope wide: it needs an approver other than the author', () => {
    const plan = planRollout(art({ kind: 'global' }), network, { id: 'x', author: 'ann', nowMs: 0 });
    const s = initialRolloutState(plan);
    expect(s.phase).toBe('awaiting-approval');
    expect(stepRollout(s, { type: 'start', by: 'ann', atMs: 1 }).error?.code).toBe('rollout_invalid_transition');
    expect(stepRollout(s, { type: 'approve', by: 'ann', atMs: 1 }).error?.code).toBe('rollout_self_approval');
    expect(stepRollout(s, { type: 'approve', by: 'bob', atMs: 1 }).state.phase).toBe('planned');
  });
});

describe('stepRollout', () => {
  const plan = planRollout(art({ kind: 'pops', pops: ['p0', 'p1', 'p2'] }), network, { id: 'x', author: 'ann', nowMs: 0, bakeMs: 100 });
  it('applies the canary, bakes, then each wave, and completes when gates hold', () => {
    let r = stepRollout(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    expect(r.actions.filter((a) => a.type === 'apply')).toEqual([{ type: 'apply', popId: 'p0' }]);
    r = stepRollout(r.state, { type: 'health', atMs: 50, health: [healthy('p0')] });
    expect(r.actions).toEqual([]);
    r = stepRollout(r.state, { type: 'health', atMs: 100, health: [healthy('p0')] });
    expect(r.actions.filter((x) => x.type !== 'audit')).toEqual([{ type: 'apply', popId: 'p1' }]);
    expect(r.actions.find((x) => x.type === 'audit')).toMatchObject({ action: 'wave', diff: { wave: 1, apply: ['p1'] } });
    r = stepRollout(r.state, { type: 'health', atMs: 200, health: [healthy('p0'), healthy('p1')] });
    r = stepRollout(r.state, { type: 'health', atMs: 300, health: [healthy('p0'), healthy('p1'), healthy('p2')] });
    expect(r.state.phase).toBe('completed');
    expect(expectedInstalled([r.state]).get('p2')).toEqual(new Set(['r1']));
  });
  it('rolls back every PoP reached, newest first, when a gate fails', () => {
    let r = stepRollout(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0, health: [healthy('p0', [], 3)] });
    r = stepRollout(r.state, { type: 'health', atMs: 100, health: [healthy('p0', ['r1'], 3)] }); // old crashes don't count
    expect(r.state.phase).toBe('running');
    r = stepRollout(r.state, { type: 'health', atMs: 150, health: [healthy('p0', ['r1'], 3), healthy('p1', [], 0, false)] });
    expect(r.state.phase).toBe('rolled-back');
    expect(r.actions.filter((a) => a.type === 'revert').map((a) => (a as { popId: string }).popId)).toEqual(['p1', 'p0']);
    expect(r.state.gateFailures.map((g) => g.gate)).toContain('router-up');
    expect(expectedInstalled([r.state]).size).toBe(0);
  });
  it('fails a gate when a router does not confirm the rule', () => {
    const r0 = stepRollout(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    const r = stepRollout(r0.state, { type: 'health', atMs: 10, health: [healthy('p0', [])] });
    expect(r.state.gateFailures[0]?.gate).toBe('rules-installed');
  });
  it('pauses the bake clock and resumes it', () => {
    let r = stepRollout(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    r = stepRollout(r.state, { type: 'pause', by: 'ann', atMs: 40 });
    expect(stepRollout(r.state, { type: 'health', atMs: 500, health: [healthy('p0')] }).actions).toEqual([]);
    r = stepRollout(r.state, { type: 'resume', by: 'ann', atMs: 1000 });
    expect(r.state.bakeUntilMs).toBe(1060);
    expect(stepRollout(r.state, { type: 'resume', by: 'ann', atMs: 1000 }).error?.code).toBe('rollout_invalid_transition');
  });
  it('kill switch reverts every PoP of every live rollout of the kind', () => {
    let r = stepRollout(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    r = stepRollout(r.state, { type: 'health', atMs: 100, health: [healthy('p0')] });
    const k = killSwitch([r.state], 'flowspec', 'oncall', 120, 'bad day');
    expect(k[0]!.result.actions.filter((a) => a.type === 'revert')).toHaveLength(2);
    expect(killSwitch([r.state], 'waf-regex', 'oncall', 120, 'x')).toEqual([]);
  });
});
