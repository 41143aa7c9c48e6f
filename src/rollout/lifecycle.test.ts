import { describe, expect, it } from 'vitest';
import type { Artifact, PopHealth } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import type { MitigationRule } from '../rules/model.js';
import { type RolloutEvent, type RolloutState, confirmActions, expectedInstalled, expectedRuleAt, initialRolloutState, killSwitch, ruleHolders, stepRollout } from './lifecycle.js';
import { planRollout } from './plan.js';

const network: NetworkDescription = {
  name: 't',
  ownedPrefixes: ['192.0.2.0/24'],
  mtuBytes: 1500,
  pops: Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, region: i < 5 ? 'eu' : 'na', anycastPrefixes: [], capacityBps: (i + 1) * 1e9, routers: [{ id: `p${i}-r1`, vendor: 'juniper' as const, model: 'MX480', osVersion: '21.4R3' }] })),
};
const rule = (scope: MitigationRule['scope'], id = 'r1', dst = '192.0.2.1/32'): MitigationRule => ({ id, family: 'ipv4', match: { destination: dst }, action: { kind: 'discard' }, scope, provenance: {} });
const art = (scope: MitigationRule['scope']): Artifact => ({ kind: 'flowspec', add: [rule(scope)], withdraw: [] });
const healthy = (popId: string, installed: string[] = ['r1'], crashes = 0, up = true): PopHealth => ({
  popId,
  atMs: 0,
  httpErrorRate: 0,
  trafficFailing: 0,
  routers: [{ routerId: `${popId}-r1`, up, cpu: 0.2, memory: 0.4, bgpEstablished: up, installedRuleIds: up ? installed : [], crashes }],
});
/** Step and confirm the step's enforcement (a target that never fails). */
function settle(s: RolloutState, e: RolloutEvent): { state: RolloutState; actions: ReturnType<typeof stepRollout>['actions'] } {
  const r = stepRollout(s, e);
  if (r.error) throw new Error(r.error.message);
  return { state: confirmActions(r.state, r.actions, e.atMs), actions: r.actions };
}

describe('stepRollout', () => {
  const plan = planRollout(art({ kind: 'pops', pops: ['p0', 'p1', 'p2'] }), network, { id: 'x', author: 'ann', nowMs: 0, bakeMs: 100 });
  it('applies the canary, bakes, then each wave, and completes when gates hold', () => {
    let r = settle(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    expect(r.actions.filter((a) => a.type === 'apply')).toEqual([{ type: 'apply', popId: 'p0', wave: 0 }]);
    r = settle(r.state, { type: 'health', atMs: 50, health: [healthy('p0')] });
    expect(r.actions).toEqual([]);
    r = settle(r.state, { type: 'health', atMs: 100, health: [healthy('p0')] });
    expect(r.actions.filter((x) => x.type !== 'audit')).toEqual([{ type: 'apply', popId: 'p1', wave: 1 }]);
    expect(r.actions.find((x) => x.type === 'audit')).toMatchObject({ action: 'wave', diff: { wave: 1, apply: ['p1'] } });
    r = settle(r.state, { type: 'health', atMs: 200, health: [healthy('p0'), healthy('p1')] });
    r = settle(r.state, { type: 'health', atMs: 300, health: [healthy('p0'), healthy('p1'), healthy('p2')] });
    expect(r.state.phase).toBe('completed');
    expect(expectedInstalled([r.state]).get('p2')).toEqual(new Set(['r1']));
  });
  it('rolls back every PoP reached, newest first, when a gate fails; rolled back once every revert is confirmed', () => {
    let r = settle(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0, health: [healthy('p0', [], 3)] });
    r = settle(r.state, { type: 'health', atMs: 100, health: [healthy('p0', ['r1'], 3)] }); // old crashes don't count
    expect(r.state.phase).toBe('running');
    const failed = stepRollout(r.state, { type: 'health', atMs: 150, health: [healthy('p0', ['r1'], 3), healthy('p1', [], 0, false)] });
    expect(failed.state.phase).toBe('rolling-back');
    expect(failed.actions.filter((a) => a.type === 'revert').map((a) => (a as { popId: string }).popId)).toEqual(['p1', 'p0']);
    expect(failed.state.gateFailures.map((g) => g.gate)).toContain('router-up');
    expect(expectedInstalled([failed.state]).size).toBe(0); // the store's intent: nothing installed
    const half = stepRollout(failed.state, { type: 'reverted', atMs: 151, popIds: ['p1'] });
    expect(half.state.phase).toBe('rolling-back');
    const done = stepRollout(half.state, { type: 'reverted', atMs: 152, popIds: ['p0'] });
    expect(done.state.phase).toBe('rolled-back');
    expect(done.state.endedMs).toBe(152);
  });
  it('fails a gate when a router does not confirm the rule', () => {
    const r0 = settle(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    const r = stepRollout(r0.state, { type: 'health', atMs: 10, health: [healthy('p0', [])] });
    expect(r.state.gateFailures[0]?.gate).toBe('rules-installed');
  });
  it('rolls back when the target refuses an apply', () => {
    const r0 = stepRollout(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    const r = stepRollout(r0.state, { type: 'applied', atMs: 1, popIds: [], failed: [{ popId: 'p0', error: 'commit failed' }] });
    expect(r.state.phase).toBe('rolling-back');
    expect(r.state.gateFailures).toEqual([{ popId: 'p0', gate: 'applied', message: 'the change could not be applied at p0: commit failed' }]);
    expect(r.actions.filter((a) => a.type === 'revert')).toEqual([{ type: 'revert', popId: 'p0', wave: 0 }]);
  });
  it('pauses the bake clock and resumes it', () => {
    let r = settle(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    r = settle(r.state, { type: 'pause', by: 'ann', atMs: 40 });
    expect(stepRollout(r.state, { type: 'health', atMs: 500, health: [healthy('p0')] }).actions).toEqual([]);
    r = settle(r.state, { type: 'resume', by: 'ann', atMs: 1000 });
    expect(r.state.bakeUntilMs).toBe(1060);
    expect(stepRollout(r.state, { type: 'resume', by: 'ann', atMs: 1000 }).error?.code).toBe('rollout_invalid_transition');
  });
  it('records who, what and why for every decision', () => {
    const wide = planRollout(art({ kind: 'global' }), network, { id: 'w', author: 'ann', nowMs: 0, reason: 'dns flood', bakeMs: 100 });
    const steps: Array<[RolloutEvent, string, string]> = [
      [{ type: 'approve', by: 'bob', atMs: 1 }, 'bob', 'approve'],
      [{ type: 'start', by: 'ann', atMs: 2 }, 'ann', 'start'],
      [{ type: 'pause', by: 'carol', atMs: 3, reason: 'looking' }, 'carol', 'pause'],
      [{ type: 'resume', by: 'carol', atMs: 4 }, 'carol', 'resume'],
      [{ type: 'rollback', by: 'dave', atMs: 5, reason: 'wrong target' }, 'dave', 'rollback'],
    ];
    let s = initialRolloutState(wide);
    for (const [e, actor, action] of steps) {
      const r = settle(s, e);
      expect(r.actions.filter((a) => a.type === 'audit')).toEqual([expect.objectContaining({ actor, action, diff: expect.anything() })]);
      s = r.state;
    }
    expect(s.phase).toBe('rolled-back');
  });
  it('kill switch reverts every PoP of every live rollout of the kind', () => {
    let r = settle(initialRolloutState(plan), { type: 'start', by: 'ann', atMs: 0 });
    r = settle(r.state, { type: 'health', atMs: 100, health: [healthy('p0')] });
    const k = killSwitch([r.state], 'flowspec', 'oncall', 120, 'bad day');
    expect(k[0]!.result.actions.filter((a) => a.type === 'revert')).toHaveLength(2);
    expect(killSwitch([r.state], 'waf-regex', 'oncall', 120, 'x')).toEqual([]);
  });
});

describe('expectedInstalled', () => {
  const run = (id: string, artifact: Artifact, createdMs: number, holders?: Map<string, string[]>): RolloutState => {
    const p = planRollout(artifact, network, { id, author: 'ann', nowMs: createdMs, bakeMs: 1, waveShares: [1], ...(holders ? { holders } : {}) });
    let s = settle(initialRolloutState(p), { type: 'start', by: 'ann', atMs: createdMs }).state;
    s = settle(s, { type: 'health', atMs: createdMs + 1, health: p.scopePops.map((x) => healthy(x, artifact.kind === 'flowspec' ? artifact.add.map((r) => r.id) : [])) }).state;
    return s;
  };
  it('applies rollouts oldest first: a later withdraw removes, a rollback of it restores', () => {
    const a = run('a', { kind: 'flowspec', add: [rule({ kind: 'pops', pops: ['p0', 'p1'] }, 'r1')], withdraw: [] }, 1);
    expect(ruleHolders([a]).get('r1')).toEqual(['p0', 'p1']);
    const c = run('c', { kind: 'flowspec', add: [], withdraw: ['r1'] }, 5, ruleHolders([a]));
    expect(c.plan.scopePops).toEqual(['p0', 'p1']);
    expect(a.phase).toBe('running');
    expect(expectedInstalled([c, a]).get('p0')).toEqual(new Set());
    expect(ruleHolders([a]).get('r1')).toEqual(['p0', 'p1']);
    const cBack = settle(c, { type: 'rollback', by: 'ann', atMs: 9, reason: 'x' }).state;
    expect(expectedInstalled([cBack, a]).get('p0')).toEqual(new Set(['r1']));
    expect(expectedRuleAt([cBack, a], 'p0', 'r1')?.match.destination).toBe('192.0.2.1/32');
  });
  it('takes the newest definition of a rule id two rollouts share', () => {
    const a = run('a', { kind: 'flowspec', add: [rule({ kind: 'pops', pops: ['p0'] }, 'r1', '192.0.2.1/32')], withdraw: [] }, 1);
    const b = run('b', { kind: 'flowspec', add: [rule({ kind: 'pops', pops: ['p0'] }, 'r1', '192.0.2.2/32')], withdraw: [] }, 2);
    expect(expectedRuleAt([b, a], 'p0', 'r1')?.match.destination).toBe('192.0.2.2/32');
    const bBack = settle(b, { type: 'rollback', by: 'ann', atMs: 9, reason: 'x' }).state;
    expect(expectedRuleAt([bBack, a], 'p0', 'r1')?.match.destination).toBe('192.0.2.1/32');
  });
});
