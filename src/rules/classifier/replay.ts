// Replay: what each rule would match in recorded traffic, attack vs legitimate, per PoP.
// Traffic labels come from the generator ("benign" = legitimate); unlabelled traffic is
// counted separately so real captures replay too.
import type { FlowRecord } from '../../telemetry/flow-record.js';
import type { MitigationRule } from '../model.js';
import { compileClassifier } from './compile.js';

export interface ReplayCounts {
  attackPackets: number;
  attackBytes: number;
  legitPackets: number;
  legitBytes: number;
  unlabelledPackets: number;
  unlabelledBytes: number;
}

export interface RuleReplay extends ReplayCounts {
  readonly ruleId: string;
  readonly byPop: Record<string, ReplayCounts>;
}

export interface ReplayReport {
  readonly records: number;
  readonly totals: ReplayCounts;
  readonly rules: RuleReplay[];
}

const zero = (): ReplayCounts => ({ attackPackets: 0, attackBytes: 0, legitPackets: 0, legitBytes: 0, unlabelledPackets: 0, unlabelledBytes: 0 });

function add(c: ReplayCounts, f: FlowRecord): void {
  if (f.label === undefined) {
    c.unlabelledPackets += f.estimatedPackets;
    c.unlabelledBytes += f.estimatedBytes;
  } else if (f.label === 'benign') {
    c.legitPackets += f.estimatedPackets;
    c.legitBytes += f.estimatedBytes;
  } else {
    c.attackPackets += f.estimatedPackets;
    c.attackBytes += f.estimatedBytes;
  }
}

export function replayRules(rules: readonly MitigationRule[], traffic: Iterable<FlowRecord>): ReplayReport {
  const classifier = compileClassifier(rules);
  const perRule = new Map<string, RuleReplay>(rules.map((r) => [r.id, { ruleId: r.id, ...zero(), byPop: {} }]));
  const totals = zero();
  let records = 0;
  for (const f of traffic) {
    records++;
    add(totals, f);
    for (const id of classifier.classify(f)) {
      const r = perRule.get(id)!;
      add(r, f);
      const pop = f.pop ?? 'unknown';
      add((r.byPop[pop] ??= zero()), f);
    }
  }
  return { records, totals, rules: [...perRule.values()] };
}
