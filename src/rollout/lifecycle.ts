// The rollout state machine as a pure reducer: step(state, event) -> { state, actions }.
// The executor (io/executor.ts) persists each event before acting and performs the actions;
// replaying the event log rebuilds the state exactly.
import type { PopHealth } from '../fleet/enforcement.js';
import { type GateFailure, evaluateGates } from './gates.js';
import type { RolloutPlan } from './plan.js';

export type RolloutPhase = 'awaiting-approval' | 'planned' | 'running' | 'paused' | 'completed' | 'rolled-back' | 'aborted';
export const TERMINAL_PHASES: readonly RolloutPhase[] = ['completed', 'rolled-back', 'aborted'];

export interface RolloutState {
  readonly plan: RolloutPlan;
  readonly phase: RolloutPhase;
  readonly approvedBy?: string;
  /** Index of the wave being baked (or last applied); -1 before start. */
  readonly waveIndex: number;
  readonly waveStartedMs?: number;
  readonly bakeUntilMs?: number;
  readonly pausedRemainingMs?: number;
  /** PoPs the change has been applied to, in order. */
  readonly reached: readonly string[];
  readonly reverted: readonly string[];
  /** Each router's crash count when the change reached its PoP. */
  readonly baselineCrashes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly lastCrashes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly gateFailures: readonly GateFailure[];
  readonly rollbackReason?: string;
  readonly updatedMs: number;
  readonly endedMs?: number;
}

export type RolloutEvent =
  | { readonly type: 'approve'; readonly by: string; readonly atMs: number }
  | { readonly type: 'start'; readonly by: string; readonly atMs: number; readonly health?: readonly PopHealth[] }
  | { readonly type: 'health'; readonly atMs: number; readonly health: readonly PopHealth[] }
  | { readonly type: 'pause'; readonly by: string; readonly atMs: number; readonly reason?: string }
  | { readonly type: 'resume'; readonly by: string; readonly atMs: number }
  | { readonly type: 'abort'; readonly by: string; readonly atMs: number; readonly reason?: string }
  | { readonly type: 'rollback'; readonly by: string; readonly atMs: number; readonly reason: string };

export type RolloutAction =
  | { readonly type: 'apply'; readonly popId: string }
  | { readonly type: 'revert'; readonly popId: string }
  /** `diff`: what the step changed (PoPs reached or reverted, gate failures), for the audit log. */
  | { readonly type: 'audit'; readonly actor: string; readonly action: string; readonly reason: string; readonly diff?: unknown };

export interface StepResult {
  readonly state: RolloutState;
  readonly actions: readonly RolloutAction[];
  /** Set when the event is not allowed in this state; the state is unchanged. */
  readonly error?: { readonly code: 'rollout_invalid_transition' | 'rollout_self_approval'; readonly message: string };
}

export function initialRolloutState(plan: RolloutPlan): RolloutState {
  return {
    plan,
    phase: plan.wide ? 'awaiting-approval' : 'planned',
    waveIndex: -1,
    reached: [],
    reverted: [],
    baselineCrashes: {},
    lastCrashes: {},
    gateFailures: [],
    updatedMs: plan.createdMs,
  };
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

function applyWave(s: RolloutState, index: number, atMs: number): StepResult {
  const pops = s.plan.waves[index] ?? [];
  const baselineCrashes = { ...s.baselineCrashes };
  for (const p of pops) baselineCrashes[p] = s.lastCrashes[p] ?? {};
  return {
    state: { ...s, phase: 'running', waveIndex: index, waveStartedMs: atMs, bakeUntilMs: atMs + s.plan.bakeMs, reached: [...s.reached, ...pops], baselineCrashes, updatedMs: atMs },
    actions: pops.map((popId) => ({ type: 'apply' as const, popId })),
  };
}

function rollBack(s: RolloutState, atMs: number, reason: string, failures: readonly GateFailure[], actor: string): StepResult {
  const toRevert = s.reached.filter((p) => !s.reverted.includes(p)).reverse();
  return {
    state: { ...s, phase: 'rolled-back', reverted: [...s.reverted, ...toRevert], gateFailures: [...s.gateFailures, ...failures], rollbackReason: reason, updatedMs: atMs, endedMs: atMs },
    actions: [...toRevert.map((popId) => ({ type: 'revert' as const, popId })), { type: 'audit', actor, action: 'rollback', reason, diff: { revert: toRevert, gateFailures: failures } }],
  };
}

export function stepRollout(state: RolloutState, event: RolloutEvent): StepResult {
  const s = withCrashes(state, 'health' in event ? event.health : undefined);
  switch (event.type) {
    case 'approve':
      if (s.phase !== 'awaiting-approval') return invalid(state, event);
      if (event.by === s.plan.author) {
        return { state, actions: [], error: { code: 'rollout_self_approval', message: `${event.by} wrote this change and cannot approve it; a wide-scope rollout needs a second person` } };
      }
      return { state: { ...s, phase: 'planned', approvedBy: event.by, updatedMs: event.atMs }, actions: [{ type: 'audit', actor: event.by, action: 'approve', reason: s.plan.title, diff: { phase: ['awaiting-approval', 'planned'], author: s.plan.author, scope: s.plan.scopePops } }] };
    case 'start': {
      if (s.phase !== 'planned') return invalid(state, event);
      const r = applyWave(s, 0, event.atMs);
      return { state: r.state, actions: [{ type: 'audit', actor: event.by, action: 'start', reason: s.plan.reason || s.plan.title, diff: { scope: s.plan.scopePops, apply: s.plan.waves[0] ?? [] } }, ...r.actions] };
    }
    case 'health': {
      // A pause stops the waves, not the gates: a paused rollout still rolls back on a failure.
      if (s.phase !== 'running' && s.phase !== 'paused') return { state: s, actions: [] };
      const active = new Set(s.reached.filter((p) => !s.reverted.includes(p)));
      const failures = event.health.filter((h) => active.has(h.popId)).flatMap((h) => evaluateGates(s.plan.gates, h, s.plan.artifact, s.baselineCrashes[h.popId]));
      if (failures.length > 0) {
        return rollBack(s, event.atMs, `health gate failed: ${failures[0]!.message}${failures.length > 1 ? ` (+${failures.length - 1} more)` : ''}`, failures, 'failsmall');
      }
      if (s.phase === 'paused') return { state: s, actions: [] };
      if (s.bakeUntilMs !== undefined && event.atMs >= s.bakeUntilMs) {
        if (s.waveIndex + 1 >= s.plan.waves.length) {
          return { state: { ...s, phase: 'completed', updatedMs: event.atMs, endedMs: event.atMs }, actions: [{ type: 'audit', actor: 'failsmall', action: 'complete', reason: `all ${s.plan.waves.length} waves passed their gates`, diff: { reached: s.reached } }] };
        }
        const next = applyWave(s, s.waveIndex + 1, event.atMs);
        const pops = s.plan.waves[s.waveIndex + 1] ?? [];
        return { state: next.state, actions: [...next.actions, { type: 'audit', actor: 'failsmall', action: 'wave', reason: `wave ${s.waveIndex} baked ${s.plan.bakeMs} ms with gates passing`, diff: { wave: s.waveIndex + 1, apply: pops } }] };
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
      if (!['awaiting-approval', 'planned', 'running', 'paused'].includes(s.phase)) return invalid(state, event);
      return { state: { ...s, phase: 'aborted', updatedMs: event.atMs, endedMs: event.atMs }, actions: [{ type: 'audit', actor: event.by, action: 'abort', reason: event.reason ?? '', diff: { phase: [s.phase, 'aborted'], stillApplied: s.reached.filter((p) => !s.reverted.includes(p)) } }] };
    case 'rollback':
      if (!['running', 'paused', 'completed', 'aborted'].includes(s.phase)) return invalid(state, event);
      return rollBack(s, event.atMs, event.reason, [], event.by);
  }
}

/** One rollout's part in a kill switch: the event to log (write-ahead) and what it leads to. */
export interface KillSwitchStep {
  readonly id: string;
  readonly event: RolloutEvent;
  readonly result: StepResult;
}

/**
 * Kill switch: every live rollout of the kind that reached a PoP is rolled back (revert actions
 * for each PoP it holds, newest first); every one of the kind not yet started is aborted so it
 * cannot ship after the switch. Rollouts of other kinds are untouched.
 */
export function killSwitch(states: readonly RolloutState[], kind: RolloutState['plan']['artifact']['kind'], by: string, atMs: number, reason: string): KillSwitchStep[] {
  const out: KillSwitchStep[] = [];
  for (const s of states) {
    if (s.plan.artifact.kind !== kind) continue;
    let event: RolloutEvent | undefined;
    if (s.reached.some((p) => !s.reverted.includes(p))) event = { type: 'rollback', by, atMs, reason: `kill switch: ${reason}` };
    else if (s.phase === 'planned' || s.phase === 'awaiting-approval') event = { type: 'abort', by, atMs, reason: `kill switch: ${reason}` };
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

/** What the store says each PoP should have installed, from the rollouts' states. */
export function expectedInstalled(states: readonly RolloutState[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  // Oldest first: a later rollout's withdraw removes what an earlier one added, not the reverse.
  const ordered = [...states].sort((a, b) => a.plan.createdMs - b.plan.createdMs);
  for (const s of ordered) {
    if (s.plan.artifact.kind !== 'flowspec') continue;
    for (const pop of s.reached) {
      if (s.reverted.includes(pop)) continue;
      const set = out.get(pop) ?? new Set<string>();
      for (const r of s.plan.artifact.add) set.add(r.id);
      for (const id of s.plan.artifact.withdraw) set.delete(id);
      out.set(pop, set);
    }
  }
  return out;
}
