// Replay: what each rule would match in recorded traffic, attack vs legitimate, per PoP, through
// the compiled classifier (first terminal match wins, as on a router). Traffic labels come from
// the generator ("benign" = legitimate, anything else = an attack id); unlabelled traffic (real
// captures) is counted on its own. Counts are estimated (sampled × sampling rate).
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
  /** Per PoP (records without one count under "unknown"). */
  readonly byPop: Record<string, ReplayCounts>;
}

export interface ReplayReport {
  readonly records: number;
  /** All traffic replayed, and per PoP. */
  readonly totals: ReplayCounts;
  readonly totalsByPop: Record<string, ReplayCounts>;
  /** One entry per rule, in rule order. */
  readonly rules: RuleReplay[];
  /** Traffic no rule matched. */
  readonly unmatched: ReplayCounts;
  /** Rules that can never match (a prefix does not parse). */
  readonly unmatchableRules: readonly string[];
}

export const zeroCounts = (): ReplayCounts => ({ attackPackets: 0, attackBytes: 0, legitPackets: 0, legitBytes: 0, unlabelledPackets: 0, unlabelledBytes: 0 });

function addTo(c: ReplayCounts, f: FlowRecord): void {
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
  const perRule: RuleReplay[] = rules.map((r) => ({ ruleId: r.id, ...zeroCounts(), byPop: {} }));
  const totals = zeroCounts();
  const totalsByPop: Record<string, ReplayCounts> = {};
  const unmatched = zeroCounts();
  let records = 0;
  for (const f of traffic) {
    records++;
    const pop = f.pop ?? 'unknown';
    addTo(totals, f);
    addTo((totalsByPop[pop] ??= zeroCounts()), f);
    const hits = classifier.matchIndexes(f);
    if (hits.length === 0) addTo(unmatched, f);
    for (const i of hits) {
      const r = perRule[i]!;
      addTo(r, f);
      addTo((r.byPop[pop] ??= zeroCounts()), f);
    }
  }
  return { records, totals, totalsByPop, rules: perRule, unmatched, unmatchableRules: classifier.unmatchableRules };
}
