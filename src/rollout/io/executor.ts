// The rollout executor (I/O shell): drives the pure reducer against an EnforcementTarget and
// the store. Every event is persisted together with the state it leads to and its audit
// entries BEFORE the actions run (write-ahead); the outcome of the actions is recorded as a
// confirmation event (`applied` / `reverted`). On restart, recover() reconciles every PoP with
// what the store says and confirms what was left pending.
import type { Clock } from '../../lib/clock.js';
import type { Artifact, EnforcementTarget, PopHealth } from '../../fleet/enforcement.js';
import type { NetworkDescription } from '../../fleet/network.js';
import type { MitigationRule } from '../../rules/model.js';
import { type AuditInput, type FailsmallStore, type RolloutWrite, StoreError } from '../../store/index.js';
import {
  type EnforcementFailure,
  LIVE_PHASES,
  type RolloutAction,
  type RolloutErrorCode,
  type RolloutEvent,
  type RolloutState,
  SYSTEM_ACTOR,
  type StepResult,
  TERMINAL_PHASES,
  activePops,
  expectedRules,
  initialRolloutState,
  killSwitch,
  pendingActions,
  ruleHolders,
  stepRollout,
} from '../lifecycle.js';
import { type PlanOptions, type RolloutPlan, planRollout } from '../plan.js';

export class RolloutError extends Error {
  override name = 'RolloutError';
  constructor(
    readonly code: 'rollout_not_found' | RolloutErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ExecutorListener {
  (kind: 'rollout' | 'audit', data: unknown): void;
}

export interface ExecutorOptions {
  /** Enforcement calls in flight at once (PoPs of one wave, or every PoP in a kill switch). Default 32. */
  readonly concurrency?: number;
}

/** What recover() changed at one PoP to make it hold what the store says. */
export interface RecoveryCorrection {
  readonly popId: string;
  readonly add: string[];
  readonly withdraw: string[];
}

interface Outcome {
  readonly applied: string[];
  readonly applyFailed: EnforcementFailure[];
  readonly reverted: string[];
  readonly revertFailed: EnforcementFailure[];
}

const RETRIES_ON_STALE = 3;

export class RolloutExecutor {
  private readonly listeners = new Set<ExecutorListener>();
  /** Serialises every read-step-write of this executor (HTTP requests and the tick loop interleave). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly concurrency: number;

  constructor(
    private readonly store: FailsmallStore,
    private readonly target: EnforcementTarget,
    private readonly clock: Clock,
    opts: ExecutorOptions = {},
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? 32);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  onChange(l: ExecutorListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private notify(kind: 'rollout' | 'audit', data: unknown): void {
    for (const l of this.listeners) l(kind, data);
  }

  // --- services -------------------------------------------------------------------------------

  /**
   * Plan a change against what the store says is installed: a withdraw goes only to the PoPs
   * that hold the rule. Pure planning otherwise (nothing is stored; see create()).
   */
  async planChange(artifact: Artifact, network: NetworkDescription, opts: Omit<PlanOptions, 'holders'>): Promise<RolloutPlan> {
    const holders = artifact.kind === 'flowspec' && artifact.withdraw.length > 0 ? ruleHolders(await this.store.listRollouts({ kind: 'flowspec', limit: Number.POSITIVE_INFINITY })) : undefined;
    return planRollout(artifact, network, { ...opts, ...(holders ? { holders } : {}) });
  }

  /** Store a plan as a rollout (planned, or awaiting approval when wide), with its audit entry. */
  create(plan: RolloutPlan): Promise<RolloutState> {
    return this.exclusive(async () => {
      const state = initialRolloutState(plan);
      const audit: AuditInput = { atMs: this.clock.nowMs(), actor: plan.author, action: 'plan', target: plan.id, reason: plan.reason || plan.title, diff: { scope: plan.scopePops, waves: plan.waves, wide: plan.wide, phase: state.phase } };
      await this.store.recordRollout(state, { type: 'created', atMs: this.clock.nowMs() }, undefined, [audit]);
      this.notify('audit', audit);
      this.notify('rollout', state);
      return state;
    });
  }

  async get(id: string): Promise<RolloutState> {
    const s = await this.store.getRollout(id);
    if (!s) throw new RolloutError('rollout_not_found', `no rollout ${id}`);
    return s;
  }

  /** Newest first. */
  list(opts: { phases?: readonly RolloutState['phase'][]; kind?: Artifact['kind']; limit?: number } = {}): Promise<RolloutState[]> {
    return this.store.listRollouts(opts);
  }

  /** The rollout's event log, oldest first (the source of truth; `replayRollout` rebuilds the state from it). */
  async history(id: string): Promise<Awaited<ReturnType<FailsmallStore['rolloutEvents']>>> {
    await this.get(id);
    return this.store.rolloutEvents(id);
  }

  /** Apply one event: persist it with the new state, then perform the actions and record their outcome. */
  dispatch(id: string, event: RolloutEvent): Promise<RolloutState> {
    return this.exclusive(async () => {
      const state = await this.get(id);
      const withHealth = event.type === 'start' ? { ...event, health: await this.healthOf(state.plan.scopePops) } : event;
      return this.enforce(await this.commit(state, withHealth));
    });
  }

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

  /**
   * Advance every live rollout: retry enforcement still owed (a revert that failed, a Flowspec
   * apply left unconfirmed), sample health at the PoPs it holds, step (gates; the next wave once
   * the bake has elapsed). Paused rollouts are still gated. Time comes from the clock: with a
   * ManualClock, `clock.advance(ms)` then `tick()` drives bake timers by hand. Returns the
   * rollouts that changed.
   */
  tick(): Promise<RolloutState[]> {
    return this.exclusive(async () => {
      const live = await this.store.listRollouts({ phases: LIVE_PHASES, limit: Number.POSITIVE_INFINITY });
      const out: RolloutState[] = [];
      for (const s0 of live) {
        try {
          let s = s0;
          const owed = pendingActions(s).filter((a) => a.type === 'revert' || s.plan.artifact.kind === 'flowspec');
          if (owed.length > 0) s = await this.enforce({ state: s, actions: owed });
          if (s.phase === 'running' || s.phase === 'paused') {
            const health = await this.healthOf(activePops(s));
            const event: RolloutEvent = { type: 'health', atMs: this.clock.nowMs(), health };
            const r = stepRollout(s, event);
            // Nothing happened: no event to log.
            if (!r.error && (r.actions.length > 0 || r.state.phase !== s.phase)) s = await this.enforce(await this.commit(s, event));
          }
          if (s !== s0) out.push(s);
        } catch (e) {
          // Another control-plane node moved this rollout since we read it: it is theirs this tick.
          if (e instanceof StoreError && e.code === 'store_stale_write') continue;
          throw e;
        }
      }
      return out;
    });
  }

  /**
   * Withdraw every change of a kind everywhere, now: each rollout of the kind that holds a PoP
   * is rolled back at every PoP (all in parallel), one already rolling back repeats its
   * outstanding reverts, each not yet started is aborted. The decisions and the audit entry are
   * written in one transaction before any revert. Returns the ids of the rollouts withdrawn;
   * any that could not be withdrawn everywhere stay `rolling-back` (see `lastError`) and are
   * retried by tick().
   */
  killSwitch(kind: Artifact['kind'], by: string, reason: string): Promise<string[]> {
    return this.exclusive(async () => {
      for (let attempt = 1; ; attempt++) {
        const all = await this.store.listRollouts({ kind, limit: Number.POSITIVE_INFINITY });
        const atMs = this.clock.nowMs();
        const steps = killSwitch(all, kind, by, atMs, reason);
        const withdrawn = steps.filter((st) => st.event?.type !== 'abort').map((st) => st.id);
        const aborted = steps.filter((st) => st.event?.type === 'abort').map((st) => st.id);
        const writes: RolloutWrite[] = [];
        for (const st of steps) {
          if (!st.event) continue;
          writes.push({ state: st.result.state, event: st.event, prev: all.find((x) => x.plan.id === st.id)!, audits: this.auditsOf(st.id, atMs, st.result.actions) });
        }
        const audit: AuditInput = { atMs, actor: by, action: 'killswitch', target: kind, reason, diff: { rolledBack: withdrawn, aborted } };
        try {
          await this.store.recordRollouts(writes, [audit]);
        } catch (e) {
          if (e instanceof StoreError && e.code === 'store_stale_write' && attempt < RETRIES_ON_STALE) continue;
          throw e;
        }
        for (const w of writes) for (const a of w.audits ?? []) this.notify('audit', a);
        this.notify('audit', audit);
        // Every revert of every rollout at once: the point of a kill switch is speed.
        const work = steps.flatMap((st) => st.result.actions.filter((a) => a.type === 'revert').map((a) => ({ state: st.result.state, action: a })));
        const outcomes = await this.performAll(work);
        const confirmations: RolloutWrite[] = [];
        for (const st of steps) {
          const o = outcomes.get(st.id);
          if (!o || (o.reverted.length === 0 && o.revertFailed.length === 0)) {
            this.notify('rollout', st.result.state);
            continue;
          }
          const event: RolloutEvent = { type: 'reverted', atMs: this.clock.nowMs(), popIds: o.reverted, ...(o.revertFailed.length ? { failed: o.revertFailed } : {}) };
          const r = stepRollout(st.result.state, event);
          confirmations.push({ state: r.state, event, prev: st.result.state, audits: this.auditsOf(st.id, event.atMs, r.actions) });
        }
        await this.store.recordRollouts(confirmations);
        for (const c of confirmations) {
          for (const a of c.audits ?? []) this.notify('audit', a);
          this.notify('rollout', c.state);
        }
        return withdrawn;
      }
    });
  }

  /**
   * After a restart (or at any time: it is idempotent): make every PoP hold exactly the Flowspec
   * rules the store says it should (`expectedInstalled`). Per PoP, rules it lacks are announced
   * again and rules of our rollouts it should not hold are withdrawn, in one artifact; rules no
   * rollout knows are left alone. WAF and data-file reverts left pending are performed again (the
   * targets cannot read those back). Each rollout with enforcement left pending then gets a
   * `recovered` event confirming it; running rollouts continue on the next tick from the bake
   * deadlines in the store.
   */
  recover(): Promise<RecoveryCorrection[]> {
    return this.exclusive(async () => {
      const all = await this.store.listRollouts({ limit: Number.POSITIVE_INFINITY });
      const flowspec = all.filter((s) => s.plan.artifact.kind === 'flowspec');
      const expected = expectedRules(flowspec);
      const known = new Set<string>();
      for (const s of flowspec) {
        if (s.plan.artifact.kind !== 'flowspec') continue;
        for (const r of s.plan.artifact.add) known.add(r.id);
        for (const id of s.plan.artifact.withdraw) known.add(id);
      }
      const corrections: RecoveryCorrection[] = [];
      const unreachable = new Map<string, string>();
      const pops = [...new Set(flowspec.flatMap((s) => s.plan.scopePops))].sort();
      await runPool(pops, this.concurrency, async (popId) => {
        try {
          const installed = new Set(await this.target.installed(popId));
          const want = expected.get(popId) ?? new Map<string, MitigationRule>();
          const add = [...want.keys()].filter((id) => !installed.has(id)).sort();
          const withdraw = [...installed].filter((id) => known.has(id) && !want.has(id)).sort();
          if (add.length === 0 && withdraw.length === 0) return;
          await this.target.apply(popId, { kind: 'flowspec', add: add.map((id) => want.get(id)!), withdraw });
          corrections.push({ popId, add, withdraw });
        } catch (e) {
          // A PoP the fleet no longer has (decommissioned) or cannot reach must not stop the rest;
          // its rollouts keep their pending actions and tick() retries them.
          unreachable.set(popId, errorText(e));
        }
      });
      corrections.sort((a, b) => a.popId.localeCompare(b.popId));
      const writes: RolloutWrite[] = [];
      const atMs = this.clock.nowMs();
      for (const s of all) {
        const owed = pendingActions(s);
        if (owed.length === 0) continue;
        const applied: string[] = [];
        const reverted: string[] = [];
        const unverified: string[] = [];
        if (s.plan.artifact.kind === 'flowspec') {
          for (const a of owed) if (a.type !== 'audit' && !unreachable.has(a.popId)) (a.type === 'apply' ? applied : reverted).push(a.popId);
        } else {
          // No read-back: an apply may or may not have happened (the gates judge the PoP from
          // here on); a revert is done again, withdrawing being the safe direction.
          for (const a of owed) if (a.type === 'apply') (applied.push(a.popId), unverified.push(a.popId));
          const o = await this.perform(s, owed.filter((a) => a.type === 'revert'));
          reverted.push(...o.reverted);
        }
        if (applied.length === 0 && reverted.length === 0) continue;
        const event: RolloutEvent = { type: 'recovered', atMs, applied, reverted, ...(unverified.length ? { unverified } : {}) };
        const r = stepRollout(s, event);
        writes.push({ state: r.state, event, prev: s, audits: this.auditsOf(s.plan.id, atMs, r.actions) });
      }
      const fleetAudits: AuditInput[] = [];
      if (corrections.length > 0) fleetAudits.push({ atMs, actor: SYSTEM_ACTOR, action: 'recover', target: 'fleet', reason: `reconciled ${corrections.length} PoP(s) with the store after restart`, diff: corrections });
      if (unreachable.size > 0) fleetAudits.push({ atMs, actor: SYSTEM_ACTOR, action: 'recover-skipped', target: 'fleet', reason: `${unreachable.size} PoP(s) could not be reconciled`, diff: [...unreachable].map(([p, e]) => `${p}: ${e}`) });
      if (writes.length > 0 || fleetAudits.length > 0) await this.store.recordRollouts(writes, fleetAudits);
      for (const a of [...writes.flatMap((w) => w.audits ?? []), ...fleetAudits]) this.notify('audit', a);
      const after = new Map(writes.map((w) => [w.state.plan.id, w.state]));
      for (const s of all) if (!TERMINAL_PHASES.includes(s.phase) || after.has(s.plan.id)) this.notify('rollout', after.get(s.plan.id) ?? s);
      return corrections;
    });
  }

  // --- internals ------------------------------------------------------------------------------

  /** Step the reducer and persist the event, the new state and its audit entries in one transaction. */
  private async commit(prev: RolloutState, event: RolloutEvent): Promise<StepResult> {
    const r = stepRollout(prev, event);
    if (r.error) throw new RolloutError(r.error.code, r.error.message);
    const audits = this.auditsOf(prev.plan.id, event.atMs, r.actions);
    await this.store.recordRollout(r.state, event, prev, audits);
    for (const a of audits) this.notify('audit', a);
    this.notify('rollout', r.state);
    return r;
  }

  /**
   * Perform a step's applies and reverts, then record their outcome; a failed apply rolls the
   * rollout back, whose reverts are performed in turn. Returns the settled state.
   */
  private async enforce(result: StepResult): Promise<RolloutState> {
    let r = result;
    // At most: the step's own actions, then the rollback a failed apply causes.
    for (let round = 0; round < 3; round++) {
      const work = r.actions.filter((a) => a.type !== 'audit');
      if (work.length === 0) break;
      const o = await this.perform(r.state, work);
      let s = r.state;
      const next: RolloutAction[] = [];
      if (o.applied.length > 0 || o.applyFailed.length > 0) {
        const c = await this.commit(s, { type: 'applied', atMs: this.clock.nowMs(), popIds: o.applied, ...(o.applyFailed.length ? { failed: o.applyFailed } : {}) });
        s = c.state;
        next.push(...c.actions);
      }
      if (o.reverted.length > 0 || o.revertFailed.length > 0) {
        const c = await this.commit(s, { type: 'reverted', atMs: this.clock.nowMs(), popIds: o.reverted, ...(o.revertFailed.length ? { failed: o.revertFailed } : {}) });
        s = c.state;
        next.push(...c.actions);
      }
      r = { state: s, actions: next };
    }
    return r.state;
  }

  /** Run apply/revert actions of one rollout: consecutive actions of one kind and wave in parallel, groups in order. */
  private async perform(state: RolloutState, actions: readonly RolloutAction[]): Promise<Outcome> {
    const groups: RolloutAction[][] = [];
    for (const a of actions) {
      if (a.type === 'audit') continue;
      const last = groups.at(-1)?.[0];
      if (last && last.type !== 'audit' && last.type === a.type && last.wave === a.wave) groups.at(-1)!.push(a);
      else groups.push([a]);
    }
    const outcome: Outcome = { applied: [], applyFailed: [], reverted: [], revertFailed: [] };
    const fleet = actions.some((a) => a.type === 'revert') && state.plan.artifact.kind === 'flowspec' ? await this.store.listRollouts({ kind: 'flowspec', limit: Number.POSITIVE_INFINITY }) : [];
    for (const g of groups) {
      const r = await this.performAll(g.map((action) => ({ state, action })), fleet);
      const o = r.get(state.plan.id);
      if (!o) continue;
      outcome.applied.push(...o.applied);
      outcome.applyFailed.push(...o.applyFailed);
      outcome.reverted.push(...o.reverted);
      outcome.revertFailed.push(...o.revertFailed);
    }
    return outcome;
  }

  /** Run actions (of any rollouts) in parallel, bounded; failures are collected, not thrown. */
  private async performAll(work: ReadonlyArray<{ state: RolloutState; action: RolloutAction }>, fleet?: readonly RolloutState[]): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>();
    const of = (id: string): Outcome => {
      let o = out.get(id);
      if (!o) out.set(id, (o = { applied: [], applyFailed: [], reverted: [], revertFailed: [] }));
      return o;
    };
    const needsFleet = work.some((w) => w.action.type === 'revert' && w.state.plan.artifact.kind === 'flowspec');
    // What the store expects at each PoP once these decisions hold (the states in `work` are the newest).
    let expected = new Map<string, Map<string, MitigationRule>>();
    if (needsFleet) {
      const newest = new Map(work.map((w) => [w.state.plan.id, w.state]));
      const states = (fleet ?? (await this.store.listRollouts({ kind: 'flowspec', limit: Number.POSITIVE_INFINITY }))).map((s) => newest.get(s.plan.id) ?? s);
      for (const s of newest.values()) if (!states.some((x) => x.plan.id === s.plan.id)) states.push(s);
      expected = expectedRules(states);
    }
    await runPool(work, this.concurrency, async ({ state, action }) => {
      if (action.type === 'audit') return;
      const o = of(state.plan.id);
      try {
        if (action.type === 'apply') {
          await this.target.apply(action.popId, state.plan.artifact);
          o.applied.push(action.popId);
        } else {
          await this.revertAt(state, action.popId, expected);
          o.reverted.push(action.popId);
        }
      } catch (e) {
        (action.type === 'apply' ? o.applyFailed : o.revertFailed).push({ popId: action.popId, error: errorText(e) });
      }
    });
    return out;
  }

  /**
   * Withdraw a rollout's change at a PoP. For Flowspec the PoP then gets back whatever the store
   * still expects there among the rules the change touched: a rule it withdrew that an older
   * rollout holds, or a rule id another live rollout also announces.
   */
  private async revertAt(state: RolloutState, popId: string, expected: ReadonlyMap<string, ReadonlyMap<string, MitigationRule>>): Promise<void> {
    await this.target.revert(popId, state.plan.artifact);
    const a = state.plan.artifact;
    if (a.kind !== 'flowspec') return;
    const want = expected.get(popId);
    const touched = new Set([...a.add.map((r) => r.id), ...a.withdraw]);
    const restore = [...touched].sort().flatMap((id) => {
      const r = want?.get(id);
      return r ? [r] : [];
    });
    if (restore.length > 0) await this.target.apply(popId, { kind: 'flowspec', add: restore, withdraw: [] });
  }

  private auditsOf(rolloutId: string, atMs: number, actions: readonly RolloutAction[]): AuditInput[] {
    const out: AuditInput[] = [];
    for (const a of actions) if (a.type === 'audit') out.push({ atMs, actor: a.actor, action: a.action, target: rolloutId, reason: a.reason, diff: a.diff ?? null });
    return out;
  }

  /** Health of each PoP; one that cannot be read counts as failing (nobody can vouch for it). */
  private async healthOf(pops: readonly string[]): Promise<PopHealth[]> {
    return Promise.all(pops.map((p) => this.target.health(p).catch((): PopHealth => ({ popId: p, atMs: this.clock.nowMs(), routers: [], httpErrorRate: 0, trafficFailing: 1 }))));
  }
}

/** Run `fn` over `items` with at most `limit` in flight. */
async function runPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
