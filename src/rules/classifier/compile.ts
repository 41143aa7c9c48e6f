// The compiled rule classifier. Compilation turns a rule list into:
//  - a destination index per address family: IPv4 as one hash table per prefix length (probed
//    longest first), IPv6 as a PrefixTrie. Each indexed prefix holds its rules in rule order and
//    a link to the nearest indexed prefix that covers it, so the rules that can match a flow are
//    the chain from its longest match upwards plus the rules without an indexable destination;
//  - within each of those rule lists, when it is long, buckets by the exact values a rule allows
//    for the protocol, source port or destination port (whichever splits the list best, up to
//    three levels), so rules that cannot match the flow's values are never looked at;
//  - per rule, one closure per present component (numeric ranges merged and searched, bitmask
//    clauses folded into and/none masks, prefixes as word XOR-and-mask tests).
// A flow is checked against its candidate rules merged in rule order; the first terminal match
// stops evaluation (RFC 8955 §7.6 T bit: non-terminal rules let evaluation continue).
// Semantics are those of match-flow.ts; a property test holds the two together.
import { type Prefix, parsePrefix } from '../../lib/prefix.js';
import { PrefixTrie } from '../../lib/prefix-trie.js';
import type { FlowRecord } from '../../telemetry/flow-record.js';
import type { BitmaskMatch, MitigationRule, NumericRange } from '../model.js';
import { AddressParser, type AddressWords, bytesToWords, prefixWordMasks } from './address-words.js';

/** Parsed addresses of the flow being classified (source parsed only when a rule needs it). */
interface FlowView {
  dst: AddressWords | undefined;
  src: AddressWords | undefined;
  srcParsed: boolean;
}

type ComponentTest = (f: FlowRecord, view: FlowView) => boolean;

type BucketField = 'protocol' | 'srcPort' | 'dstPort';
const BUCKET_FIELDS: readonly BucketField[] = ['protocol', 'srcPort', 'dstPort'];

interface CompiledRule {
  readonly index: number;
  readonly id: string;
  readonly terminal: boolean;
  readonly tests: readonly ComponentTest[];
  /** Integer values the rule can match on a field (absent: any value). */
  readonly exact: Partial<Record<BucketField, readonly number[]>>;
}

/** Rules in rule order, or split by the flow's value of one field (plus the rules that allow any value). */
type Candidates = CompiledRule[] | FieldBuckets;
interface FieldBuckets {
  readonly field: BucketField;
  readonly byValue: Map<number, Candidates>;
  readonly wildcard: Candidates;
  /** The unsplit list, for a flow whose field value is not an integer. */
  readonly all: CompiledRule[];
}

interface Group {
  readonly rules: CompiledRule[];
  candidates?: Candidates;
  parent?: Group;
}

/** Below this many rules a list is scanned; more values than this in a component and the rule is a wildcard for that field. */
const BUCKET_MIN_RULES = 8;
const BUCKET_MAX_VALUES = 32;

/** The integer values inside a range list, when there are few of them. */
function exactValues(ranges: readonly NumericRange[] | undefined): readonly number[] | undefined {
  if (!ranges) return undefined;
  const values = new Set<number>();
  for (const r of ranges) {
    if (!(r.min <= r.max)) continue;
    const lo = Math.ceil(r.min);
    const hi = Math.floor(r.max);
    if (hi - lo + 1 > BUCKET_MAX_VALUES) return undefined;
    for (let v = lo; v <= hi; v++) values.add(v);
    if (values.size > BUCKET_MAX_VALUES) return undefined;
  }
  return [...values];
}

function buildCandidates(rules: CompiledRule[], fields: readonly BucketField[]): Candidates {
  if (rules.length <= BUCKET_MIN_RULES || fields.length === 0) return rules;
  let best: { field: BucketField; cost: number; byValue: Map<number, CompiledRule[]>; wildcard: CompiledRule[] } | undefined;
  for (const field of fields) {
    const byValue = new Map<number, CompiledRule[]>();
    const wildcard: CompiledRule[] = [];
    for (const r of rules) {
      const values = r.exact[field];
      if (values === undefined) wildcard.push(r);
      else for (const v of values) (byValue.get(v) ?? byValue.set(v, []).get(v)!).push(r);
    }
    let largest = 0;
    for (const b of byValue.values()) largest = Math.max(largest, b.length);
    const cost = wildcard.length + largest;
    if (!best || cost < best.cost) best = { field, cost, byValue, wildcard };
  }
  if (!best || best.cost > rules.length * 0.75) return rules;
  const rest = fields.filter((x) => x !== best.field);
  const byValue = new Map<number, Candidates>();
  for (const [v, b] of best.byValue) byValue.set(v, buildCandidates(b, rest));
  return { field: best.field, byValue, wildcard: buildCandidates(best.wildcard, rest), all: rules };
}

/** The rule lists of `c` that a flow can match (a non-integer field value takes the unsplit list). */
function collectCandidates(c: Candidates, f: FlowRecord, out: CompiledRule[][]): void {
  if (Array.isArray(c)) {
    if (c.length > 0) out.push(c);
    return;
  }
  const v = f[c.field];
  if (!Number.isInteger(v)) {
    out.push(c.all);
    return;
  }
  const b = c.byValue.get(v);
  if (b) collectCandidates(b, f, out);
  collectCandidates(c.wildcard, f, out);
}

export interface RuleClassifier {
  /** Ids of the rules that match, in rule order, up to and including the first terminal one. */
  classify(f: FlowRecord): readonly string[];
  /** Same as classify, as indexes into the compiled rule list. */
  matchIndexes(f: FlowRecord): readonly number[];
  readonly ruleCount: number;
  /** Ids of rules that can never match because a prefix does not parse. */
  readonly unmatchableRules: readonly string[];
}

const NEVER = (): boolean => false;
const EMPTY: readonly never[] = Object.freeze([]);

/** A numeric-range component as a membership test on one field value. */
export function compileRanges(ranges: readonly NumericRange[]): (v: number | undefined) => boolean {
  // Inverted and NaN ranges hold no value; overlapping ones merge (adjacent ones do not, so a
  // fractional value between two integer ranges stays outside both, as in the reference).
  const sorted = ranges.filter((r) => r.min <= r.max).map((r) => [r.min, r.max] as [number, number]);
  sorted.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  if (merged.length === 0) return NEVER;
  if (merged.length === 1) {
    const [lo, hi] = merged[0]!;
    return (v) => (v as number) >= lo && (v as number) <= hi;
  }
  if (merged.length === 2) {
    const [a, b] = merged[0]!;
    const [c, d] = merged[1]!;
    return (v) => ((v as number) >= a && (v as number) <= b) || ((v as number) >= c && (v as number) <= d);
  }
  const mins = Float64Array.from(merged, (r) => r[0]);
  const maxs = Float64Array.from(merged, (r) => r[1]);
  return (v) => {
    if (v === undefined || !(v >= mins[0]!)) return false;
    let lo = 0;
    let hi = mins.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (mins[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    return v <= maxs[lo]!;
  };
}

/** A bitmask DNF as a test on a field: per clause, all-terms and none-terms folded into one mask each. */
export function compileBitmask(m: BitmaskMatch): (v: number | undefined) => boolean {
  const clauses: Array<{ all: number; none: number; any: number[]; notAll: number[] }> = [];
  for (const clause of m) {
    let all = 0;
    let none = 0;
    const any: number[] = [];
    const notAll: number[] = [];
    let possible = true;
    for (const t of clause) {
      const bits = t.bits >>> 0;
      if (t.op === 'all') all = (all | bits) >>> 0;
      else if (t.op === 'none') none = (none | bits) >>> 0;
      else if (t.op === 'any') {
        if (bits === 0) possible = false;
        else any.push(bits);
      } else if (t.op === 'not-all') {
        if (bits === 0) possible = false;
        else notAll.push(bits);
      } else possible = false;
    }
    if (possible) clauses.push({ all, none, any, notAll });
  }
  if (clauses.length === 0) return NEVER;
  if (clauses.length === 1 && clauses[0]!.any.length === 0 && clauses[0]!.notAll.length === 0) {
    const { all, none } = clauses[0]!;
    return (v) => v !== undefined && ((v & all) >>> 0) === all && (v & none) === 0;
  }
  return (v) => {
    if (v === undefined) return false;
    for (const c of clauses) {
      if (((v & c.all) >>> 0) !== c.all || (v & c.none) !== 0) continue;
      let ok = true;
      for (const b of c.any) if ((v & b) === 0) ok = false;
      for (const b of c.notAll) if (((v & b) >>> 0) === b) ok = false;
      if (ok) return true;
    }
    return false;
  };
}

/** Prefix (with RFC 8956 offset) as a word test; undefined when the text does not parse. */
function compilePrefixTest(text: string, offset: number | undefined): ((a: AddressWords | undefined) => boolean) | undefined {
  const p = parsePrefix(text, { allowHostBits: true });
  if (!p.ok) return undefined;
  const words = bytesToWords(p.value.bytes);
  const masks = prefixWordMasks(words.length, p.value.length, offset ?? 0);
  if (words.length === 1) {
    const w = words[0]!;
    const mask = masks[0]!;
    return (a) => a !== undefined && a.length === 1 && ((a[0]! ^ w) & mask) === 0;
  }
  return (a) => {
    if (a === undefined || a.length !== 4) return false;
    for (let i = 0; i < 4; i++) if (((a[i]! ^ words[i]!) & masks[i]!) !== 0) return false;
    return true;
  };
}

const hasPorts = (f: FlowRecord): boolean => (f.protocol === 6 || f.protocol === 17 || f.protocol === 132) && (f.fragmentFlags & 0x06) !== 0x02;
const isIcmp = (f: FlowRecord): boolean => f.protocol === 1 || f.protocol === 58;

/** The component tests of one rule (destination excluded when the index handles it); undefined = never matches. */
function compileTests(rule: MitigationRule, parser: AddressParser, destinationIndexed: boolean): ComponentTest[] | undefined {
  const m = rule.match;
  const tests: ComponentTest[] = [];
  const v4 = rule.family === 'ipv4';
  tests.push(v4 ? (f) => f.family === 4 : (f) => f.family !== 4);
  if (m.protocols) {
    const t = compileRanges(m.protocols);
    tests.push((f) => t(f.protocol));
  }
  if (m.destination !== undefined && !destinationIndexed) {
    const t = compilePrefixTest(m.destination, m.destinationOffset);
    if (!t) return undefined;
    tests.push((_f, view) => t(view.dst));
  }
  if (m.source !== undefined) {
    const t = compilePrefixTest(m.source, m.sourceOffset);
    if (!t) return undefined;
    tests.push((f, view) => {
      if (!view.srcParsed) {
        view.src = parser.parse(f.srcAddr);
        view.srcParsed = true;
      }
      return t(view.src);
    });
  }
  if (m.ports) {
    const t = compileRanges(m.ports);
    tests.push((f) => hasPorts(f) && (t(f.srcPort) || t(f.dstPort)));
  }
  if (m.destinationPorts) {
    const t = compileRanges(m.destinationPorts);
    tests.push((f) => hasPorts(f) && t(f.dstPort));
  }
  if (m.sourcePorts) {
    const t = compileRanges(m.sourcePorts);
    tests.push((f) => hasPorts(f) && t(f.srcPort));
  }
  if (m.icmpTypes) {
    const t = compileRanges(m.icmpTypes);
    tests.push((f) => isIcmp(f) && t(f.icmpType));
  }
  if (m.icmpCodes) {
    const t = compileRanges(m.icmpCodes);
    tests.push((f) => isIcmp(f) && t(f.icmpCode));
  }
  if (m.tcpFlags) {
    const t = compileBitmask(m.tcpFlags);
    tests.push((f) => f.protocol === 6 && t(f.tcpFlags));
  }
  if (m.packetLengths) {
    const t = compileRanges(m.packetLengths);
    tests.push((f) => t(f.packetLengthBytes));
  }
  if (m.dscp) {
    const t = compileRanges(m.dscp);
    tests.push((f) => t(f.dscp));
  }
  if (m.fragment) {
    const t = compileBitmask(m.fragment);
    tests.push((f) => t(f.fragmentFlags));
  }
  if (m.flowLabel) {
    const t = compileRanges(m.flowLabel);
    tests.push((f) => f.family === 6 && t(f.flowLabel));
  }
  return tests;
}

/** IPv4 destinations: one table per prefix length, probed from the longest length down. */
class Ipv4Index {
  private readonly tables = new Map<number, Map<number, Group>>();
  private lengthsDesc: number[] = [];

  private static keyOf(address: number, length: number): number {
    return length === 0 ? 0 : address >>> (32 - length);
  }

  groupFor(p: Prefix): Group {
    let table = this.tables.get(p.length);
    if (!table) {
      table = new Map();
      this.tables.set(p.length, table);
      this.lengthsDesc = [...this.tables.keys()].sort((a, b) => b - a);
    }
    const key = Ipv4Index.keyOf(bytesToWords(p.bytes)[0]!, p.length);
    let g = table.get(key);
    if (!g) {
      g = { rules: [] };
      table.set(key, g);
    }
    return g;
  }

  *groups(): IterableIterator<Group> {
    for (const table of this.tables.values()) yield* table.values();
  }

  longestMatch(address: number, belowLength = 33): Group | undefined {
    for (const len of this.lengthsDesc) {
      if (len >= belowLength) continue;
      const g = this.tables.get(len)!.get(Ipv4Index.keyOf(address, len));
      if (g) return g;
    }
    return undefined;
  }

  linkParents(): void {
    for (const [len, table] of this.tables) {
      for (const [key, g] of table) {
        const address = len === 0 ? 0 : (key * 2 ** (32 - len)) >>> 0;
        const parent = this.longestMatch(address, len);
        if (parent) g.parent = parent;
      }
    }
  }
}

class Ipv6Index {
  private readonly trie = new PrefixTrie<Group>();

  groupFor(p: Prefix): Group {
    let g = this.trie.get(p);
    if (!g) {
      g = { rules: [] };
      this.trie.set(p, g);
    }
    return g;
  }

  *groups(): IterableIterator<Group> {
    for (const e of this.trie.entries()) yield e.value;
  }

  longestMatch(words: AddressWords): Group | undefined {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 4; i++) {
      const w = words[i]!;
      bytes[i * 4] = w >>> 24;
      bytes[i * 4 + 1] = (w >>> 16) & 0xff;
      bytes[i * 4 + 2] = (w >>> 8) & 0xff;
      bytes[i * 4 + 3] = w & 0xff;
    }
    return this.trie.longestMatch(bytes)?.value;
  }

  linkParents(): void {
    for (const { prefix, value } of this.trie.entries()) {
      const covering = this.trie.covering(prefix).filter((e) => e.prefix.length < prefix.length);
      const parent = covering[covering.length - 1];
      if (parent) value.parent = parent.value;
    }
  }
}

function matchesAll(rule: CompiledRule, f: FlowRecord, view: FlowView): boolean {
  for (const t of rule.tests) if (!t(f, view)) return false;
  return true;
}

export function compileClassifier(rules: readonly MitigationRule[]): RuleClassifier {
  const parser = new AddressParser();
  const v4 = new Ipv4Index();
  const v6 = new Ipv6Index();
  /** Rules without an indexable destination, by rule family. */
  const unindexed: { 4: CompiledRule[]; 6: CompiledRule[] } = { 4: [], 6: [] };
  const unmatchable: string[] = [];
  const ids = rules.map((r) => r.id);

  rules.forEach((rule, index) => {
    let dst: Prefix | undefined;
    if (rule.match.destination !== undefined && !(rule.match.destinationOffset && rule.match.destinationOffset > 0)) {
      const p = parsePrefix(rule.match.destination, { allowHostBits: true });
      if (!p.ok) {
        unmatchable.push(rule.id);
        return;
      }
      dst = p.value;
    }
    const tests = compileTests(rule, parser, dst !== undefined);
    if (!tests) {
      unmatchable.push(rule.id);
      return;
    }
    const exact: Partial<Record<BucketField, readonly number[]>> = {};
    const protocols = exactValues(rule.match.protocols);
    const srcPorts = exactValues(rule.match.sourcePorts);
    const dstPorts = exactValues(rule.match.destinationPorts);
    if (protocols) exact.protocol = protocols;
    if (srcPorts) exact.srcPort = srcPorts;
    if (dstPorts) exact.dstPort = dstPorts;
    const compiled: CompiledRule = { index, id: rule.id, terminal: rule.terminal !== false, tests, exact };
    if (!dst) unindexed[rule.family === 'ipv4' ? 4 : 6].push(compiled);
    else (dst.family === 4 ? v4.groupFor(dst) : v6.groupFor(dst)).rules.push(compiled);
  });
  v4.linkParents();
  v6.linkParents();
  for (const g of [...v4.groups(), ...v6.groups()]) g.candidates = buildCandidates(g.rules, BUCKET_FIELDS);
  const unindexedCandidates = { 4: buildCandidates(unindexed[4], BUCKET_FIELDS), 6: buildCandidates(unindexed[6], BUCKET_FIELDS) };

  const matchIndexes = (f: FlowRecord): readonly number[] => {
    const view: FlowView = { dst: parser.parse(f.dstAddr), src: undefined, srcParsed: false };
    const lists: CompiledRule[][] = [];
    const dst = view.dst;
    let group = dst === undefined ? undefined : dst.length === 1 ? v4.longestMatch(dst[0]!) : v6.longestMatch(dst);
    for (; group; group = group.parent) collectCandidates(group.candidates ?? group.rules, f, lists);
    collectCandidates(unindexedCandidates[f.family === 4 ? 4 : 6], f, lists);
    if (lists.length === 0) return EMPTY;
    let out: number[] | undefined;
    if (lists.length === 1) {
      for (const r of lists[0]!) {
        if (!matchesAll(r, f, view)) continue;
        (out ??= []).push(r.index);
        if (r.terminal) break;
      }
      return out ?? EMPTY;
    }
    // Merge the candidate lists by rule index (each is already in rule order).
    const pos = new Array<number>(lists.length).fill(0);
    for (;;) {
      let best = -1;
      let bestIndex = Number.POSITIVE_INFINITY;
      for (let i = 0; i < lists.length; i++) {
        const r = lists[i]![pos[i]!];
        if (r && r.index < bestIndex) {
          best = i;
          bestIndex = r.index;
        }
      }
      if (best < 0) break;
      const r = lists[best]![pos[best]!++]!;
      if (!matchesAll(r, f, view)) continue;
      (out ??= []).push(r.index);
      if (r.terminal) break;
    }
    return out ?? EMPTY;
  };

  return {
    ruleCount: rules.length,
    unmatchableRules: unmatchable,
    matchIndexes,
    classify(f: FlowRecord): readonly string[] {
      const idx = matchIndexes(f);
      return idx.length === 0 ? EMPTY : idx.map((i) => ids[i]!);
    },
  };
}

