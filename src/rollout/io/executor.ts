// The rollout executor (I/O shell): drives the pure reducer against an EnforcementTarget and
// the store. Every event is persisted together with the state it leads to BEFORE the actions
// run (write-ahead); on restart, recover() reconciles every PoP with what the store says.
import type { Clock } from '../../lib/clock.js';
import type { Artifact, EnforcementTarget, PopHealth } from '../../fleet/enforcement.js';
import type { MitigationRule } from '../../rules/model.js';
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
  /** Serialises every read-step-write of this executor (HTTP requests and the tick loop interleave). */
  private queue: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

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

  create(plan: RolloutPlan): Promise<RolloutState> {
    return this.exclusive(() => this.createNow(plan));
  }

  private async createNow(plan: RolloutPlan): Promise<RolloutState> {
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
  dispatch(id: string, event: RolloutEvent): Promise<RolloutState> {
    return this.exclusive(() => this.dispatchNow(id, event));
  }

  private async dispatchNow(id: string, event: RolloutEvent): Promise<RolloutState> {
    const state = await this.get(id);
    const withHealth = event.type === 'start' ? { ...event, health: await this.healthOf(state.plan.scopePops) } : event;
    const r = stepRollout(state, withHealth);
    if (r.error) throw new RolloutError(r.error.code, r.error.message);
    await this.store.recordRollout(r.state, withHealth, state);
    await this.perform(r.state.plan, r.actions);
    this.notify('rollout', r.state);
    return r.state;
  }

  /**
   * Advance every running rollout (sample health at the PoPs it reached, step, move to the next
   * wave when its bake has elapsed) and check the gates of paused ones. Time comes from the
   * clock: with a ManualClock, `clock.advance(ms)` then `tick()` drives bake timers by hand.
   */
  tick(): Promise<RolloutState[]> {
    return this.exclusive(() => this.tickNow());
  }

  private async tickNow(): Promise<RolloutState[]> {
    const running = await this.store.listRollouts({ phases: ['running', 'paused'], limit: Number.POSITIVE_INFINITY });
    const out: RolloutState[] = [];
    for (const s of running) {
      const health = await this.healthOf(s.reached.filter((p) => !s.reverted.includes(p)));
      const r = stepRollout(s, { type: 'health', atMs: this.clock.nowMs(), health });
      if (r.actions.length === 0 && r.state.phase === s.phase) continue; // nothing happened: no event to log
      await this.store.recordRollout(r.state, { type: 'health', atMs: this.clock.nowMs(), health }, s);
      await this.perform(r.state.plan, r.actions);
      this.notify('rollout', r.state);
      out.push(r.state);
    }
    return out;
  }

  /**
   * Withdraw every change of a kind everywhere: each live rollout of the kind is rolled back at
   * every PoP it reached, each not yet started is aborted. Returns the rolled-back rollout ids.
   */
  killSwitch(kind: Artifact['kind'], by: string, reason: string): Promise<string[]> {
    return this.exclusive(() => this.killSwitchNow(kind, by, reason));
  }

  private async killSwitchNow(kind: Artifact['kind'], by: string, reason: string): Promise<string[]> {
    const all = await this.store.listRollouts({ phases: ['awaiting-approval', 'planned', 'running', 'paused', 'completed', 'aborted'], limit: Number.POSITIVE_INFINITY });
    const steps = killSwitch(all, kind, by, this.clock.nowMs(), reason);
    // Log every step first, so a crash halfway leaves the store saying "reverted" everywhere and recover() finishes the job.
    for (const { event, result } of steps) await this.store.recordRollout(result.state, event, all.find((x) => x.plan.id === result.state.plan.id));
    const errors: unknown[] = [];
    const failures: string[] = [];
    await Promise.all(
      steps.map(async ({ result }) => {
        try {
          await this.perform(result.state.plan, result.actions);
        } catch (e) {
          errors.push(e);
          failures.push(`${result.state.plan.id}: ${(e as Error).message}`);
        }
        this.notify('rollout', result.state);
      }),
    );
    const rolledBack = steps.filter((st) => st.event.type === 'rollback').map((st) => st.id);
    const aborted = steps.filter((st) => st.event.type === 'abort').map((st) => st.id);
    await this.audit(by, 'killswitch', kind, reason, { rolledBack, aborted, ...(failures.length ? { failures } : {}) });
    // Logged but not fully enforced: the first failure goes to the caller; recover() finishes the job.
    if (errors.length > 0) throw errors[0];
    return rolledBack;
  }

  /**
   * After a restart: make every PoP hold exactly the Flowspec rules the store says it should
   * (`expectedInstalled`). Per PoP, rules it lacks are announced again and rules of our rollouts
   * it should not hold are withdrawn, in one artifact. Rules no rollout knows are left alone.
   * Running rollouts then resume on the next tick (their bake deadlines are in the store).
   */
  recover(): Promise<Array<{ popId: string; add: string[]; withdraw: string[] }>> {
    return this.exclusive(() => this.recoverNow());
  }

  private async recoverNow(): Promise<Array<{ popId: string; add: string[]; withdraw: string[] }>> {
    const all = await this.store.listRollouts({ limit: Number.POSITIVE_INFINITY });
    const flowspec = all.filter((s) => s.plan.artifact.kind === 'flowspec').sort((a, b) => a.plan.createdMs - b.plan.createdMs);
    const expected = expectedInstalled(flowspec);
    const ruleById = new Map<string, MitigationRule>();
    const known = new Set<string>();
    for (const s of flowspec) {
      if (s.plan.artifact.kind !== 'flowspec') continue;
      for (const r of s.plan.artifact.add) {
        ruleById.set(r.id, r); // the newest rollout's version of a rule wins
        known.add(r.id);
      }
      for (const id of s.plan.artifact.withdraw) known.add(id);
    }
    const corrections: Array<{ popId: string; add: string[]; withdraw: string[] }> = [];
    const unreachable: string[] = [];
    const pops = new Set(flowspec.flatMap((s) => s.plan.scopePops));
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
      const add = [...want].filter((id) => !installed.has(id)).sort();
      const withdraw = [...installed].filter((id) => known.has(id) && !want.has(id)).sort();
      if (add.length === 0 && withdraw.length === 0) continue;
      await this.target.apply(popId, { kind: 'flowspec', add: add.map((id) => ruleById.get(id)!), withdraw });
      corrections.push({ popId, add, withdraw });
    }
    const others = all.filter((s) => s.plan.artifact.kind !== 'flowspec' && !TERMINAL_PHASES.includes(s.phase)).map((s) => s.plan.id);
    if (corrections.length > 0) await this.audit('failsmall', 'recover', 'fleet', `reconciled ${corrections.length} PoP(s) with the store after restart`, corrections);
    if (unreachable.length > 0) await this.audit('failsmall', 'recover-skipped', 'fleet', `${unreachable.length} PoP(s) could not be reconciled`, unreachable);
    if (others.length > 0) await this.audit('failsmall', 'recover-unverified', 'fleet', `${others.length} live WAF/data-file rollout(s) resume without a read-back of what the PoPs hold`, others);
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
          await this.audit(a.actor, a.action, plan.id, a.reason, a.diff);
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
