// Overlap between rules: the batch against what is installed and against earlier batch rules.
// A match is a set of packets: the product of its components (absent = any). Prefixes compare
// by containment, numeric components as integer interval sets, bitmasks by enumerating the
// field values that matter (conservative past the enumeration cap), and protocols implied by
// ports/ICMP/TCP flags narrow intersections. Candidates come from a prefix trie keyed by
// destination, so only rules with nested destinations are compared.
import { type Prefix, prefixContains, prefixOverlaps } from '../../lib/prefix.js';
import { PrefixTrie } from '../../lib/prefix-trie.js';
import type { BitmaskMatch, BitmaskTerm, Finding, MitigationRule, NumericRange, RuleAction, RuleFamily } from '../model.js';
import { bitmaskContains, bitmasksIntersect, enumerateReferencedValues, fragmentStates } from './bitmask-logic.js';
import type { ResolvedScope, ValidationEnv } from './context.js';
import { BITMASK_FIELDS, NUMERIC_FIELDS, type NumericComponent } from './fields.js';
import { formatList, makeFinding } from './finding.js';
import { intervalSetContains, intervalSetsIntersect } from './interval-set.js';
import type { RuleFacts } from './rule-facts.js';
import type { ValidateCode } from './codes.js';

interface OverlapEntry {
  readonly id: string;
  readonly installed: boolean;
  readonly rule: MitigationRule;
  readonly family: RuleFamily;
  readonly dst?: Prefix;
  readonly dstOffset: number;
  readonly src?: Prefix;
  readonly srcOffset: number;
  readonly numeric: ReadonlyArray<readonly [NumericComponent, readonly NumericRange[]]>;
  readonly tcpFlags?: BitmaskMatch;
  readonly fragment?: BitmaskMatch;
  /** 256-bit set of protocols a matching packet could carry. */
  readonly protocols: Uint32Array;
  readonly allProtocols: boolean;
  readonly actionKey: string;
  readonly terminal: boolean;
  readonly scope: ResolvedScope;
}

export function describeAction(a: RuleAction): string {
  switch (a.kind) {
    case 'rate-limit-bytes':
      return `rate-limit ${a.bytesPerSec} bytes/s`;
    case 'rate-limit-packets':
      return `rate-limit ${a.packetsPerSec} packets/s`;
    case 'redirect':
      return `redirect ${a.target}`;
    case 'mark-dscp':
      return `mark DSCP ${a.dscp}`;
    default:
      return a.kind;
  }
}

function bitmaskWellFormed(m: BitmaskMatch | undefined, widthBits: number): boolean {
  if (m === undefined) return true;
  if (!Array.isArray(m) || m.length === 0) return false;
  const max = 2 ** widthBits - 1;
  return m.every((c: BitmaskMatch[number]) => c.every((t: BitmaskTerm) => Number.isSafeInteger(t.bits) && t.bits >= 0 && t.bits <= max));
}

/** Entry for overlap analysis, or undefined when the rule is malformed (its errors are reported elsewhere). */
function toEntry(facts: RuleFacts, installed: boolean): OverlapEntry | undefined {
  const rule = facts.rule;
  if (facts.destination && !facts.destination.ok) return undefined;
  if (facts.source && !facts.source.ok) return undefined;
  const numeric: Array<readonly [NumericComponent, readonly NumericRange[]]> = [];
  for (const f of NUMERIC_FIELDS) {
    const set = facts.numeric.get(f.component);
    if (set === undefined) continue;
    if (set.length === 0) return undefined;
    numeric.push([f.component, set]);
  }
  for (const f of BITMASK_FIELDS) if (!bitmaskWellFormed(rule.match[f.component], f.widthBits)) return undefined;
  const protocols = new Uint32Array(8);
  for (const p of facts.feasibleProtocols) protocols[p >>> 5] = (protocols[p >>> 5] ?? 0) | (1 << (p & 31));
  return {
    id: rule.id,
    installed,
    rule,
    family: rule.family,
    ...(facts.destination?.ok ? { dst: facts.destination.prefix } : {}),
    dstOffset: Number(rule.match.destinationOffset ?? 0) || 0,
    ...(facts.source?.ok ? { src: facts.source.prefix } : {}),
    srcOffset: Number(rule.match.sourceOffset ?? 0) || 0,
    numeric,
    ...(rule.match.tcpFlags ? { tcpFlags: rule.match.tcpFlags } : {}),
    ...(rule.match.fragment ? { fragment: rule.match.fragment } : {}),
    protocols,
    allProtocols: facts.feasibleProtocols.length === 256,
    actionKey: JSON.stringify(rule.action),
    terminal: rule.terminal !== false,
    scope: facts.scope,
  };
}

function prefixContainsWithOffset(outer: Prefix | undefined, outerOffset: number, inner: Prefix | undefined, innerOffset: number): boolean {
  if (!outer) return true;
  if (!inner) return false;
  if (outerOffset !== innerOffset) return false;
  return prefixContains(outer, inner);
}

function prefixIntersectsWithOffset(a: Prefix | undefined, aOffset: number, b: Prefix | undefined, bOffset: number): boolean {
  if (!a || !b) return true;
  if (aOffset !== 0 || bOffset !== 0) return true; // conservative
  return prefixOverlaps(a, b);
}

function findNumeric(e: OverlapEntry, c: NumericComponent): readonly NumericRange[] | undefined {
  for (const [k, v] of e.numeric) if (k === c) return v;
  return undefined;
}

/** True when every packet `inner` matches is matched by `outer` (sufficient test; may miss some). */
function matchContains(outer: OverlapEntry, inner: OverlapEntry): boolean {
  if (outer.family !== inner.family) return false;
  if (!prefixContainsWithOffset(outer.dst, outer.dstOffset, inner.dst, inner.dstOffset)) return false;
  if (!prefixContainsWithOffset(outer.src, outer.srcOffset, inner.src, inner.srcOffset)) return false;
  for (const [c, set] of outer.numeric) {
    const other = findNumeric(inner, c);
    if (!other || !intervalSetContains(set, other)) return false;
  }
  if (outer.tcpFlags) {
    if (!inner.tcpFlags || !bitmaskContains(outer.tcpFlags, inner.tcpFlags, enumerateReferencedValues([outer.tcpFlags, inner.tcpFlags]))) return false;
  }
  if (outer.fragment) {
    if (!inner.fragment || !bitmaskContains(outer.fragment, inner.fragment, fragmentStates(outer.family))) return false;
  }
  return true;
}

/** True when some packet may match both (exact per component; bitmasks conservative past the cap). */
function matchesIntersect(a: OverlapEntry, b: OverlapEntry): boolean {
  if (a.family !== b.family) return false;
  if (!prefixIntersectsWithOffset(a.dst, a.dstOffset, b.dst, b.dstOffset)) return false;
  if (!prefixIntersectsWithOffset(a.src, a.srcOffset, b.src, b.srcOffset)) return false;
  for (const [c, set] of a.numeric) {
    const other = findNumeric(b, c);
    if (other && !intervalSetsIntersect(set, other)) return false;
  }
  if (!a.allProtocols && !b.allProtocols) {
    let any = 0;
    for (let i = 0; i < 8; i++) any |= a.protocols[i]! & b.protocols[i]!;
    if (any === 0) return false;
  }
  if (a.tcpFlags && b.tcpFlags && !bitmasksIntersect(a.tcpFlags, b.tcpFlags, enumerateReferencedValues([a.tcpFlags, b.tcpFlags]))) return false;
  if (a.fragment && b.fragment && !bitmasksIntersect(a.fragment, b.fragment, fragmentStates(a.family))) return false;
  return true;
}

function scopeListKey(scope: MitigationRule['scope']): readonly string[] {
  return scope.kind === 'pops' ? scope.pops : scope.kind === 'regions' ? scope.regions : [];
}

function scopesIntersect(env: ValidationEnv, a: OverlapEntry, b: OverlapEntry): boolean {
  if (a.scope.global || b.scope.global) return true;
  if (env.network) {
    for (const id of a.scope.popIds) if (b.scope.popIds.has(id)) return true;
    return false;
  }
  if (a.rule.scope.kind !== b.rule.scope.kind) return true; // unknown without a network
  const other = new Set(scopeListKey(b.rule.scope));
  return scopeListKey(a.rule.scope).some((x) => other.has(x));
}

function scopeContains(env: ValidationEnv, outer: OverlapEntry, inner: OverlapEntry): boolean {
  if (outer.scope.global) return true;
  if (env.network) {
    if (inner.scope.popIds.size === 0) return false;
    for (const id of inner.scope.popIds) if (!outer.scope.popIds.has(id)) return false;
    return true;
  }
  if (inner.scope.global || outer.rule.scope.kind !== inner.rule.scope.kind) return false;
  const have = new Set(scopeListKey(outer.rule.scope));
  return scopeListKey(inner.rule.scope).every((x) => have.has(x));
}

type Relation = 'duplicate' | 'same-match' | 'inside' | 'contains' | 'partial';

function label(e: OverlapEntry): string {
  return `${e.installed ? 'installed' : 'earlier'} rule ${e.id}`;
}

export function checkOverlaps(batch: readonly RuleFacts[], installed: readonly RuleFacts[], env: ValidationEnv, out: Finding[]): void {
  // Duplicate ids inside the batch. A batch id equal to an installed id replaces that rule.
  const seenIds = new Map<string, number>();
  for (const f of batch) {
    const first = seenIds.get(f.rule.id);
    if (first !== undefined) {
      out.push(makeFinding('validate_rule_id_duplicate', 'error', { rule: f.rule.id, component: 'id', message: `rule id ${f.rule.id} is used by rules #${first + 1} and #${f.index + 1} of the batch`, expected: 'unique ids', actual: f.rule.id }));
    } else seenIds.set(f.rule.id, f.index);
  }

  const trie = new PrefixTrie<OverlapEntry[]>();
  const noDestination: OverlapEntry[] = [];
  const insert = (e: OverlapEntry): void => {
    if (!e.dst) {
      noDestination.push(e);
      return;
    }
    const list = trie.get(e.dst);
    if (list) list.push(e);
    else trie.set(e.dst, [e]);
  };
  for (const f of installed) {
    if (seenIds.has(f.rule.id)) continue;
    const e = toEntry(f, true);
    if (e) insert(e);
  }

  for (const f of batch) {
    const e = toEntry(f, false);
    if (!e) continue;
    const candidates: OverlapEntry[] = [...noDestination];
    if (e.dst) {
      for (const hit of trie.covering(e.dst)) candidates.push(...hit.value);
      for (const hit of trie.covered(e.dst)) if (hit.prefix.length !== e.dst.length) candidates.push(...hit.value);
    } else {
      for (const hit of trie.entries()) candidates.push(...hit.value);
    }
    const related = new Map<ValidateCode, Array<{ other: OverlapEntry; relation: Relation }>>();
    const note = (code: ValidateCode, other: OverlapEntry, relation: Relation): void => {
      const list = related.get(code);
      if (list) list.push({ other, relation });
      else related.set(code, [{ other, relation }]);
    };
    for (const other of candidates) {
      if (other.family !== e.family || !scopesIntersect(env, other, e)) continue;
      const sameAction = other.actionKey === e.actionKey;
      const otherHolds = matchContains(other, e);
      const thisHolds = matchContains(e, other);
      if (otherHolds && thisHolds) {
        note(sameAction ? 'validate_overlap_duplicate' : 'validate_overlap_conflicting_action', other, sameAction ? 'duplicate' : 'same-match');
      } else if (otherHolds && other.terminal && scopeContains(env, other, e)) {
        note(sameAction ? 'validate_overlap_shadowed' : 'validate_overlap_action_conflict', other, 'inside');
      } else if (!sameAction && (otherHolds || thisHolds || matchesIntersect(other, e))) {
        note('validate_overlap_action_conflict', other, otherHolds ? 'inside' : thisHolds ? 'contains' : 'partial');
      }
    }
    for (const [code, list] of related) out.push(overlapFinding(code, e, list));
    insert(e);
  }
}

function overlapFinding(code: ValidateCode, e: OverlapEntry, list: ReadonlyArray<{ other: OverlapEntry; relation: Relation }>): Finding {
  const first = list[0]!;
  const more = list.length > 1 ? ` (and ${list.length - 1} more: ${formatList(list.slice(1).map((x) => x.other.id), 4)})` : '';
  const mine = describeAction(e.rule.action);
  const theirs = describeAction(first.other.rule.action);
  const ids = list.map((x) => x.other.id);
  const base = { rule: e.id, component: 'match', actual: ids.slice(0, 20) };
  switch (code) {
    case 'validate_overlap_duplicate':
      return makeFinding(code, 'warning', { ...base, message: `rule ${e.id} duplicates ${label(first.other)}: same match and action (${mine})${more}`, expected: 'a match no other rule has' });
    case 'validate_overlap_conflicting_action':
      return makeFinding(code, 'error', {
        ...base,
        message: `rule ${e.id} has the same match as ${label(first.other)} but action ${mine} instead of ${theirs}: Flowspec keys routes by match, so one would replace the other${more}`,
        expected: `action ${theirs} or a different match`,
      });
    case 'validate_overlap_shadowed':
      return makeFinding(code, 'warning', {
        ...base,
        message: `rule ${e.id} is shadowed: every packet it matches is already matched by terminal ${label(first.other)} with the same action (${mine}) in the same PoPs${more}`,
        expected: 'a match not covered by an existing rule',
      });
    case 'validate_overlap_action_conflict': {
      const how = first.relation === 'inside' ? `lies entirely inside ${label(first.other)}` : first.relation === 'contains' ? `entirely contains ${label(first.other)}` : `partly overlaps ${label(first.other)}`;
      return makeFinding(code, 'warning', {
        ...base,
        message: `rule ${e.id} (${mine}) ${how} (${theirs}): packets matching both get whichever rule the device orders first (RFC 8955 §5.1 on Flowspec routers, list order in nftables)${more}`,
        expected: 'non-overlapping matches, or the same action',
      });
    }
    default:
      return makeFinding(code, 'warning', { ...base, message: `rule ${e.id} overlaps ${label(first.other)}${more}` });
  }
}
