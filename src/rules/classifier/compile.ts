// The compiled rule classifier: rules indexed by destination prefix in a PrefixTrie, each with
// its remaining components compiled once into a predicate over pre-parsed fields. A flow is
// checked only against the rules whose destination covers it (plus rules without one), in
// rule order; the first terminal match stops evaluation.
import { type Prefix, addressInPrefix, parseAddress, parsePrefix } from '../../lib/prefix.js';
import { PrefixTrie } from '../../lib/prefix-trie.js';
import type { FlowRecord } from '../../telemetry/flow-record.js';
import type { MitigationRule } from '../model.js';
import { flowMatchesRule } from './match-flow.js';

interface CompiledRule {
  readonly index: number;
  readonly id: string;
  readonly terminal: boolean;
  readonly source?: Prefix;
  /** Everything except the prefixes, evaluated on the record. */
  readonly rest: (f: FlowRecord) => boolean;
}

export interface RuleClassifier {
  /** Ids of the rules that match, in order, up to and including the first terminal one. */
  classify(f: FlowRecord): string[];
  readonly ruleCount: number;
}

export function compileClassifier(rules: readonly MitigationRule[]): RuleClassifier {
  const tries: Record<4 | 6, PrefixTrie<CompiledRule[]>> = { 4: new PrefixTrie(), 6: new PrefixTrie() };
  const anyDestination: Record<4 | 6, CompiledRule[]> = { 4: [], 6: [] };
  rules.forEach((rule, index) => {
    const fam: 4 | 6 = rule.family === 'ipv4' ? 4 : 6;
    // Prefix checks are done by the trie (destination) and below (source); the rest reuses the
    // reference semantics on a rule stripped of its prefixes.
    const stripped: MitigationRule = { ...rule, match: { ...rule.match, destination: undefined, source: undefined } };
    const src = rule.match.source ? parsePrefix(rule.match.source, { allowHostBits: true }) : undefined;
    if (src && !src.ok) return; // unparseable source never matches
    const compiled: CompiledRule = {
      index,
      id: rule.id,
      terminal: rule.terminal !== false,
      ...(src?.ok ? { source: src.value } : {}),
      rest: (f) => flowMatchesRule(stripped, f),
    };
    if (!rule.match.destination) {
      anyDestination[fam].push(compiled);
      return;
    }
    const dst = parsePrefix(rule.match.destination, { allowHostBits: true });
    if (!dst.ok || dst.value.family !== fam) return;
    const list = tries[fam].get(dst.value);
    if (list) list.push(compiled);
    else tries[fam].set(dst.value, [compiled]);
  });

  return {
    ruleCount: rules.length,
    classify(f: FlowRecord): string[] {
      const dst = parseAddress(f.dstAddr);
      if (!dst) return [];
      const fam: 4 | 6 = dst.length === 4 ? 4 : 6;
      if ((fam === 4) !== (f.family === 4)) return [];
      const candidates: CompiledRule[] = [...anyDestination[fam]];
      for (const e of tries[fam].covering({ family: fam, bytes: dst, length: dst.length * 8 })) candidates.push(...e.value);
      if (candidates.length === 0) return [];
      candidates.sort((a, b) => a.index - b.index);
      let srcBytes: Uint8Array | undefined;
      const out: string[] = [];
      for (const c of candidates) {
        if (c.source) {
          srcBytes ??= parseAddress(f.srcAddr);
          if (!srcBytes || !addressInPrefix(srcBytes, c.source)) continue;
        }
        if (!c.rest(f)) continue;
        out.push(c.id);
        if (c.terminal) break;
      }
      return out;
    },
  };
}
