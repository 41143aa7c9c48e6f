// The rollout executor (I/O shell): drives the pure reducer against an EnforcementTarget and
// the store. Every event is persisted together with the state it leads to BEFORE the actions
// run (write-ahead); on restart, recover() reconciles every PoP with what the store says.
import type { Clock } from '../../lib/clock.js';
import type { Artifact, EnforcementTarget, PopHealth } from '../../fleet/enforcement.js';
import type { FailsmallStore } from '../../store/index.js';
import { type RolloutAction, type RolloutEvent, type RolloutState, TERMINAL_PHASES, expectedInstalled, initialRolloutState, killSwitch, stepRollout } from '../lifecycle.js';
import type { RolloutPlan } from '../plan.js';

export class RolloutError extends Error {
  override name = 'RolloutError';
  constructor(
    readonly code: 'rollout_not_found' | 'rollout_invalid_transition' | 'rollout_self_approval',
    message: string,
  ) {
    super(message);
  }
}

export interface ExecutorListener {
  (kind: 'rollout' | 'audit', data: unknown): void;
}

export class RolloutExecutor {
  private readonly listeners = new Set<ExecutorListener>();

  constructor(
    private readonly store: FailsmallStore,
    private readonly target: EnforcementTarget,
    private readonly clock: Clock,
  ) {}

  onChange(l: ExecutorListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private notify(kind: 'rollout' | 'audit', data: unknown): void {
    for (const l of this.listeners) l(kind, data);
  }

  async create(plan: RolloutPlan): Promise<RolloutState> {
    const state = initialRolloutState(plan);
    await this.store.recordRollout(state, { type: 'created', atMs: this.clock.nowMs() });
    await this.audit(plan.author, 'plan', plan.id, plan.reason || plan.title, { scope: plan.scopePops, waves: plan.waves, wide: plan.wide });
    this.notify('rollout', state);
    return state;
  }

  async get(id: string): Promise<RolloutState> {
    const s = await this.store.getRollout(id);
    if (!s) throw new RolloutError('rollout_not_found', `no rollout ${id}`);
    return s;
  }

  /** Apply one event: persist it with the new state, then perform the actions. */
  async dispatch(id: string, event: RolloutEvent): Promise<RolloutState> {
    const state = await this.get(id);
    const withHealth = event.type === 'start' ? { ...event, health: await this.healthOf(state.plan.scopePops) } : event;
    const r = stepRollout(state, withHealth);
    if (r.error) throw new RolloutError(r.error.code, r.error.message);
    await this.store.recordRollout(r.state, withHealth);
    await this.perform(r.state.plan, r.actions);
    this.notify('rollout', r.state);
    return r.state;
  }

  /** Advance every running rollout: sample health at the PoPs it reached and step. */
  async tick(): Promise<RolloutState[]> {
    const running = await this.store.listRollouts({ phases: ['running'] });
    const out: RolloutState[] = [];
    for (const s of running) {
      const health = await this.healthOf(s.reached.filter((p) => !s.reverted.includes(p)));
      const r = stepRollout(s, { type: 'health', atMs: this.clock.nowMs(), health });
      if (r.actions.length === 0 && r.state.phase === s.phase) continue; // nothing happened: no event to log
      await this.store.recordRollout(r.state, { type: 'health', atMs: this.clock.nowMs(), health });
      await this.perform(r.state.plan, r.actions);
      this.notify('rollout', r.state);
      out.push(r.state);
    }
    return out;
  }

  async killSwitch(kind: Artifact['kind'], by: string, reason: string): Promise<string[]> {
    const live = await this.store.listRollouts();
    const results = killSwitch(live, kind, by, this.clock.nowMs(), reason);
    for (const { result } of results) {
      await this.store.recordRollout(result.state, { type: 'rollback', by, atMs: this.clock.nowMs(), reason: `kill switch: ${reason}` });
      await this.perform(result.state.plan, result.actions);
      this.notify('rollout', result.state);
    }
    await this.audit(by, 'killswitch', kind, reason, { rollouts: results.map((r) => r.id) });
    return results.map((r) => r.id);
  }

  /**
   * After a restart: make every PoP hold exactly what the store says. Rules a rollout reached and
   * did not revert are (re)applied; rules of our rollouts found at a PoP the store says they
   * should not be at are reverted. Returns the corrections made.
   */
  async recover(): Promise<Array<{ popId: string; rollout: string; action: 'apply' | 'revert' }>> {
    const all = await this.store.listRollouts({ limit: 10_000 });
    const expected = expectedInstalled(all);
    const corrections: Array<{ popId: string; rollout: string; action: 'apply' | 'revert' }> = [];
    const pops = new Set(all.flatMap((s) => s.plan.scopePops));
    const unreachable: string[] = [];
    for (const popId of pops) {
      let installedIds: readonly string[];
      try {
        installedIds = await this.target.installed(popId);
      } catch (e) {
        // A PoP the fleet no longer has (decommissioned) or cannot reach must not stop the rest.
        unreachable.push(`${popId}: ${(e as Error).message}`);
        continue;
      }
      const installed = new Set(installedIds);
      const want = expected.get(popId) ?? new Set<string>();
      for (const s of all) {
        if (s.plan.artifact.kind !== 'flowspec' || !s.plan.scopePops.includes(popId)) continue;
        const ids = s.plan.artifact.add.map((r) => r.id);
        const shouldHave = s.reached.includes(popId) && !s.reverted.includes(popId);
        if (shouldHave && ids.some((id) => !installed.has(id))) {
          await this.target.apply(popId, s.plan.artifact);
          corrections.push({ popId, rollout: s.plan.id, action: 'apply' });
        } else if (!shouldHave && ids.some((id) => installed.has(id) && !want.has(id))) {
          await this.target.revert(popId, s.plan.artifact);
          corrections.push({ popId, rollout: s.plan.id, action: 'revert' });
        }
      }
    }
    if (corrections.length > 0) await this.audit('failsmall', 'recover', 'fleet', `reconciled ${corrections.length} PoP/rollout pair(s) with the store after restart`, corrections);
    if (unreachable.length > 0) await this.audit('failsmall', 'recover-skipped', 'fleet', `${unreachable.length} PoP(s) could not be reconciled`, unreachable);
    for (const s of all) if (!TERMINAL_PHASES.includes(s.phase)) this.notify('rollout', s);
    return corrections;
  }

  /** Health of each PoP; one that cannot be read counts as failing (nobody can vouch for it). */
  private async healthOf(pops: readonly string[]): Promise<PopHealth[]> {
    return Promise.all(
      pops.map((p) =>
        this.target.health(p).catch((): PopHealth => ({ popId: p, atMs: this.clock.nowMs(), routers: [], httpErrorRate: 0, trafficFailing: 1 })),
      ),
    );
  }

  private async perform(plan: RolloutPlan, actions: readonly RolloutAction[]): Promise<void> {
    for (const a of actions) {
      switch (a.type) {
        case 'apply':
          await this.target.apply(a.popId, plan.artifact);
          break;
        case 'revert':
          await this.target.revert(a.popId, plan.artifact);
          break;
        case 'audit':
          await this.audit(a.actor, a.action, plan.id, a.reason, a.action === 'start' ? { scope: plan.scopePops } : undefined);
          break;
      }
    }
  }

  private async audit(actor: string, action: string, target: string, reason: string, diff?: unknown): Promise<void> {
    const entry = { atMs: this.clock.nowMs(), actor, action, target, reason, diff: diff ?? null };
    await this.store.appendAudit(entry);
    this.notify('audit', entry);
  }

  /** Approve, start, pause, resume, abort and roll back on behalf of a person. */
  approve(id: string, by: string): Promise<RolloutState> {
    return this.dispatch(id, { type: 'approve', by, atMs: this.clock.nowMs() });
  }
  start(id: string, by: string): Promise<RolloutState> {
    return this.dispatch(id, { type: 'start', by, atMs: this.clock.nowMs() });
  }
  pause(id: string, by: string, reason?: string): Promise<RolloutState> {
    return this.dispatch(id, { type: 'pause', by, atMs: this.clock.nowMs(), ...(reason ? { reason } : {}) });
  }
  resume(id: string, by: string): Promise<RolloutState> {
    return this.dispatch(id, { type: 'resume', by, atMs: this.clock.nowMs() });
  }
  abort(id: string, by: string, reason?: string): Promise<RolloutState> {
    return this.dispatch(id, { type: 'abort', by, atMs: this.clock.nowMs(), ...(reason ? { reason } : {}) });
  }
  rollback(id: string, by: string, reason: string): Promise<RolloutState> {
    return this.dispatch(id, { type: 'rollback', by, atMs: this.clock.nowMs(), reason });
  }
}
