// The rollout state machine as a pure reducer: step(state, event) -> { state, actions }.
// The executor (io/executor.ts) persists each event before acting and performs the actions;
// replaying the event log rebuilds the state exactly.
//
// Decisions (start, next wave, rollback) and their confirmations are separate events: a
// decision records the PoPs the change must reach or leave (`pendingApply` / `pendingRevert`),
// the driver performs them and reports `applied` / `reverted` (with any failures). A rollback
// is `rolling-back` until every reached PoP has confirmed the revert, then `rolled-back`.
import { unreachable } from '../lib/assert.js';
import type { PopHealth } from '../fleet/enforcement.js';
import type { MitigationRule } from '../rules/model.js';
import { type GateFailure, evaluateGates } from './gates.js';
import type { RolloutPlan } from './plan.js';

export type RolloutPhase = 'awaiting-approval' | 'planned' | 'running' | 'paused' | 'rolling-back' | 'completed' | 'rolled-back' | 'aborted';
export const TERMINAL_PHASES: readonly RolloutPhase[] = ['completed', 'rolled-back', 'aborted'];
/** Phases in which the change may still reach more PoPs or is being withdrawn. */
export const LIVE_PHASES: readonly RolloutPhase[] = ['running', 'paused', 'rolling-back'];

export interface RolloutState {
  readonly plan: RolloutPlan;
  readonly phase: RolloutPhase;
  readonly approvedBy?: string;
  /** Index of the wave being baked (or last applied); -1 before start. */
  readonly waveIndex: number;
  readonly waveStartedMs?: number;
  readonly bakeUntilMs?: number;
  readonly pausedRemainingMs?: number;
  /** PoPs the change has been sent to, in order (decided; see pendingApply for confirmation). */
  readonly reached: readonly string[];
  /** PoPs the change has been withdrawn from (decided; see pendingRevert for confirmation). */
  readonly reverted: readonly string[];
  /** Applies decided but not yet confirmed by the enforcement target (absent in old rows = none). */
  readonly pendingApply?: readonly string[];
  /** Reverts decided but not yet confirmed; a rollout is `rolling-back` while this is non-empty. */
  readonly pendingRevert?: readonly string[];
  /** Last enforcement failure (a revert the target refused or could not be reached for). */
  readonly lastError?: string;
  /** Each router's crash count when the change reached its PoP. */
  readonly baselineCrashes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly lastCrashes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly gateFailures: readonly GateFailure[];
  readonly rollbackReason?: string;
  readonly updatedMs: number;
  readonly endedMs?: number;
}

/** One PoP where the enforcement target refused or could not carry out an action. */
export interface EnforcementFailure {
  readonly popId: string;
  readonly error: string;
}

export type RolloutEvent =
  | { readonly type: 'approve'; readonly by: string; readonly atMs: number }
  | { readonly type: 'start'; readonly by: string; readonly atMs: number; readonly health?: readonly PopHealth[] }
  /** A health sample of the PoPs the change holds: gates are checked; the next wave goes out once the bake has elapsed. */
  | { readonly type: 'health'; readonly atMs: number; readonly health: readonly PopHealth[] }
  | { readonly type: 'pause'; readonly by: string; readonly atMs: number; readonly reason?: string }
  | { readonly type: 'resume'; readonly by: string; readonly atMs: number }
  | { readonly type: 'abort'; readonly by: string; readonly atMs: number; readonly reason?: string }
  | { readonly type: 'rollback'; readonly by: string; readonly atMs: number; readonly reason: string }
  /** The target confirmed the applies at `popIds`; `failed` ones trigger a rollback. */
  | { readonly type: 'applied'; readonly atMs: number; readonly popIds: readonly string[]; readonly failed?: readonly EnforcementFailure[] }
  /** The target confirmed the reverts at `popIds`; `failed` ones stay pending and are retried. */
  | { readonly type: 'reverted'; readonly atMs: number; readonly popIds: readonly string[]; readonly failed?: readonly EnforcementFailure[] }
  /** After a control-plane restart: the pending actions at these PoPs were reconciled with what the PoPs hold. */
  | { readonly type: 'recovered'; readonly atMs: number; readonly applied: readonly string[]; readonly reverted: readonly string[]; readonly unverified?: readonly string[] };

export type RolloutAction =
  /** `wave`: the plan wave the PoP belongs to (actions of one wave may run in parallel). */
  | { readonly type: 'apply'; readonly popId: string; readonly wave?: number }
  | { readonly type: 'revert'; readonly popId: string; readonly wave?: number }
  /** `diff`: what the step changed (PoPs reached or reverted, gate failures), for the audit log. */
  | { readonly type: 'audit'; readonly actor: string; readonly action: string; readonly reason: string; readonly diff?: unknown };

export type RolloutErrorCode = 'rollout_invalid_transition' | 'rollout_self_approval';

export interface StepResult {
  readonly state: RolloutState;
  readonly actions: readonly RolloutAction[];
  /** Set when the event is not allowed in this state; the state is unchanged. */
  readonly error?: { readonly code: RolloutErrorCode; readonly message: string };
}

/** The actor the engine records for decisions nobody typed (gates, bake timers, recovery). */
export const SYSTEM_ACTOR = 'failsmall';

export function initialRolloutState(plan: RolloutPlan): RolloutState {
  return {
    plan,
    phase: plan.wide ? 'awaiting-approval' : 'planned',
    waveIndex: -1,
    reached: [],
    reverted: [],
    pendingApply: [],
    pendingRevert: [],
    baselineCrashes: {},
    lastCrashes: {},
    gateFailures: [],
    updatedMs: plan.createdMs,
  };
}

/** PoPs the change is (decided to be) installed at: reached and not reverted. */
export function activePops(s: RolloutState): string[] {
  const reverted = new Set(s.reverted);
  return s.reached.filter((p) => !reverted.has(p));
}

const invalid = (s: RolloutState, e: RolloutEvent): StepResult => ({
  state: s,
  actions: [],
  error: { code: 'rollout_invalid_transition', message: `cannot ${e.type} a rollout that is ${s.phase}` },
});

function withCrashes(s: RolloutState, health: readonly PopHealth[] | undefined): RolloutState {
  if (!health || health.length === 0) return s;
  const lastCrashes = { ...s.lastCrashes };
  for (const h of health) lastCrashes[h.popId] = Object.fromEntries(h.routers.map((r) => [r.routerId, r.crashes]));
  return { ...s, lastCrashes };
}

function waveOf(plan: RolloutPlan, popId: string): number {
  return plan.waves.findIndex((w) => w.includes(popId));
}

function applyWave(s: RolloutState, index: number, atMs: number): StepResult {
  const pops = s.plan.waves[index] ?? [];
  const baselineCrashes = { ...s.baselineCrashes };
  for (const p of pops) baselineCrashes[p] = s.lastCrashes[p] ?? {};
  return {
    state: {
      ...s,
      phase: 'running',
      waveIndex: index,
      waveStartedMs: atMs,
      bakeUntilMs: atMs + s.plan.bakeMs,
      reached: [...s.reached, ...pops],
      pendingApply: [...(s.pendingApply ?? []), ...pops],
      baselineCrashes,
      updatedMs: atMs,
    },
    actions: pops.map((popId) => ({ type: 'apply' as const, popId, wave: index })),
  };
}

/** Decide to withdraw the change from every PoP it reached, newest first. */
function rollBack(s: RolloutState, atMs: number, reason: string, failures: readonly GateFailure[], actor: string): StepResult {
  const toRevert = activePops(s).reverse();
  const pendingRevert = [...(s.pendingRevert ?? []), ...toRevert];
  const done = pendingRevert.length === 0;
  return {
    state: {
      ...s,
      phase: done ? 'rolled-back' : 'rolling-back',
      reverted: [...s.reverted, ...toRevert],
      pendingApply: [],
      pendingRevert,
      gateFailures: [...s.gateFailures, ...failures],
      rollbackReason: reason,
      updatedMs: atMs,
      ...(done ? { endedMs: atMs } : {}),
    },
    actions: [
      { type: 'audit', actor, action: 'rollback', reason, diff: { phase: [s.phase, done ? 'rolled-back' : 'rolling-back'], revert: toRevert, ...(failures.length > 0 ? { gateFailures: failures } : {}) } },
      ...toRevert.map((popId) => ({ type: 'revert' as const, popId, wave: waveOf(s.plan, popId) })),
    ],
  };
}

/** Confirmed reverts leave pendingRevert; the last one ends the rollback. */
function confirmReverts(s: RolloutState, popIds: readonly string[], atMs: number): RolloutState {
  const confirmed = new Set(popIds);
  const pendingRevert = (s.pendingRevert ?? []).filter((p) => !confirmed.has(p));
  const finished = s.phase === 'rolling-back' && pendingRevert.length === 0;
  return { ...s, pendingRevert, ...(finished ? { phase: 'rolled-back', endedMs: atMs, lastError: undefined } : {}), updatedMs: atMs };
}

function confirmApplies(s: RolloutState, popIds: readonly string[], atMs: number): RolloutState {
  const confirmed = new Set(popIds);
  return { ...s, pendingApply: (s.pendingApply ?? []).filter((p) => !confirmed.has(p)), updatedMs: atMs };
}

function describeFailures(failed: readonly EnforcementFailure[]): string {
  return `${failed[0]!.popId}: ${failed[0]!.error}${failed.length > 1 ? ` (+${failed.length - 1} more)` : ''}`;
}

export function stepRollout(state: RolloutState, event: RolloutEvent): StepResult {
  const s = withCrashes(state, 'health' in event ? event.health : undefined);
  switch (event.type) {
    case 'approve':
      if (s.phase !== 'awaiting-approval') return invalid(state, event);
      if (event.by === s.plan.author) {
        return { state, actions: [], error: { code: 'rollout_self_approval', message: `${event.by} wrote this change and cannot approve it; a wide-scope rollout needs a second person` } };
      }
      return {
        state: { ...s, phase: 'planned', approvedBy: event.by, updatedMs: event.atMs },
        actions: [{ type: 'audit', actor: event.by, action: 'approve', reason: s.plan.title, diff: { phase: ['awaiting-approval', 'planned'], author: s.plan.author, scope: s.plan.scopePops } }],
      };
    case 'start': {
      if (s.phase !== 'planned') return invalid(state, event);
      const r = applyWave(s, 0, event.atMs);
      return { state: r.state, actions: [{ type: 'audit', actor: event.by, action: 'start', reason: s.plan.reason || s.plan.title, diff: { phase: ['planned', 'running'], scope: s.plan.scopePops, apply: s.plan.waves[0] ?? [] } }, ...r.actions] };
    }
    case 'health': {
      // A pause stops the waves, not the gates: a paused rollout still rolls back on a failure.
      if (s.phase !== 'running' && s.phase !== 'paused') return { state: s, actions: [] };
      const active = new Set(activePops(s));
      const failures = event.health.filter((h) => active.has(h.popId)).flatMap((h) => evaluateGates(s.plan.gates, h, s.plan.artifact, s.baselineCrashes[h.popId]));
      if (failures.length > 0) {
        return rollBack(s, event.atMs, `health gate failed: ${failures[0]!.message}${failures.length > 1 ? ` (+${failures.length - 1} more)` : ''}`, failures, SYSTEM_ACTOR);
      }
      if (s.phase === 'paused') return { state: s, actions: [] };
      // The bake counts only once every PoP of the wave has confirmed the change.
      const baked = s.bakeUntilMs !== undefined && event.atMs >= s.bakeUntilMs && (s.pendingApply ?? []).length === 0;
      if (baked) {
        if (s.waveIndex + 1 >= s.plan.waves.length) {
          return {
            state: { ...s, phase: 'completed', updatedMs: event.atMs, endedMs: event.atMs },
            actions: [{ type: 'audit', actor: SYSTEM_ACTOR, action: 'complete', reason: `all ${s.plan.waves.length} waves passed their gates`, diff: { phase: ['running', 'completed'], reached: s.reached } }],
          };
        }
        const next = applyWave(s, s.waveIndex + 1, event.atMs);
        const pops = s.plan.waves[s.waveIndex + 1] ?? [];
        return { state: next.state, actions: [{ type: 'audit', actor: SYSTEM_ACTOR, action: 'wave', reason: `wave ${s.waveIndex} baked ${s.plan.bakeMs} ms with gates passing`, diff: { wave: s.waveIndex + 1, apply: pops } }, ...next.actions] };
      }
      return { state: { ...s, updatedMs: event.atMs }, actions: [] };
    }
    case 'pause':
      if (s.phase !== 'running') return invalid(state, event);
      return {
        state: { ...s, phase: 'paused', pausedRemainingMs: Math.max(0, (s.bakeUntilMs ?? event.atMs) - event.atMs), updatedMs: event.atMs },
        actions: [{ type: 'audit', actor: event.by, action: 'pause', reason: event.reason ?? '', diff: { phase: ['running', 'paused'], wave: s.waveIndex } }],
      };
    case 'resume':
      if (s.phase !== 'paused') return invalid(state, event);
      return {
        state: { ...s, phase: 'running', bakeUntilMs: event.atMs + (s.pausedRemainingMs ?? 0), pausedRemainingMs: undefined, updatedMs: event.atMs },
        actions: [{ type: 'audit', actor: event.by, action: 'resume', reason: '', diff: { phase: ['paused', 'running'], wave: s.waveIndex } }],
      };
    case 'abort':
      // Abort stops the waves and leaves the reached PoPs as they are; `rollback` withdraws them.
      if (!['awaiting-approval', 'planned', 'running', 'paused'].includes(s.phase)) return invalid(state, event);
      return {
        state: { ...s, phase: 'aborted', updatedMs: event.atMs, endedMs: event.atMs },
        actions: [{ type: 'audit', actor: event.by, action: 'abort', reason: event.reason ?? '', diff: { phase: [s.phase, 'aborted'], stillApplied: activePops(s) } }],
      };
    case 'rollback':
      if (!['running', 'paused', 'completed', 'aborted'].includes(s.phase)) return invalid(state, event);
      return rollBack(s, event.atMs, event.reason, [], event.by);
    case 'applied': {
      // Confirmations are facts about the fleet: they are accepted in every phase.
      const confirmed = confirmApplies(s, event.popIds, event.atMs);
      const failed = event.failed ?? [];
      if (failed.length === 0) return { state: confirmed, actions: [] };
      const gateFailures: GateFailure[] = failed.map((f) => ({ popId: f.popId, gate: 'applied', message: `the change could not be applied at ${f.popId}: ${f.error}` }));
      if (confirmed.phase === 'running' || confirmed.phase === 'paused') {
        return rollBack(confirmed, event.atMs, `apply failed at ${describeFailures(failed)}`, gateFailures, SYSTEM_ACTOR);
      }
      return { state: { ...confirmed, gateFailures: [...confirmed.gateFailures, ...gateFailures] }, actions: [] };
    }
    case 'reverted': {
      const confirmed = confirmReverts(s, event.popIds, event.atMs);
      const failed = event.failed ?? [];
      if (failed.length === 0) return { state: confirmed, actions: [] };
      return {
        state: { ...confirmed, lastError: `revert failed at ${describeFailures(failed)}` },
        actions: [{ type: 'audit', actor: SYSTEM_ACTOR, action: 'revert-failed', reason: `revert failed at ${describeFailures(failed)}; retried on the next tick`, diff: { failed } }],
      };
    }
    case 'recovered': {
      const r = confirmReverts(confirmApplies(s, event.applied, event.atMs), event.reverted, event.atMs);
      return {
        state: r,
        actions: [{ type: 'audit', actor: SYSTEM_ACTOR, action: 'recover', reason: 'reconciled after a control-plane restart', diff: { applied: event.applied, reverted: event.reverted, ...(event.unverified?.length ? { unverified: event.unverified } : {}), phase: [s.phase, r.phase] } }],
      };
    }
    default:
      return unreachable(event, 'rollout event');
  }
}

/** Enforcement the store says is still owed: retries after a failure or a restart. */
export function pendingActions(s: RolloutState): RolloutAction[] {
  return [
    ...(s.pendingApply ?? []).map((popId) => ({ type: 'apply' as const, popId, wave: waveOf(s.plan, popId) })),
    ...(s.pendingRevert ?? []).map((popId) => ({ type: 'revert' as const, popId, wave: waveOf(s.plan, popId) })),
  ];
}

/**
 * For a driver that performs actions synchronously and cannot fail (the scenario runner over
 * the simulator): confirm every apply/revert in `actions` and return the settled state.
 */
export function confirmActions(state: RolloutState, actions: readonly RolloutAction[], atMs: number): RolloutState {
  let s = state;
  const applied = actions.filter((a) => a.type === 'apply').map((a) => (a as { popId: string }).popId);
  const reverted = actions.filter((a) => a.type === 'revert').map((a) => (a as { popId: string }).popId);
  if (applied.length > 0) s = stepRollout(s, { type: 'applied', atMs, popIds: applied }).state;
  if (reverted.length > 0) s = stepRollout(s, { type: 'reverted', atMs, popIds: reverted }).state;
  return s;
}

/** One rollout's part in a kill switch: the event to log (write-ahead) and what it leads to. */
export interface KillSwitchStep {
  readonly id: string;
  /** Absent for a rollout already rolling back: its outstanding reverts are repeated. */
  readonly event?: RolloutEvent;
  readonly result: StepResult;
}

/**
 * Kill switch: every rollout of the kind that holds a PoP is rolled back (revert actions for
 * each PoP it holds, newest first); one already rolling back repeats its outstanding reverts;
 * every one of the kind not yet started is aborted so it cannot ship after the switch.
 * Rollouts of other kinds are untouched.
 */
export function killSwitch(states: readonly RolloutState[], kind: RolloutState['plan']['artifact']['kind'], by: string, atMs: number, reason: string): KillSwitchStep[] {
  const out: KillSwitchStep[] = [];
  for (const s of states) {
    if (s.plan.artifact.kind !== kind) continue;
    if (s.phase === 'rolling-back') {
      out.push({ id: s.plan.id, result: { state: s, actions: pendingActions(s).filter((a) => a.type === 'revert') } });
      continue;
    }
    let event: RolloutEvent | undefined;
    if (activePops(s).length > 0) event = { type: 'rollback', by, atMs, reason: `kill switch: ${reason}` };
    else if (s.phase === 'planned' || s.phase === 'awaiting-approval' || s.phase === 'running' || s.phase === 'paused') event = { type: 'abort', by, atMs, reason: `kill switch: ${reason}` };
    if (!event) continue;
    const result = stepRollout(s, event);
    if (!result.error) out.push({ id: s.plan.id, event, result });
  }
  return out;
}

/** Rebuild a rollout's state from its plan and its event log (the store's `created` marker is skipped). */
export function replayRollout(plan: RolloutPlan, events: ReadonlyArray<RolloutEvent | { readonly type: 'created'; readonly atMs: number }>): StepResult {
  let state = initialRolloutState(plan);
  for (const e of events) {
    if (e.type === 'created') continue;
    const r = stepRollout(state, e);
    if (r.error) return r;
    state = r.state;
  }
  return { state, actions: [] };
}

/**
 * What the store says each PoP should hold: Flowspec rule id -> definition, from the rollouts'
 * states. A PoP holds a rollout's rules from the moment it is decided to reach it until the
 * moment it is decided to leave it. Rollouts apply oldest first: a later rollout's withdraw
 * removes what an earlier one added, and of two versions of one rule id the newer wins.
 */
export function expectedRules(states: readonly RolloutState[]): Map<string, Map<string, MitigationRule>> {
  const out = new Map<string, Map<string, MitigationRule>>();
  for (const s of byAge(states)) {
    if (s.plan.artifact.kind !== 'flowspec') continue;
    for (const pop of activePops(s)) {
      const rules = out.get(pop) ?? new Map<string, MitigationRule>();
      for (const id of s.plan.artifact.withdraw) rules.delete(id);
      for (const r of s.plan.artifact.add) rules.set(r.id, r);
      out.set(pop, rules);
    }
  }
  return out;
}

/** What the store says each PoP should have installed: Flowspec rule ids (see expectedRules). */
export function expectedInstalled(states: readonly RolloutState[]): Map<string, Set<string>> {
  return new Map([...expectedRules(states)].map(([pop, rules]) => [pop, new Set(rules.keys())]));
}

/** Which PoPs hold each Flowspec rule id according to the store (to scope a withdraw). */
export function ruleHolders(states: readonly RolloutState[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [pop, ids] of expectedInstalled(states)) {
    for (const id of ids) out.set(id, [...(out.get(id) ?? []), pop]);
  }
  return out;
}

/** The definition of a Flowspec rule id the store says a PoP should hold (see expectedRules). */
export function expectedRuleAt(states: readonly RolloutState[], popId: string, ruleId: string): MitigationRule | undefined {
  return expectedRules(states).get(popId)?.get(ruleId);
}

function byAge(states: readonly RolloutState[]): RolloutState[] {
  return [...states].sort((a, b) => a.plan.createdMs - b.plan.createdMs || a.plan.id.localeCompare(b.plan.id));
}
