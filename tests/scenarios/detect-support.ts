// Labelled synthetic runs through the detector and profiler, scored against the generator's
// labels. Shared by the detection scenario tests and benchmarks/detect-quality.ts.
//
// A run is background traffic (web, QUIC, DNS, ICMP towards 62 hosts in 173.245.48.0/20 at four
// PoPs) plus any number of labelled attacks. The profiler never sees labels; the labels are only
// used here to score: a detection is a true positive when its destination is an attack's target
// (the host /32, or the carpet-bombed prefix), detection latency is telemetry time from the attack
// onset to the alarm, and true coverage/collateral are measured over every record of the run.
import { type Attack, AttackDetector, type DetectorConfig, type Signature, profileAttack } from '../../src/detect/index.js';
import { compileClassifier } from '../../src/rules/classifier/index.js';
import type { MitigationRule } from '../../src/rules/model.js';
import type { FlowRecord } from '../../src/telemetry/flow-record.js';
import { DEFAULT_CARPET_PREFIX, DEFAULT_VICTIM_HOST, type ScenarioName, type SynthAttack, defaultSynthConfig, generateFlows } from '../../src/telemetry/synth/index.js';

export const VICTIM_NET = '173.245.48.0/20';
export const MTU = 4470;
export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
export const POPS = ['ams1', 'fra1', 'lhr1', 'sjc1'] as const;

export interface AttackSpec {
  readonly scenario: ScenarioName;
  /** Attack packets per second on the wire. */
  readonly pps: number;
  /** Victim host (default per scenario), or the prefix for carpet bombing. */
  readonly target?: string;
  readonly offsetMs?: number;
  readonly durationMs?: number;
  readonly pops?: readonly string[];
}

export interface RunSpec {
  readonly seed: number;
  readonly attacks: readonly AttackSpec[];
  readonly sampleRate?: number;
  readonly backgroundPps?: number;
  readonly durationMs?: number;
  readonly detector?: Partial<DetectorConfig>;
}

export interface AttackOutcome {
  readonly id: string;
  readonly scenario: ScenarioName;
  readonly target: string;
  readonly onsetMs: number;
  readonly pps: number;
  readonly detected?: Attack;
  readonly latencyMs?: number;
  /** Profiled from the samples held when the alarm was raised (what a rule is proposed from). */
  readonly signatureAtAlarm?: Signature;
  /** Profiled at the end of the run (reservoir over the whole attack). */
  readonly signature?: Signature;
  /** Label truth for the at-alarm signature: share of the attack's packets it matches... */
  readonly trueCoverage?: number;
  /** ...and share of the legitimate packets to the same destination it matches. */
  readonly trueCollateral?: number;
}

export interface LabelledRun {
  readonly outcomes: AttackOutcome[];
  readonly attacks: Attack[];
  /** Detections that match no labelled attack. */
  readonly falseAlarms: Attack[];
  /** Further detections of an already detected attack (the alarm flapped). */
  readonly realarms: number;
  readonly records: number;
}

/** Default victim per scenario: distinct hosts so several attacks can run at once. */
export function defaultTarget(scenario: ScenarioName): string {
  const hosts: Record<ScenarioName, string> = {
    'dns-amplification': DEFAULT_VICTIM_HOST,
    'ntp-amplification': '173.245.48.10',
    memcached: '173.245.49.11',
    ssdp: '173.245.50.12',
    'syn-flood': '173.245.51.13',
    'udp-flood': '173.245.48.14',
    'carpet-bombing': DEFAULT_CARPET_PREFIX,
    fragments: '173.245.49.15',
  };
  return hosts[scenario];
}

const asRule = (sig: Pick<Signature, 'family' | 'match'>): MitigationRule => ({ id: 's', family: sig.family === 4 ? 'ipv4' : 'ipv6', match: sig.match, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} });

/** Label truth for a signature: coverage of the attack's records, collateral on legitimate records to its destination. */
export function scoreSignature(sig: Signature, attackId: string, records: readonly FlowRecord[]): { trueCoverage: number; trueCollateral: number } {
  const full = compileClassifier([asRule(sig)]);
  const dst = compileClassifier([asRule({ family: sig.family, match: { destination: sig.match.destination } })]);
  let atk = 0;
  let atkHit = 0;
  let legit = 0;
  let legitHit = 0;
  for (const f of records) {
    if (f.label === attackId) {
      atk += f.estimatedPackets;
      if (full.matchIndexes(f).length > 0) atkHit += f.estimatedPackets;
    } else if (f.label === 'benign' && dst.matchIndexes(f).length > 0) {
      legit += f.estimatedPackets;
      if (full.matchIndexes(f).length > 0) legitHit += f.estimatedPackets;
    }
  }
  return { trueCoverage: atk === 0 ? 0 : atkHit / atk, trueCollateral: legit === 0 ? 0 : legitHit / legit };
}

export function runLabelled(spec: RunSpec): LabelledRun {
  const durationMs = spec.durationMs ?? 50_000;
  const base = defaultSynthConfig('none', { seed: spec.seed, startMs: T0, sampleRate: spec.sampleRate ?? 1000, mtuBytes: MTU, durationMs, pops: POPS, ...(spec.backgroundPps ? { backgroundPps: spec.backgroundPps } : {}) });
  const synthAttacks: SynthAttack[] = spec.attacks.map((a, i) => {
    const startMs = T0 + (a.offsetMs ?? 20_000);
    return { id: `attack-${i + 1}`, scenario: a.scenario, target: a.target ?? defaultTarget(a.scenario), startMs, endMs: startMs + (a.durationMs ?? 20_000), pps: a.pps, pops: a.pops ?? POPS.slice(0, 2) };
  });
  const detector = new AttackDetector(spec.detector);
  const records: FlowRecord[] = [];
  const atAlarm = new Map<string, Signature>();
  for (const f of generateFlows({ ...base, attacks: synthAttacks })) {
    detector.ingest(f);
    records.push(f);
    for (const e of detector.drainEvents()) {
      if (e.kind === 'start') atAlarm.set(e.attack.id, profileAttack(e.attack, detector.attackSamples(e.attack.id)!, { mtuBytes: MTU }));
    }
  }
  detector.advance(T0 + durationMs + 10_000);
  const attacks = detector.allAttacks();
  const hostOrPrefix = (target: string): string => (target.includes('/') ? target : `${target}/32`);
  const claimed = new Set<string>();
  let realarms = 0;
  const outcomes: AttackOutcome[] = synthAttacks.map((t) => {
    const mine = attacks.filter((a) => a.destination === hostOrPrefix(t.target) && (a.endMs ?? Number.POSITIVE_INFINITY) >= t.startMs && a.startMs <= t.endMs);
    for (const a of mine) claimed.add(a.id);
    realarms += Math.max(0, mine.length - 1);
    const detected = mine[0];
    const common = { id: t.id, scenario: t.scenario, target: t.target, onsetMs: t.startMs, pps: t.pps };
    if (!detected) return common;
    const samples = detector.attackSamples(detected.id);
    const signatureAtAlarm = atAlarm.get(detected.id)!;
    return {
      ...common,
      detected,
      latencyMs: detected.detectedMs - t.startMs,
      signatureAtAlarm,
      ...(samples ? { signature: profileAttack(detected, samples, { mtuBytes: MTU }) } : {}),
      ...scoreSignature(signatureAtAlarm, t.id, records),
    };
  });
  return { outcomes, attacks, falseAlarms: attacks.filter((a) => !claimed.has(a.id)), realarms, records: records.length };
}

/** One scenario at its default rate (3 Mpps unless given), or background only ('none'). */
export function runScenario(scenario: ScenarioName | 'none', seed: number, opts: { sampleRate?: number; attackPps?: number; detector?: Partial<DetectorConfig> } = {}): LabelledRun & { outcome?: AttackOutcome } {
  const run = runLabelled({ seed, attacks: scenario === 'none' ? [] : [{ scenario, pps: opts.attackPps ?? 3_000_000 }], ...(opts.sampleRate ? { sampleRate: opts.sampleRate } : {}), ...(opts.detector ? { detector: opts.detector } : {}) });
  return { ...run, ...(run.outcomes[0] ? { outcome: run.outcomes[0] } : {}) };
}
