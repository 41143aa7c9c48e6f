// Shared helpers for the detection scenario tests and the quality benchmark: run a labelled
// synthetic scenario through the detector and profiler and score the result against the labels.
import { AttackDetector, type DetectorConfig, profileAttack } from '../../src/detect/index.js';
import { flowMatchesRule } from '../../src/rules/classifier/index.js';
import type { Attack, Signature } from '../../src/detect/index.js';
import { DEFAULT_CARPET_PREFIX, DEFAULT_VICTIM_HOST, type ScenarioName, defaultSynthConfig, generateFlows } from '../../src/telemetry/synth/index.js';
import type { FlowRecord } from '../../src/telemetry/flow-record.js';

export const VICTIM_NET = '173.245.48.0/20';
export const MTU = 4470;
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

export interface ScenarioRun {
  readonly attacks: Attack[];
  readonly detected?: Attack;
  readonly signature?: Signature;
  readonly latencyMs?: number;
  /** Label-based: share of the attack's true packets the signature matches. */
  readonly trueCoverage?: number;
  /** Label-based: share of benign packets to the victim (during the whole run) the signature matches. */
  readonly trueCollateral?: number;
  readonly falseAlarms: number;
}

/** Does the signature's match cover the record? The classifier's reference semantics. */
function matches(sig: Signature, f: FlowRecord): boolean {
  return flowMatchesRule({ id: sig.id, family: sig.family === 4 ? 'ipv4' : 'ipv6', match: sig.match, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} }, f);
}

export function runScenario(scenario: ScenarioName | 'none', seed: number, opts: { sampleRate?: number; attackPps?: number; detector?: Partial<DetectorConfig> } = {}): ScenarioRun {
  const sampleRate = opts.sampleRate ?? 1000;
  const target = scenario === 'carpet-bombing' ? DEFAULT_CARPET_PREFIX : DEFAULT_VICTIM_HOST;
  const onset = T0 + 20_000;
  const cfg = defaultSynthConfig(scenario, { seed, startMs: T0, sampleRate, mtuBytes: MTU, ...(opts.attackPps ? { attackPps: opts.attackPps } : {}) });
  const detector = new AttackDetector(opts.detector);
  const all: FlowRecord[] = [];
  for (const f of generateFlows(cfg)) {
    detector.ingest(f);
    all.push(f);
  }
  detector.advance(T0 + 60_000);
  const attacks = detector.allAttacks();
  const hit = (a: Attack): boolean => (scenario === 'carpet-bombing' ? a.destination === target : a.destination === `${target}/32`);
  const detected = attacks.find(hit);
  const falseAlarms = attacks.filter((a) => !hit(a)).length;
  if (!detected) return { attacks, falseAlarms };
  const samples = detector.attackSamples(detected.id)!;
  const signature = profileAttack(detected, samples, { mtuBytes: MTU });
  const truth = all.filter((f) => f.label === 'attack-1');
  const benignToVictim = all.filter((f) => f.label === 'benign' && matches({ ...signature, match: { destination: signature.match.destination } }, f));
  const w = (fs: FlowRecord[]): number => fs.reduce((s, f) => s + f.estimatedPackets, 0);
  return {
    attacks,
    detected,
    signature,
    latencyMs: detected.detectedMs - onset,
    trueCoverage: w(truth.filter((f) => matches(signature, f))) / Math.max(1, w(truth)),
    trueCollateral: benignToVictim.length === 0 ? 0 : w(benignToVictim.filter((f) => matches(signature, f))) / w(benignToVictim),
    falseAlarms,
  };
}
