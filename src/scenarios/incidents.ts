// The three incidents (and a fourth: a defect nobody knew), each run twice on the simulator:
// "as it happened" (pushed everywhere at once, no gates, humans notice and fix) and "with
// failsmall" (validation and artifact checks, then scoped canary -> waves with health gates
// and automatic rollback). Pure: deterministic for a seed and the device models passed in.
import { checkDataFile } from '../artifacts/index.js';
import type { DeviceModel } from '../fleet/device-model.js';
import type { Artifact } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import { FleetSimulation } from '../fleet/simulator/index.js';
import { planRollout } from '../rollout/index.js';
import type { Finding, MitigationRule } from '../rules/model.js';
import { validateRules } from '../rules/validate/index.js';
import { REGEX_2019, checkWafRegex, modelCpuShare } from '../waf/index.js';
import { driveRollout } from './drive-rollout.js';
import { network2013, networkModernMx } from './networks.js';

export const INCIDENT_NAMES = ['2013-flowspec', '2019-waf-regex', '2025-feature-file', 'canary-hidden-defect'] as const;
export type IncidentName = (typeof INCIDENT_NAMES)[number];

export interface IncidentRun {
  readonly mode: 'as-it-happened' | 'with-failsmall';
  readonly popsTotal: number;
  readonly popsImpacted: readonly string[];
  readonly peakFailingShare: number;
  /** From the change leaving the operator's hands. */
  readonly timeToDetectionMs?: number;
  readonly timeToRollbackMs?: number;
  readonly routersCrashed: number;
  readonly routersDead: number;
  /** Where failsmall stopped the change, if it did. */
  readonly heldAt?: 'validation' | 'canary' | 'wave';
  readonly findings: readonly Finding[];
  readonly timeline: ReadonlyArray<{ readonly atMs: number; readonly what: string }>;
}

export interface IncidentReport {
  readonly name: IncidentName;
  readonly title: string;
  readonly story: string;
  readonly runs: readonly [IncidentRun, IncidentRun];
}

export interface IncidentOptions {
  readonly seed: number;
  readonly deviceModels: readonly DeviceModel[];
  readonly startMs?: number;
}

const T0 = Date.UTC(2026, 0, 1, 9, 47);
const MIN = 60_000;

/** Modelled human response for "as it happened": alerts fire, people look, someone finds the change and undoes it. */
interface HumanResponse {
  readonly noticeMs: number;
  readonly fixMs: number;
}

function runAsItHappened(network: NetworkDescription, models: readonly DeviceModel[], artifact: Artifact, seed: number, human: HumanResponse, simOpts: { wafCpuCost?: (p: readonly string[]) => number } = {}): IncidentRun {
  const sim = new FleetSimulation(network, models, { seed, startMs: T0, ...simOpts });
  const timeline: Array<{ atMs: number; what: string }> = [{ atMs: 0, what: `pushed to all ${network.pops.length} PoPs at once (no scope, no canary, no gates)` }];
  for (const p of network.pops) sim.apply(p.id, artifact);
  let detectedAt: number | undefined;
  let fixedAt: number | undefined;
  const endMs = T0 + 90 * MIN;
  for (let t = T0; t <= endMs; t += 10_000) {
    sim.advance(t);
    const firstImpact = sim.summary().firstImpactMs;
    if (detectedAt === undefined && firstImpact !== undefined && t >= firstImpact + human.noticeMs) {
      detectedAt = t;
      timeline.push({ atMs: t - T0, what: `humans notice (${(sim.failingShare() * 100).toFixed(0)}% of traffic failing)` });
    }
    if (detectedAt !== undefined && fixedAt === undefined && t >= detectedAt + human.fixMs) {
      fixedAt = t;
      for (const p of network.pops) sim.revert(p.id, artifact);
      timeline.push({ atMs: t - T0, what: 'change found and withdrawn everywhere' });
    }
  }
  const s = sim.summary();
  if (s.routersDead > 0) timeline.push({ atMs: endMs - T0, what: `${s.routersDead} router(s) crashed and never rebooted: they need hands on site` });
  return {
    mode: 'as-it-happened',
    popsTotal: network.pops.length,
    popsImpacted: s.popsImpacted,
    peakFailingShare: s.peakFailingShare,
    ...(detectedAt !== undefined ? { timeToDetectionMs: detectedAt - T0 } : {}),
    ...(fixedAt !== undefined ? { timeToRollbackMs: fixedAt - T0 } : {}),
    routersCrashed: s.crashes,
    routersDead: s.routersDead,
    findings: [],
    timeline,
  };
}

function heldAtValidation(network: NetworkDescription, findings: Finding[], what: string): IncidentRun {
  return {
    mode: 'with-failsmall',
    popsTotal: network.pops.length,
    popsImpacted: [],
    peakFailingShare: 0,
    timeToDetectionMs: 0,
    routersCrashed: 0,
    routersDead: 0,
    heldAt: 'validation',
    findings,
    timeline: [{ atMs: 0, what: `${what}: ${findings.filter((f) => f.severity === 'error').length} error finding(s); the change never left validation` }, ...findings.filter((f) => f.severity === 'error').map((f) => ({ atMs: 0, what: `${f.code}: ${f.message}` }))],
  };
}

export const RULE_2013: MitigationRule = {
  id: '173.245.53.0/24-DNS-DROP',
  family: 'ipv4',
  match: { destination: '173.245.53.0/24', ports: [{ min: 53, max: 53 }], packetLengths: [{ min: 99971, max: 99971 }, { min: 99985, max: 99985 }] },
  action: { kind: 'discard' },
  scope: { kind: 'global' },
  provenance: { origin: 'junos', author: 'operator', reason: 'profiler signature for a DNS attack on 173.245.53.0/24' },
};

function features(n: number, version: string): string {
  return JSON.stringify({ version, features: Array.from({ length: n }, (_, i) => ({ name: `feature_${i}`, weight: ((i * 37) % 100) / 100 })) });
}

export function runIncident(name: IncidentName, o: IncidentOptions): IncidentReport {
  const models = o.deviceModels;
  const nowMs = o.startMs ?? T0;
  switch (name) {
    case '2013-flowspec': {
      const network = network2013();
      const artifact: Artifact = { kind: 'flowspec', add: [{ ...RULE_2013, expiresAt: new Date(nowMs + 3600_000).toISOString(), approvedBy: 'duty-manager' }], withdraw: [] };
      const findings = validateRules(artifact.add, { network, deviceModels: models, nowMs, approvals: new Map([[RULE_2013.id, 'duty-manager']]) });
      return {
        name,
        title: '2013: a Flowspec rule with packet length 99,971-99,985 (MTU 4,470)',
        story: 'An attack profiler emitted an impossible packet-length signature; the rule went to every edge router by Flowspec; the routers exhausted memory and crashed, many did not reboot, and PoPs that came back fell over under the anycast traffic of the others.',
        runs: [runAsItHappened(network, models, artifact, o.seed, { noticeMs: 2 * MIN, fixMs: 30 * MIN }), heldAtValidation(network, findings, 'validator')],
      };
    }
    case 'canary-hidden-defect': {
      const network = networkModernMx();
      const rule: MitigationRule = {
        id: 'frag-flood-173.245.53.10',
        family: 'ipv4',
        match: { destination: '173.245.53.10/32', protocols: [{ min: 17, max: 17 }], fragment: [[{ op: 'all', bits: 0x02 }]] },
        action: { kind: 'discard' },
        scope: { kind: 'global' },
        expiresAt: new Date(nowMs + 3600_000).toISOString(),
        provenance: { origin: 'profiler', author: 'operator', reason: 'fragment flood towards 173.245.53.10' },
      };
      const artifact: Artifact = { kind: 'flowspec', add: [rule], withdraw: [] };
      const findings = validateRules([rule], { network, deviceModels: models, nowMs, approvals: new Map([[rule.id, 'duty-manager']]) });
      const plan = planRollout(artifact, network, { id: 'hidden-defect', author: 'operator', nowMs: T0, bakeMs: 5 * MIN, reason: rule.provenance.reason ?? '' });
      const sim = new FleetSimulation(network, models, { seed: o.seed, startMs: T0 });
      const drive = driveRollout(sim, plan, { startMs: T0, tickMs: 10_000, approver: 'duty-manager' });
      sim.advance(T0 + 90 * MIN);
      const s = sim.summary();
      const withFs: IncidentRun = {
        mode: 'with-failsmall',
        popsTotal: network.pops.length,
        popsImpacted: s.popsImpacted,
        peakFailingShare: s.peakFailingShare,
        ...(drive.detectionMs !== undefined ? { timeToDetectionMs: drive.detectionMs } : {}),
        ...(drive.rollbackMs !== undefined ? { timeToRollbackMs: drive.rollbackMs } : {}),
        routersCrashed: s.crashes,
        routersDead: s.routersDead,
        ...(drive.state.phase === 'rolled-back' ? { heldAt: drive.state.waveIndex === 0 ? ('canary' as const) : ('wave' as const) } : {}),
        findings,
        timeline: [
          { atMs: 0, what: `validation: ${findings.filter((f) => f.severity === 'error').length} errors (the defect is not in any advisory)` },
          ...drive.timeline.map((e) => ({ atMs: e.atMs - T0, what: e.what })),
          ...drive.state.gateFailures.slice(0, 3).map((g) => ({ atMs: drive.detectionMs ?? 0, what: `gate ${g.gate} failed at ${g.popId}: ${g.message}` })),
        ],
      };
      return {
        name,
        title: 'A rule that passes validation but triggers an unpublished router defect',
        story: 'Validation cannot know every defect. A fragment-matching rule crashes the current Junos filter compiler; pushed everywhere it takes every PoP down in a crash loop, staged it reaches only the canary.',
        runs: [runAsItHappened(network, models, artifact, o.seed, { noticeMs: 2 * MIN, fixMs: 20 * MIN }), withFs],
      };
    }
    case '2019-waf-regex': {
      const network = networkModernMx();
      const corpus = Array.from({ length: 200 }, (_, i) => `GET /search?q=item${i}&page=${i % 7} HTTP/1.1 x=${'a'.repeat(i % 50)}`);
      const check = checkWafRegex(REGEX_2019, corpus, { ruleId: 'waf-xss-100035' });
      const artifact: Artifact = { kind: 'waf-regex', rules: [{ id: 'waf-xss-100035', pattern: REGEX_2019 }] };
      const cost = (patterns: readonly string[]): number => (patterns.includes(REGEX_2019) ? modelCpuShare(check.complexity, check.degree) : 0);
      return {
        name,
        title: '2019: a WAF regex with catastrophic backtracking deployed everywhere at once',
        story: 'A new WAF rule was deployed to every proxy in one go; its regex backtracked catastrophically, CPU went to 100% and the proxies answered 502 worldwide.',
        runs: [runAsItHappened(network, models, artifact, o.seed, { noticeMs: 3 * MIN, fixMs: 24 * MIN }, { wafCpuCost: cost }), heldAtValidation(network, check.findings, `WAF regex check (recheck: ${check.complexity}${check.degree ? ` degree ${check.degree}` : ''})`)],
      };
    }
    case '2025-feature-file': {
      const network = networkModernMx();
      const previous = features(120, 'v41');
      const current = features(240, 'v42');
      const findings = checkDataFile(current, previous, { maxFeatures: 200, maxBytes: 1_000_000, maxGrowthRatio: 1.5 });
      const artifact: Artifact = { kind: 'data-file', name: 'bot-features.json', version: 'v42', content: current };
      return {
        name,
        title: '2025: a generated feature file doubled past the consumer hard limit',
        story: 'A generated bot-management feature file doubled in size, passed the proxy module’s hard limit of 200 features, and the proxy failed everywhere it arrived.',
        runs: [runAsItHappened(network, models, artifact, o.seed, { noticeMs: 3 * MIN, fixMs: 60 * MIN }), heldAtValidation(network, findings, 'data-file check')],
      };
    }
  }
}
