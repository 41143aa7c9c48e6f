// The control plane's composition of services, shared by `failsmall serve`, `failsmall demo`
// and the HTTP API: store, simulated fleet (EnforcementTarget), rollout executor, detector,
// validation, live events and metrics. Time is a ManualClock advanced by the owner
// (simulated time), so the whole pipeline is replayable.
import { randomBytes } from 'node:crypto';
import { EventBus } from '../api/event-bus.js';
import { AttackDetector, type Attack, type Signature, profileAttack, proposeRule } from '../detect/index.js';
import type { DeviceModel } from '../fleet/device-model.js';
import type { Artifact } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import { FleetSimulation, SimulationTarget } from '../fleet/simulator/index.js';
import { ManualClock } from '../lib/clock.js';
import { type RolloutPlan, type RolloutState, RolloutExecutor, planRollout } from '../rollout/index.js';
import { type Finding, type MitigationRule, renderRules, validateRules } from '../rules/index.js';
import { FailsmallStore, type TokenRole } from '../store/index.js';
import type { FlowRecord } from '../telemetry/flow-record.js';
import { hashToken } from '../api/auth.js';
import { type ControlPlaneMetrics, createMetrics } from './metrics.js';

export interface ControlPlaneOptions {
  /** SQLite file (embedded default) or a postgres:// URL (multi-node). */
  readonly dbPath: string;
  readonly network: NetworkDescription;
  readonly deviceModels: readonly DeviceModel[];
  readonly seed: number;
  readonly startMs: number;
  readonly bakeMs?: number;
}

/** A change failed validation: it never leaves the control plane. */
export class ChangeRejected extends Error {
  override name = 'ChangeRejected';
  constructor(readonly findings: readonly Finding[]) {
    super(`rejected by validation: ${findings.filter((f) => f.severity === 'error').map((f) => f.code).join(', ')}`);
  }
}

export interface AttackRecord {
  /** The attack under its control-plane id (unique in the store, across restarts). */
  attack: Attack;
  /** The detector's id for it in this process (undefined for attacks loaded from the store). */
  detectorId?: string;
  signature?: Signature;
  rule?: MitigationRule;
  findings?: readonly Finding[];
  rolloutId?: string;
}

/** A second demo run while one is under way. */
export class DemoBusy extends Error {
  override name = 'DemoBusy';
  constructor() {
    super('the demo scenario is already running; wait for it to finish');
  }
}

export class ControlPlane {
  readonly clock: ManualClock;
  readonly events: EventBus;
  readonly metrics: ControlPlaneMetrics;
  readonly sim: FleetSimulation;
  readonly target: SimulationTarget;
  readonly executor: RolloutExecutor;
  readonly detector = new AttackDetector();
  readonly attacks = new Map<string, AttackRecord>();
  /** Detector id -> control-plane id. */
  private readonly attackIds = new Map<string, string>();
  /** Attacks already in the store when this process started; new ids continue after them. */
  private attackIdOffset = 0;
  private rolloutSeq = 0;
  /** Serialises advance(): the serve tick timer and a demo run must not interleave. */
  private advancing: Promise<unknown> = Promise.resolve();
  /** Attack writes, in order (detection is synchronous; the store is not). */
  private persisting: Promise<unknown> = Promise.resolve();
  /** Set while the demo pipeline runs (one at a time). */
  demoRunning = false;

  private constructor(
    readonly store: FailsmallStore,
    readonly network: NetworkDescription,
    readonly deviceModels: readonly DeviceModel[],
    private readonly opts: ControlPlaneOptions,
  ) {
    this.clock = new ManualClock(opts.startMs);
    this.events = new EventBus(() => this.clock.nowMs(), 2000);
    this.metrics = createMetrics();
    this.sim = new FleetSimulation(network, deviceModels, { seed: opts.seed, startMs: opts.startMs });
    this.target = new SimulationTarget(this.sim);
    this.executor = new RolloutExecutor(store, this.target, this.clock);
    this.executor.onChange((kind, data) => {
      if (kind === 'rollout') {
        const s = data as RolloutState;
        this.events.publish('rollout', { id: s.plan.id, phase: s.phase, waveIndex: s.waveIndex });
      } else this.events.publish('audit', data);
    });
  }

  static async open(opts: ControlPlaneOptions): Promise<ControlPlane> {
    const store = /^postgres(ql)?:\/\//.test(opts.dbPath) ? await FailsmallStore.openPostgres(opts.dbPath) : await FailsmallStore.openSqlite(opts.dbPath);
    const cp = new ControlPlane(store, opts.network, opts.deviceModels, opts);
    // The simulated fleet starts empty: bring it to what the store says (a restart).
    await cp.executor.recover();
    await cp.loadStoredAttacks();
    await cp.refreshGauges();
    return cp;
  }

  /** Bake time per wave unless a change asks for another. */
  get bakeMs(): number {
    return this.opts.bakeMs ?? 30_000;
  }

  async close(): Promise<void> {
    await this.advancing.catch(() => undefined);
    await this.persisting;
    await this.store.close();
  }

  /** Append to the audit log and tell the dashboard. Every write of the API lands here or in the executor's own audit. */
  async audit(actor: string, action: string, target: string, reason: string, diff: unknown = null): Promise<void> {
    const entry = { atMs: this.clock.nowMs(), actor, action, target, reason, diff };
    await this.store.appendAudit(entry);
    this.events.publish('audit', entry);
  }

  /** Create an API token; only its hash is stored. Returns the token (shown once). */
  async issueToken(subject: string, role: TokenRole): Promise<string> {
    const token = `fs_${randomBytes(18).toString('base64url')}`;
    await this.store.putToken(hashToken(token), subject, role, this.clock.nowMs());
    await this.audit('failsmall', 'token-create', subject, `role ${role}`);
    return token;
  }

  validate(rules: readonly MitigationRule[], approvals?: ReadonlyMap<string, string>): Finding[] {
    const findings = validateRules(rules, { network: this.network, deviceModels: this.deviceModels, nowMs: this.clock.nowMs(), ...(approvals ? { approvals } : {}) });
    this.metrics.validations.inc({ outcome: findings.some((f) => f.severity === 'error') ? 'rejected' : 'accepted' });
    return findings;
  }

  /**
   * Validate and plan a change without storing anything (a dry run): the findings, and the plan
   * when validation accepts it. Throws PlanError when the scope names nothing in the network.
   */
  previewRollout(input: ProposeInput): { findings: Finding[]; plan?: RolloutPlan } {
    const findings = input.artifact.kind === 'flowspec' ? this.validate(input.artifact.add, input.approvals) : [];
    if (findings.some((f) => f.severity === 'error')) return { findings };
    return { findings, plan: this.planFor(input) };
  }

  /** Validate, plan and record a rollout. A wide one waits for an approver other than its author. */
  async proposeRollout(input: ProposeInput): Promise<RolloutState> {
    if (input.artifact.kind === 'flowspec') {
      const findings = this.validate(input.artifact.add, input.approvals);
      if (findings.some((f) => f.severity === 'error')) throw new ChangeRejected(findings);
    }
    const state = await this.executor.create(this.planFor(input));
    await this.refreshGauges();
    return state;
  }

  private planFor(input: ProposeInput): RolloutPlan {
    const id = `ro-${new Date(this.clock.nowMs()).toISOString().slice(0, 10).replace(/-/g, '')}-${++this.rolloutSeq}-${randomBytes(2).toString('hex')}`;
    return planRollout(input.artifact, this.network, { id, author: input.author, reason: input.reason, nowMs: this.clock.nowMs(), bakeMs: input.bakeMs ?? this.bakeMs });
  }

  /** Feed telemetry (in time order); detection events update attacks and publish. */
  ingest(records: Iterable<FlowRecord>): void {
    let n = 0;
    for (const f of records) {
      this.detector.ingest(f);
      n++;
    }
    this.metrics.detectorRecords.inc(n);
    this.handleDetections();
  }

  /**
   * Profile an attack the detector still holds samples for and propose a validated rule for it.
   * `undefined` when there is no such attack (or it was loaded from the store: no samples).
   */
  proposeForAttack(attackId: string, author = 'failsmall-profiler'): AttackRecord | undefined {
    const rec = this.attacks.get(attackId);
    const samples = rec?.detectorId ? this.detector.attackSamples(rec.detectorId) : undefined;
    if (!rec || !samples) return undefined;
    rec.signature = profileAttack(rec.attack, samples, { mtuBytes: this.network.mtuBytes });
    rec.rule = proposeRule(rec.attack, rec.signature, { nowMs: this.clock.nowMs(), author });
    rec.findings = this.validate([rec.rule]);
    this.persistAttack(rec);
    this.events.publish('signature', { attackId, summary: rec.signature.summary });
    this.events.publish('rule', { attackId, ruleId: rec.rule.id, errors: rec.findings.filter((f) => f.severity === 'error').length });
    return rec;
  }

  /** Link an attack to the rollout that mitigates it. */
  linkRollout(attackId: string, rolloutId: string): void {
    const rec = this.attacks.get(attackId);
    if (!rec) return;
    rec.rolloutId = rolloutId;
    this.persistAttack(rec);
  }

  /**
   * Move simulated time: the fleet, the detector windows and every running rollout. Calls are
   * serialised, so a tick timer and a demo run can share one control plane.
   */
  advance(ms: number): Promise<void> {
    const run = this.advancing.then(
      () => this.advanceNow(ms),
      () => this.advanceNow(ms),
    );
    this.advancing = run.catch(() => undefined);
    return run;
  }

  private async advanceNow(ms: number): Promise<void> {
    if (ms > 0) this.clock.advance(ms);
    this.sim.advance(this.clock.nowMs());
    this.detector.advance(this.clock.nowMs());
    this.handleDetections();
    await this.countGateEvaluations();
    const changed = await this.executor.tick();
    for (const s of changed) {
      if (s.phase === 'rolled-back') {
        this.metrics.rollbacks.inc({ cause: s.gateFailures.length > 0 ? 'gate' : 'manual' });
        for (const g of s.gateFailures) this.metrics.gateFailures.inc({ gate: g.gate });
      }
    }
    await this.refreshGauges();
    this.events.publish('pop-health', { atMs: this.clock.nowMs(), failing: this.sim.failingShare() });
  }

  /** The executor's next tick checks every gate of each live rollout at each PoP it holds. */
  private async countGateEvaluations(): Promise<void> {
    const live = await this.store.listRollouts({ phases: ['running', 'paused'], limit: Number.POSITIVE_INFINITY });
    for (const s of live) {
      const pops = s.reached.filter((p) => !s.reverted.includes(p)).length;
      if (pops === 0) continue;
      for (const g of s.plan.gates) this.metrics.gateEvaluations.inc({ gate: g.kind }, pops);
    }
  }

  async killSwitch(kind: Artifact['kind'], by: string, reason: string): Promise<string[]> {
    const ids = await this.executor.killSwitch(kind, by, reason);
    this.metrics.killSwitches.inc({ kind });
    if (ids.length > 0) this.metrics.rollbacks.inc({ cause: 'killswitch' }, ids.length);
    await this.refreshGauges();
    return ids;
  }

  /** The control-plane id of an attack the detector knows by `detectorId`. */
  attackIdOf(detectorId: string): string | undefined {
    return this.attackIds.get(detectorId);
  }

  private handleDetections(): void {
    for (const e of this.detector.drainEvents()) {
      let id = this.attackIds.get(e.attack.id);
      if (!id) {
        // The detector numbers attacks from 1 in each process; keep earlier runs' attacks in the store.
        const n = Number(/(\d+)$/.exec(e.attack.id)?.[1] ?? this.attackIds.size + 1);
        id = `atk-${n + this.attackIdOffset}`;
        this.attackIds.set(e.attack.id, id);
      }
      const attack: Attack = { ...e.attack, id };
      const rec = this.attacks.get(id) ?? { attack, detectorId: e.attack.id };
      rec.attack = attack;
      this.attacks.set(id, rec);
      if (e.kind === 'start') this.metrics.attacksStarted.inc({ type: attack.type });
      if (e.kind !== 'update' || attack.series.length % 4 === 0) this.events.publish('attack', { id, kind: e.kind, type: attack.type, pps: attack.currentPps });
      this.persistAttack(rec);
    }
    this.metrics.attacksActive.set(this.detector.activeAttacks().length);
  }

  /** Attacks are stored with their signature, proposed rule and findings, so a restart keeps them. */
  private persistAttack(rec: AttackRecord): void {
    const { detectorId: _local, ...stored } = rec;
    const atMs = this.clock.nowMs();
    const snapshot = structuredClone(stored);
    this.persisting = this.persisting
      .then(() => this.store.upsertAttack(rec.attack.id, snapshot, atMs))
      .catch((e: unknown) => {
        this.events.publish('alert', { message: `storing attack ${rec.attack.id} failed: ${e instanceof Error ? e.message : String(e)}` });
      });
  }

  private async loadStoredAttacks(): Promise<void> {
    const stored = await this.store.listAttacks<Partial<AttackRecord> & Partial<Attack>>(10_000);
    let maxSeq = 0;
    for (const s of stored.reverse()) {
      // Rows hold an AttackRecord; older rows held the bare Attack.
      const rec: AttackRecord | undefined = s.attack ? (s as AttackRecord) : s.id && s.destination ? { attack: s as Attack } : undefined;
      if (!rec) continue;
      // A process that stopped mid-attack left it active; nobody is watching it any more.
      if (rec.attack.state === 'active') rec.attack = { ...rec.attack, state: 'ended', endMs: rec.attack.lastSeenMs };
      this.attacks.set(rec.attack.id, rec);
      maxSeq = Math.max(maxSeq, Number(/(\d+)$/.exec(rec.attack.id)?.[1] ?? 0));
    }
    this.attackIdOffset = maxSeq;
  }

  private async refreshGauges(): Promise<void> {
    const all = await this.store.listRollouts({ limit: 1000 });
    this.metrics.rollouts.reset();
    for (const s of all) this.metrics.rollouts.inc({ phase: s.phase });
    let established = 0;
    let down = 0;
    for (const p of this.network.pops) {
      const routers = this.sim.popHealth(p.id).routers;
      this.metrics.popUp.set({ pop: p.id }, routers.some((r) => r.up) ? 1 : 0);
      for (const r of routers) if (r.bgpEstablished) established++;
      else down++;
    }
    this.metrics.bgpSessions.set({ state: 'established' }, established);
    this.metrics.bgpSessions.set({ state: 'down' }, down);
    this.metrics.trafficFailing.set(this.sim.failingShare());
  }

  // --- views for the API and dashboard -----------------------------------------------------

  fleetView() {
    return this.network.pops.map((p) => {
      const h = this.sim.popHealth(p.id);
      const up = h.routers.filter((r) => r.up).length;
      const sp = this.sim.pops.get(p.id)!;
      const status = up === 0 ? 'down' : up < h.routers.length || h.httpErrorRate > 0.01 || h.trafficFailing > 0.01 ? 'degraded' : 'ok';
      return {
        id: p.id,
        region: p.region,
        status,
        routersUp: up,
        routers: h.routers.length,
        trafficFailing: h.trafficFailing,
        httpErrorRate: h.httpErrorRate,
        load: sp.capacityBps > 0 ? sp.loadBps / sp.capacityBps : 0,
        installedRules: this.sim.announcedAt(p.id).length,
        ...(p.location ? { location: p.location } : {}),
        routerHealth: h.routers,
      };
    });
  }

  attackViews() {
    return [...this.attacks.values()]
      .sort((a, b) => b.attack.startMs - a.attack.startMs)
      .map((r) => ({
        id: r.attack.id,
        destination: r.attack.destination,
        type: r.attack.type,
        state: r.attack.state,
        startMs: r.attack.startMs,
        detectedMs: r.attack.detectedMs,
        ...(r.attack.endMs !== undefined ? { endMs: r.attack.endMs } : {}),
        peakPps: r.attack.peakPps,
        peakBps: r.attack.peakBps,
        pops: r.attack.pops,
        series: r.attack.series,
        ...(r.signature ? { signature: { id: r.signature.id, summary: r.signature.summary, coverage: r.signature.coverage, collateral: r.signature.collateral } } : {}),
        ...(r.rule ? { proposedRule: { id: r.rule.id, text: renderRules([r.rule], 'native').text, findings: r.findings ?? [] } } : {}),
        ...(r.rolloutId ? { rolloutId: r.rolloutId } : {}),
      }));
  }

  signatureViews() {
    return [...this.attacks.values()]
      .filter((r) => r.signature)
      .map((r) => ({ ...r.signature!, ...(r.rule ? { ruleId: r.rule.id } : {}), errors: (r.findings ?? []).filter((f) => f.severity === 'error').length }));
  }

  /** One PoP: health of each router, what it holds, its share of the attack traffic. */
  popDetail(popId: string) {
    const view = this.fleetView().find((p) => p.id === popId);
    if (!view) return undefined;
    const pop = this.network.pops.find((p) => p.id === popId)!;
    return { ...view, installedRuleIds: this.sim.announcedAt(popId), routerModels: pop.routers.map((r) => ({ id: r.id, vendor: r.vendor, model: r.model, osVersion: r.osVersion })) };
  }

  async rolloutViews() {
    return (await this.store.listRollouts({ limit: 100 })).map(rolloutView);
  }

  async auditViews(limit = 200) {
    return this.store.listAudit(limit);
  }
}

export interface ProposeInput {
  readonly artifact: Artifact;
  readonly author: string;
  readonly reason: string;
  readonly bakeMs?: number;
  readonly approvals?: ReadonlyMap<string, string>;
}

export function rolloutView(s: RolloutState) {
  const reverted = new Set(s.reverted);
  return {
    id: s.plan.id,
    title: s.plan.title,
    kind: s.plan.artifact.kind,
    state: s.phase,
    author: s.plan.author,
    ...(s.approvedBy ? { approvedBy: s.approvedBy } : {}),
    needsApproval: s.phase === 'awaiting-approval',
    wide: s.plan.wide,
    createdMs: s.plan.createdMs,
    bakeMs: s.plan.bakeMs,
    ...(s.rollbackReason ? { rollbackReason: s.rollbackReason } : {}),
    waves: s.plan.waves.map((pops, index) => {
      const state =
        index > s.waveIndex
          ? 'pending'
          : pops.every((p) => reverted.has(p))
            ? s.gateFailures.some((g) => pops.includes(g.popId))
              ? 'failed'
              : 'reverted'
            : index < s.waveIndex || s.phase === 'completed'
              ? 'passed'
              : s.phase === 'running' || s.phase === 'paused'
                ? 'baking'
                : 'passed';
      return { index, pops: [...pops], state, bakeMs: s.plan.bakeMs, ...(index === s.waveIndex && s.waveStartedMs !== undefined ? { startedMs: s.waveStartedMs } : {}) };
    }),
    gateFailures: s.gateFailures,
  };
}
