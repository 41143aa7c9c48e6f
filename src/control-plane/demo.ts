// The demo pipeline on the embedded default: a synthetic DNS amplification attack seen at two
// PoPs -> detection -> signature -> proposed rule -> validation (and the 2013 rule rejected)
// -> scoped canary/waves rollout with health gates on the simulated fleet -> completed; then a
// wide-scope change that waits for a second person's approval.
import { type Artifact } from '../fleet/enforcement.js';
import { type RolloutState, TERMINAL_PHASES } from '../rollout/index.js';
import type { MitigationRule } from '../rules/model.js';
import { RULE_2013 } from '../scenarios/index.js';
import { DEFAULT_VICTIM_HOST, defaultSynthConfig, generateFlows } from '../telemetry/synth/index.js';
import type { FlowRecord } from '../telemetry/flow-record.js';
import { type ControlPlane, DemoBusy } from './control-plane.js';

export interface DemoOptions {
  /** Simulated ms per real ms. */
  readonly speed: number;
  /** Simulated step per tick. */
  readonly stepMs?: number;
  readonly log: (line: string) => void;
  /** Approve the wide-scope change automatically (as "demo-approver") instead of waiting for a person. */
  readonly autoApprove: boolean;
  readonly sleep: (ms: number) => Promise<void>;
  readonly seed?: number;
  /** Stop waiting for a human approval after this much real time. */
  readonly approvalWaitMs?: number;
}

export interface DemoOutcome {
  readonly attackId?: string;
  readonly rolloutId?: string;
  readonly rolloutPhase?: string;
  readonly wideRolloutId?: string;
  readonly wideRolloutPhase?: string;
  readonly rejected2013: boolean;
}

/** Runs the demo pipeline; one at a time per control plane (a second call throws DemoBusy). */
export async function runDemo(cp: ControlPlane, o: DemoOptions): Promise<DemoOutcome> {
  if (cp.demoRunning) throw new DemoBusy();
  cp.demoRunning = true;
  try {
    return await runDemoNow(cp, o);
  } finally {
    cp.demoRunning = false;
  }
}

async function runDemoNow(cp: ControlPlane, o: DemoOptions): Promise<DemoOutcome> {
  const step = o.stepMs ?? 250;
  const say = (line: string): void => {
    const t = new Date(cp.clock.nowMs()).toISOString().slice(11, 19);
    o.log(`[sim ${t}] ${line}`);
    cp.events.publish('demo', { message: line });
  };
  const tick = async (): Promise<void> => {
    await cp.advance(step);
    await o.sleep(step / o.speed);
  };

  // 1. The 2013 rule, as published, against this network.
  const f2013 = cp.validate([{ ...RULE_2013, scope: { kind: 'pops', pops: cp.network.pops.slice(0, 2).map((p) => p.id) }, expiresAt: new Date(cp.clock.nowMs() + 3600_000).toISOString() }]);
  const errors2013 = f2013.filter((f) => f.severity === 'error');
  say(`validation: the 2013 rule (${RULE_2013.id}, packet length 99971/99985) is rejected with ${errors2013.length} error(s):`);
  for (const f of errors2013.slice(0, 3)) say(`  ${f.code}: ${f.message}`);

  // 2. A DNS amplification attack at two PoPs, as sampled telemetry in simulated time.
  const pops = cp.network.pops.map((p) => p.id);
  const cfg = defaultSynthConfig('dns-amplification', { seed: o.seed ?? 7, startMs: cp.clock.nowMs(), durationMs: 90_000, attackOffsetMs: 5_000, attackDurationMs: 80_000, pops: pops.slice(0, 4), attackPops: pops.slice(0, 2) });
  say(`telemetry: sFlow-style 1:${cfg.sampleRate} samples from ${cfg.background.pops.join(', ')}; a DNS amplification towards ${DEFAULT_VICTIM_HOST} starts in 5 s at ${cfg.attacks[0]!.pops.join(', ')}`);
  const flows = generateFlows(cfg);
  let pending: FlowRecord | undefined;
  const feed = (): void => {
    const batch: FlowRecord[] = [];
    for (;;) {
      const next = pending ?? flows.next().value;
      pending = undefined;
      if (!next) break;
      if (next.timestampMs > cp.clock.nowMs()) {
        pending = next;
        break;
      }
      batch.push(next);
    }
    cp.ingest(batch);
  };

  /** What the gates saw at some PoPs, in one line (per PoP for a few, totals for many). */
  const healthAt = (popIds: readonly string[], ruleIds: readonly string[]): string => {
    const rows = popIds.map((p) => {
      const h = cp.sim.popHealth(p);
      return {
        p,
        routers: h.routers.length,
        up: h.routers.filter((r) => r.up).length,
        holding: h.routers.filter((r) => ruleIds.every((id) => r.installedRuleIds.includes(id))).length,
        cpu: Math.max(0, ...h.routers.map((r) => r.cpu)),
        mem: Math.max(0, ...h.routers.map((r) => r.memory)),
      };
    });
    const line = (name: string, x: { routers: number; up: number; holding: number; cpu: number; mem: number }): string =>
      `${name} ${x.up}/${x.routers} routers up, rule on ${x.holding}/${x.routers}, CPU <= ${(x.cpu * 100).toFixed(0)}%, memory <= ${(x.mem * 100).toFixed(0)}%`;
    if (rows.length <= 3) return rows.map((x) => line(x.p, x)).join('; ');
    const sum = (k: 'routers' | 'up' | 'holding'): number => rows.reduce((a, x) => a + x[k], 0);
    return line(`${rows.length} PoPs:`, { routers: sum('routers'), up: sum('up'), holding: sum('holding'), cpu: Math.max(...rows.map((x) => x.cpu)), mem: Math.max(...rows.map((x) => x.mem)) });
  };
  const listPops = (ids: readonly string[]): string => (ids.length <= 8 ? ids.join(', ') : `${ids.slice(0, 6).join(', ')} and ${ids.length - 6} more`);
  /** Step simulated time until a started rollout ends, saying what each wave does. */
  const follow = async (started: RolloutState): Promise<RolloutState> => {
    let s = started;
    const ruleIds = s.plan.artifact.kind === 'flowspec' ? s.plan.artifact.add.map((r) => r.id) : [];
    const name = (i: number): string => (i === 0 ? 'canary' : `wave ${i}`);
    let shown = -1;
    for (;;) {
      if (s.waveIndex !== shown && s.waveIndex >= 0) {
        if (shown >= 0) say(`gates: ${name(shown)} passed its ${s.plan.bakeMs / 1000} s bake (${healthAt(s.plan.waves[shown]!, ruleIds)})`);
        shown = s.waveIndex;
        if (s.phase === 'running') say(`rollout: ${name(shown)} (${listPops(s.plan.waves[shown]!)}) applied; baking ${s.plan.bakeMs / 1000} s under ${s.plan.gates.length} health gates`);
      }
      if (TERMINAL_PHASES.includes(s.phase)) break;
      await tick();
      feed();
      s = await cp.executor.get(s.plan.id);
    }
    if (s.phase === 'completed') say(`gates: ${name(shown)} passed its ${s.plan.bakeMs / 1000} s bake (${healthAt(s.plan.waves[shown]!, ruleIds)})`);
    for (const g of s.gateFailures) say(`gates: ${g.gate} failed at ${g.popId}: ${g.message}`);
    say(`rollout: ${s.plan.id} ${s.phase}${s.rollbackReason ? ` (${s.rollbackReason})` : ''}; the rule is installed at ${listPops(cp.network.pops.filter((p) => ruleIds.length > 0 && ruleIds.every((id) => cp.sim.announcedAt(p.id).includes(id))).map((p) => p.id)) || 'no PoP'}`);
    return s;
  };

  let attackId: string | undefined;
  const deadline = cp.clock.nowMs() + 60_000;
  while (!attackId && cp.clock.nowMs() < deadline) {
    await tick();
    feed();
    const a = cp.detector.activeAttacks()[0];
    if (a) {
      attackId = cp.attackIdOf(a.id);
      say(`detect: ${a.type} towards ${a.destination} at ${a.pops.join(', ')}: ${(a.currentPps / 1e6).toFixed(2)} Mpps, alarm ${a.detectedMs - a.startMs} ms after onset`);
    }
  }
  if (!attackId) {
    say('detect: no attack detected (unexpected)');
    return { rejected2013: errors2013.length > 0 };
  }
  for (let i = 0; i < 8; i++) {
    await tick();
    feed();
  }
  const rec = cp.proposeForAttack(attackId)!;
  say(`profile: signature "${rec.signature!.summary}" covers ${(rec.signature!.coverage * 100).toFixed(1)}% of the attack, ${(rec.signature!.collateral * 100).toFixed(2)}% of legitimate traffic`);
  const errs = rec.findings!.filter((f) => f.severity === 'error');
  say(`validate: proposed rule ${rec.rule!.id} has ${errs.length} error(s), ${rec.findings!.length - errs.length} warning(s)`);
  const outcome: { -readonly [K in keyof DemoOutcome]: DemoOutcome[K] } = { attackId, rejected2013: errors2013.length > 0 };
  if (errs.length > 0) return outcome;

  // 3. Roll the rule out: scoped to the PoPs that see the attack; canary, waves, bake, gates.
  const artifact: Artifact = { kind: 'flowspec', add: [rec.rule!], withdraw: [] };
  let state = await cp.proposeRollout({ artifact, author: 'demo-operator', reason: `mitigate ${rec.attack.type} on ${rec.attack.destination}` });
  cp.linkRollout(attackId, state.plan.id);
  outcome.rolloutId = state.plan.id;
  say(`plan: rollout ${state.plan.id} to ${listPops(state.plan.scopePops)} (of ${pops.length} PoPs); canary ${state.plan.waves[0]!.join(', ')}, ${state.plan.waves.length} wave(s), bake ${state.plan.bakeMs / 1000} s each; gates ${state.plan.gates.map((g) => g.kind).join(', ')}`);
  state = await follow(await cp.executor.start(state.plan.id, 'demo-operator'));
  outcome.rolloutPhase = state.phase;

  // 4. A wide-scope change: needs an approver other than its author.
  const wideRule: MitigationRule = {
    id: 'ntp-reflection-guard',
    family: 'ipv4',
    match: { destination: `${DEFAULT_VICTIM_HOST}/32`, protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 123, max: 123 }], packetLengths: [{ min: 400, max: 4470 }] },
    action: { kind: 'discard' },
    scope: { kind: 'regions', regions: [...new Set(cp.network.pops.map((p) => p.region))] },
    expiresAt: new Date(cp.clock.nowMs() + 2 * 3600_000).toISOString(),
    provenance: { origin: 'api', author: 'demo-operator', reason: 'pre-emptive NTP reflection guard for the attacked host' },
  };
  let wide = await cp.proposeRollout({ artifact: { kind: 'flowspec', add: [wideRule], withdraw: [] }, author: 'demo-operator', reason: 'NTP reflection guard, all regions' });
  outcome.wideRolloutId = wide.plan.id;
  say(`plan: wide-scope rollout ${wide.plan.id} (${wide.plan.scopePops.length} PoPs in ${wide.plan.waves.length} waves) is ${wide.phase}: an approver other than demo-operator must approve it${o.autoApprove ? '' : ' in the dashboard'}`);
  if (o.autoApprove) {
    wide = await cp.executor.approve(wide.plan.id, 'demo-approver');
  } else {
    const until = Date.now() + (o.approvalWaitMs ?? 10 * 60_000);
    while (wide.phase === 'awaiting-approval' && Date.now() < until) {
      await tick();
      feed();
      wide = await cp.executor.get(wide.plan.id);
    }
  }
  if (wide.phase === 'planned') {
    say(`approve: ${wide.plan.id} approved by ${wide.approvedBy}`);
    wide = await follow(await cp.executor.start(wide.plan.id, 'demo-operator'));
  } else say(`rollout: ${wide.plan.id} ${wide.phase}`);
  outcome.wideRolloutPhase = wide.phase;
  return outcome;
}
