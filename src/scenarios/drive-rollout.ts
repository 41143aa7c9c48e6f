// Runs a rollout plan against the simulator with the pure reducer, in simulated time: the
// same plan/gates/reducer the executor uses, without a store. Deterministic.
import type { FleetSimulation } from '../fleet/simulator/index.js';
import { type RolloutAction, type RolloutState, confirmActions, initialRolloutState, stepRollout } from '../rollout/index.js';
import type { RolloutPlan } from '../rollout/index.js';

export interface DriveOptions {
  readonly startMs: number;
  readonly tickMs?: number;
  readonly maxMs?: number;
  /** Who approves a wide-scope plan (must differ from the author). */
  readonly approver?: string;
}

export interface DriveResult {
  readonly state: RolloutState;
  readonly timeline: Array<{ atMs: number; what: string }>;
  /** First gate failure, relative to start. */
  readonly detectionMs?: number;
  /** All reached PoPs reverted, relative to start. */
  readonly rollbackMs?: number;
}

export function driveRollout(sim: FleetSimulation, plan: RolloutPlan, o: DriveOptions): DriveResult {
  const tick = o.tickMs ?? 10_000;
  const timeline: Array<{ atMs: number; what: string }> = [];
  let state = initialRolloutState(plan);
  const perform = (actions: readonly RolloutAction[], atMs: number): void => {
    for (const a of actions) {
      if (a.type === 'apply') sim.apply(a.popId, plan.artifact);
      else if (a.type === 'revert') sim.revert(a.popId, plan.artifact);
      timeline.push({ atMs, what: a.type === 'audit' ? `${a.action} by ${a.actor}: ${a.reason}` : `${a.type} ${a.popId}` });
    }
  };
  let t = o.startMs;
  sim.advance(t);
  if (state.phase === 'awaiting-approval') {
    const r = stepRollout(state, { type: 'approve', by: o.approver ?? 'second-approver', atMs: t });
    if (r.error) throw new Error(r.error.message);
    state = r.state;
    perform(r.actions, t);
  }
  const health = (): ReturnType<FleetSimulation['popHealth']>[] => plan.scopePops.map((p) => sim.popHealth(p));
  let r = stepRollout(state, { type: 'start', by: plan.author, atMs: t, health: health() });
  perform(r.actions, t);
  state = confirmActions(r.state, r.actions, t); // the simulator applies synchronously and never refuses
  let detectionMs: number | undefined;
  let rollbackMs: number | undefined;
  const end = o.startMs + (o.maxMs ?? 2 * 3600_000);
  while (state.phase === 'running' && t < end) {
    t += tick;
    sim.advance(t);
    r = stepRollout(state, { type: 'health', atMs: t, health: health() });
    if ((r.state.phase === 'rolling-back' || r.state.phase === 'rolled-back') && state.phase === 'running') {
      detectionMs = t - o.startMs;
      rollbackMs = t - o.startMs;
    }
    perform(r.actions, t);
    state = confirmActions(r.state, r.actions, t);
  }
  return { state, timeline, ...(detectionMs !== undefined ? { detectionMs } : {}), ...(rollbackMs !== undefined ? { rollbackMs } : {}) };
}
