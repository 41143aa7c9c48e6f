// The three incidents (and a fourth: a defect nobody knew), each run twice on the simulator:
// "as it happened" (pushed everywhere at once, no gates, humans notice and fix) and "with
// failsmall" (validation and artifact checks, then scoped canary -> waves with health gates
// and automatic rollback). Pure: deterministic for a seed and the device models passed in.
import { checkArtifact, passesChecks } from '../artifacts/index.js';
import type { DeviceModel } from '../fleet/device-model.js';
import type { Artifact } from '../fleet/enforcement.js';
import type { NetworkDescription } from '../fleet/network.js';
import { FleetSimulation, PROXY_REQUESTS_PER_CORE_SEC } from '../fleet/simulator/index.js';
import { planRollout } from '../rollout/index.js';
import type { Finding, MitigationRule } from '../rules/model.js';
import { REGEX_2019, type RegexCheckResult, sampleRequestCorpus } from '../waf/index.js';
import { driveRollout } from './drive-rollout.js';
import { network2013, networkModernMx } from './networks.js';

export const INCIDENT_NAMES = ['2013-flowspec', '2019-waf-regex', '2025-feature-file', 'canary-hidden-defect'] as const;
export type IncidentName = (typeof INCIDENT_NAMES)[number];

export interface IncidentRun {
  readonly mode: 'as-it-happened' | 'with-failsmall';
  readonly popsTotal: number;
  readonly popsImpacted: readonly string[];
  /** PoPs that fell over under traffic shifted from failed PoPs (the anycast cascade). */
  readonly popsCollapsed: readonly string[];
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
  /**
   * Defence in depth: ship the change through the staged rollout even when the checks find
   * errors (as if the checks had missed it), to show what the canary and the gates do alone.
   */
  readonly skipChecks?: boolean;
}

const T0 = Date.UTC(2026, 0, 1, 9, 47);
const MIN = 60_000;

/** Modelled human response for "as it happened": alerts fire, people look, someone finds the change and undoes it. */
interface HumanResponse {
  readonly noticeMs: number;
  readonly fixMs: number;
}

function runAsItHappened(network: NetworkDescription, models: readonly DeviceModel[], artifact: Artifact, seed: number, human: HumanResponse, simOpts: { wafCpuCost?: (p: readonly string[]) => number; featureLimit?: number } = {}): IncidentRun {
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
    popsCollapsed: s.popsCollapsed,
    peakFailingShare: s.peakFailingShare,
    ...(detectedAt !== undefined ? { timeToDetectionMs: detectedAt - T0 } : {}),
    ...(fixedAt !== undefined ? { timeToRollbackMs: fixedAt - T0 } : {}),
    routersCrashed: s.crashes,
    routersDead: s.routersDead,
    findings: [],
    timeline,
  };
}

function heldAtValidation(network: NetworkDescription, findings: readonly Finding[], what: string): IncidentRun {
  return {
    mode: 'with-failsmall',
    popsTotal: network.pops.length,
    popsImpacted: [],
    popsCollapsed: [],
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

/**
 * Share of a proxy core a WAF regex takes on real traffic, from the checker's measured cost on
 * the sample corpus (backtracking steps -> CPU µs per request) at PROXY_REQUESTS_PER_CORE_SEC.
 * A pattern whose cost could not be measured but is super-linear is taken to saturate.
 */
export function proxyCpuShare(check: RegexCheckResult): number {
  if (check.cost) return (check.cost.cpuMicrosPerRequest * PROXY_REQUESTS_PER_CORE_SEC) / 1e6 + (check.cost.exhausted > 0 ? 1 : 0);
  return check.complexity === 'linear' ? 0 : 1;
}

interface FailsmallInputs {
  readonly network: NetworkDescription;
  readonly models: readonly DeviceModel[];
  readonly artifact: Artifact;
  readonly seed: number;
  readonly nowMs: number;
  /** What the checks are called in the report. */
  readonly checkName: string;
  readonly previousDataFile?: string;
  readonly featureLimit?: number;
  readonly approvals?: ReadonlyMap<string, string>;
  readonly skipChecks?: boolean;
}

/**
 * The failsmall path for any change: every check first (checkArtifact: rule validator, WAF regex
 * checks or data-file checks); only a change without error findings is planned (scope -> canary
 * -> waves, bake, health gates) and driven by the rollout reducer over a fresh simulation.
 */
function runWithFailsmall(i: FailsmallInputs): IncidentRun {
  const findings = checkArtifact(i.artifact, {
    validation: { network: i.network, deviceModels: i.models, nowMs: i.nowMs, approvals: new Map(i.approvals ?? []) },
    wafCorpus: sampleRequestCorpus(i.seed),
    ...(i.previousDataFile !== undefined ? { previousDataFile: i.previousDataFile } : {}),
    ...(i.featureLimit !== undefined ? { dataFileLimits: { maxFeatures: i.featureLimit, maxBytes: 1_000_000, maxGrowthRatio: 1.5 } } : {}),
  });
  const passed = passesChecks(findings);
  if (!passed && !i.skipChecks) return heldAtValidation(i.network, findings, i.checkName);
  const plan = planRollout(i.artifact, i.network, { id: `scenario-${i.artifact.kind}`, author: 'operator', nowMs: T0, bakeMs: BAKE_MS });
  const sim = new FleetSimulation(i.network, i.models, { seed: i.seed, startMs: T0, ...(i.featureLimit !== undefined ? { featureLimit: i.featureLimit } : {}) });
  const drive = driveRollout(sim, plan, { startMs: T0, tickMs: 10_000, approver: 'duty-manager' });
  sim.advance(T0 + 90 * MIN);
  const s = sim.summary();
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    mode: 'with-failsmall',
    popsTotal: i.network.pops.length,
    popsImpacted: s.popsImpacted,
    popsCollapsed: s.popsCollapsed,
    peakFailingShare: s.peakFailingShare,
    ...(drive.detectionMs !== undefined ? { timeToDetectionMs: drive.detectionMs } : {}),
    ...(drive.rollbackMs !== undefined ? { timeToRollbackMs: drive.rollbackMs } : {}),
    routersCrashed: s.crashes,
    routersDead: s.routersDead,
    ...(drive.state.phase === 'rolled-back' ? { heldAt: drive.state.waveIndex === 0 ? ('canary' as const) : ('wave' as const) } : {}),
    findings,
    timeline: [
      { atMs: 0, what: `${i.checkName}: ${errors} error finding(s)${passed ? '' : ' IGNORED (--skip-checks)'}; planned as ${plan.waves.map((w) => w.length).join(' / ')} PoPs per wave, bake ${BAKE_MS / MIN} min` },
      ...drive.timeline.map((e) => ({ atMs: e.atMs - T0, what: e.what })),
      ...drive.state.gateFailures.slice(0, 3).map((g) => ({ atMs: drive.detectionMs ?? 0, what: `gate ${g.gate} failed at ${g.popId}: ${g.message}` })),
    ],
  };
}

/** Bake time of every staged rollout in the scenarios. */
export const BAKE_MS = 5 * MIN;

export function runIncident(name: IncidentName, o: IncidentOptions): IncidentReport {
  const models = o.deviceModels;
  const nowMs = o.startMs ?? T0;
  const approvals = (ids: readonly string[]) => new Map(ids.map((id) => [id, 'duty-manager']));
  switch (name) {
    case '2013-flowspec': {
      const network = network2013();
      const artifact: Artifact = { kind: 'flowspec', add: [{ ...RULE_2013, expiresAt: new Date(nowMs + 3600_000).toISOString(), approvedBy: 'duty-manager' }], withdraw: [] };
      return {
        name,
        title: '2013: a Flowspec rule with packet length 99,971-99,985 (MTU 4,470)',
        story: 'An attack profiler emitted an impossible packet-length signature; the rule went to every edge router by Flowspec; the routers exhausted memory and crashed, many did not reboot, and PoPs that came back fell over under the anycast traffic of the others.',
        runs: [
          runAsItHappened(network, models, artifact, o.seed, { noticeMs: 2 * MIN, fixMs: 30 * MIN }),
          runWithFailsmall({ network, models, artifact, seed: o.seed, nowMs, skipChecks: o.skipChecks ?? false, checkName: 'rule validator', approvals: approvals([RULE_2013.id]) }),
        ],
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
      return {
        name,
        title: 'A rule that passes validation but triggers an unpublished router defect',
        story: 'Validation cannot know every defect. A fragment-matching rule crashes the current Junos filter compiler; pushed everywhere it takes every PoP down in a crash loop, staged it reaches only the canary.',
        runs: [
          runAsItHappened(network, models, artifact, o.seed, { noticeMs: 2 * MIN, fixMs: 20 * MIN }),
          runWithFailsmall({ network, models, artifact, seed: o.seed, nowMs, skipChecks: o.skipChecks ?? false, checkName: 'rule validator (the defect is in no published advisory)', approvals: approvals([rule.id]) }),
        ],
      };
    }
    case '2019-waf-regex': {
      const network = networkModernMx();
      const artifact: Artifact = { kind: 'waf-regex', rules: [{ id: 'waf-xss-100035', pattern: REGEX_2019 }] };
      return {
        name,
        title: '2019: a WAF regex with catastrophic backtracking deployed everywhere at once',
        story: 'A new WAF rule was deployed to every proxy in one go; its regex backtracked catastrophically, CPU went to 100% and the proxies answered 502 worldwide.',
        runs: [
          // the simulator measures the regex set's CPU cost on sample requests with the WAF checker's VM
          runAsItHappened(network, models, artifact, o.seed, { noticeMs: 3 * MIN, fixMs: 24 * MIN }),
          runWithFailsmall({ network, models, artifact, seed: o.seed, nowMs, skipChecks: o.skipChecks ?? false, checkName: 'WAF regex checks (recheck, RE2, corpus cost)' }),
        ],
      };
    }
    case '2025-feature-file': {
      const network = networkModernMx();
      const previous = features(120, 'v41');
      const current = features(240, 'v42');
      const artifact: Artifact = { kind: 'data-file', name: 'bot-features.json', version: 'v42', content: current };
      return {
        name,
        title: '2025: a generated feature file doubled past the consumer hard limit',
        story: 'A generated bot-management feature file doubled in size, passed the proxy module’s hard limit of 200 features, and the proxy failed everywhere it arrived.',
        runs: [
          runAsItHappened(network, models, artifact, o.seed, { noticeMs: 3 * MIN, fixMs: 60 * MIN }, { featureLimit: 200 }),
          runWithFailsmall({ network, models, artifact, seed: o.seed, nowMs, skipChecks: o.skipChecks ?? false, checkName: 'data-file checks (schema, hard limits, growth)', previousDataFile: previous, featureLimit: 200 }),
        ],
      };
    }
  }
}
