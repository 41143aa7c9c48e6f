// The native rule file: YAML or JSON (JSON is YAML 1.2), one rule or many (`rules: [...]`).
// Shape is checked with zod; friendly values (numeric operators, flag expressions, durations)
// are converted to MitigationRule with findings that carry the field path and the line/column
// of the offending node. Physically impossible but representable values (packet length 99971)
// are kept: rejecting them is the validator's job.
import { LineCounter, type Node, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import type { BitmaskMatch, BitmaskTerm, Finding, MitigationRule, NumericRange, RuleAction, RuleFamily, RuleMatch, RuleProvenance, RuleScope } from '../model.js';
import { type BitmaskField, FRAGMENT_FIELD, TCP_FLAGS_FIELD, canonicaliseBitmask, parseBitmaskExpressions, parseFlagBits } from './bitmask.js';
import { type NumericField, type NumericMatchKey, normaliseRanges, numericField, parseNumericExpression } from './numeric.js';
import { type ParsedRulePrefix, inferFamily, parseDurationMs, parseInstant, parseRedirectTarget, parseRulePrefix } from './rule-parts.js';
import { suggestClosest } from './suggest.js';
import type { RuleParseOptions, RuleParseResult } from './types.js';

type PathSeg = string | number;

/** Canonical (kebab-case) key -> accepted aliases (model camelCase and plurals). */
const KEY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'approved-by': ['approvedBy'],
  expires: ['expiresAt', 'expires-at'],
  'destination-offset': ['destinationOffset'],
  'source-offset': ['sourceOffset'],
  protocol: ['protocols', 'next-header'],
  port: ['ports'],
  'destination-port': ['destinationPorts', 'destination-ports', 'dport'],
  'source-port': ['sourcePorts', 'source-ports', 'sport'],
  'icmp-type': ['icmpTypes', 'icmp-types'],
  'icmp-code': ['icmpCodes', 'icmp-codes'],
  'tcp-flags': ['tcpFlags'],
  'packet-length': ['packetLengths', 'packet-lengths'],
  'flow-label': ['flowLabel'],
  'attack-id': ['attackId'],
  'signature-id': ['signatureId'],
};

const ALIAS_TO_KEY: ReadonlyMap<string, string> = new Map(Object.entries(KEY_ALIASES).flatMap(([k, as]) => as.map((a) => [a, k] as const)));

/** Native match key -> model key and kind. */
const MATCH_NUMERIC: Readonly<Record<string, NumericMatchKey>> = {
  protocol: 'protocols',
  port: 'ports',
  'destination-port': 'destinationPorts',
  'source-port': 'sourcePorts',
  'icmp-type': 'icmpTypes',
  'icmp-code': 'icmpCodes',
  'packet-length': 'packetLengths',
  dscp: 'dscp',
  'flow-label': 'flowLabel',
};

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list ${truncate(JSON.stringify(v))}`;
  if (v instanceof Date) return `a date ${v.toISOString()}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
  if (typeof v === 'string') return `"${truncate(v)}"`;
  return `${typeof v} ${String(v)}`;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const expectation = (what: string) => ({ error: (iss: { input?: unknown }) => `expected ${what}, found ${describe(iss.input)}` });

const RangeObject = z.strictObject({ min: z.number(), max: z.number() });
const NumericValue = z.union(
  [z.number(), z.string(), RangeObject, z.array(z.union([z.number(), z.string(), RangeObject]))],
  expectation('a number, a range like "1024-65535", an operator string like ">=512", or a list of those'),
);
const FlagList = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]);
const BitmaskClauseObject = z.strictObject({ all: FlagList.optional(), any: FlagList.optional(), none: FlagList.optional(), 'not-all': FlagList.optional() });
const BitmaskTermObject = z.strictObject({ op: z.enum(['all', 'any', 'none', 'not-all']), bits: z.number() });
const BitmaskValue = z.union(
  [z.string(), z.number(), BitmaskClauseObject, z.array(z.union([z.string(), z.number(), BitmaskClauseObject, z.array(BitmaskTermObject)]))],
  expectation('a flag expression like "syn & !ack", an object like {all: [syn], none: [ack]}, or a list of those (OR)'),
);

const MatchSchema = z.strictObject({
  destination: z.string(expectation('a prefix string like "198.51.100.0/24"')).optional(),
  'destination-offset': z.number(expectation('an integer bit offset')).optional(),
  source: z.string(expectation('a prefix string like "203.0.113.0/24"')).optional(),
  'source-offset': z.number(expectation('an integer bit offset')).optional(),
  protocol: NumericValue.optional(),
  port: NumericValue.optional(),
  'destination-port': NumericValue.optional(),
  'source-port': NumericValue.optional(),
  'icmp-type': NumericValue.optional(),
  'icmp-code': NumericValue.optional(),
  'tcp-flags': BitmaskValue.optional(),
  'packet-length': NumericValue.optional(),
  dscp: NumericValue.optional(),
  fragment: BitmaskValue.optional(),
  'flow-label': NumericValue.optional(),
}, expectation('a match object like {destination: 198.51.100.0/24, protocol: udp}'));

const ACTION_VALUE_EXPECTED: Readonly<Record<string, string>> = {
  'rate-limit-bps': 'a non-negative number of bits per second',
  'rate-limit-pps': 'a non-negative number of packets per second',
  redirect: 'a target string like "65000:666"',
  'mark-dscp': 'a DSCP number (0-63)',
};

const ActionValue = z.union(
  [
    z.enum(['discard', 'accept']),
    z.strictObject({ 'rate-limit-bps': z.number() }),
    z.strictObject({ 'rate-limit-pps': z.number() }),
    z.strictObject({ redirect: z.string() }),
    z.strictObject({ 'mark-dscp': z.number() }),
    z.strictObject({ kind: z.enum(['discard', 'accept']) }),
    z.strictObject({ kind: z.literal('rate-limit-bytes'), bytesPerSec: z.number() }),
    z.strictObject({ kind: z.literal('rate-limit-packets'), packetsPerSec: z.number() }),
    z.strictObject({ kind: z.literal('redirect'), target: z.string() }),
    z.strictObject({ kind: z.literal('mark-dscp'), dscp: z.number() }),
  ],
  {
    error: (iss: { input?: unknown }) => {
      const v = iss.input;
      const keys = isPlainObject(v) ? Object.keys(v) : [];
      const key = keys.length === 1 ? keys[0]! : undefined;
      if (key !== undefined && Object.hasOwn(ACTION_VALUE_EXPECTED, key)) return `${key}: expected ${ACTION_VALUE_EXPECTED[key]}, found ${describe((v as Record<string, unknown>)[key])}`;
      return `expected discard, accept, {rate-limit-bps: N}, {rate-limit-pps: N}, {redirect: "ASN:NN"} or {mark-dscp: N}, found ${describe(v)}`;
    },
  },
);

const NameList = z.array(z.string().min(1));
const ScopeValue = z.union(
  [
    z.literal('global'),
    z.strictObject({ pops: NameList }),
    z.strictObject({ regions: NameList }),
    z.strictObject({ kind: z.literal('global') }),
    z.strictObject({ kind: z.literal('pops'), pops: NameList }),
    z.strictObject({ kind: z.literal('regions'), regions: NameList }),
  ],
  expectation('global, {pops: [pop-id, ...]} or {regions: [region, ...]}'),
);

const ProvenanceSchema = z.strictObject({
  author: z.string().optional(),
  reason: z.string().optional(),
  'attack-id': z.string().optional(),
  'signature-id': z.string().optional(),
  origin: z.enum(['native', 'junos', 'exabgp', 'profiler', 'api']).optional(),
}, expectation('a provenance object like {author: alice, reason: "..."}'));

const RuleSchema = z.strictObject({
  id: z.string(expectation('a rule id string')).min(1, 'expected a non-empty rule id'),
  family: z.enum(['ipv4', 'ipv6']).optional(),
  match: MatchSchema,
  action: ActionValue,
  sample: z.boolean().optional(),
  terminal: z.boolean().optional(),
  scope: ScopeValue,
  expires: z.union([z.string(), z.date()], expectation('an ISO-8601 instant like 2026-12-01T00:00:00Z')).optional(),
  ttl: z.union([z.string(), z.number()], expectation('a duration like "2h"')).optional(),
  provenance: ProvenanceSchema.optional(),
  'approved-by': z.string().optional(),
});

const LooseRuleSchema = RuleSchema.partial();

type RawRule = z.infer<typeof LooseRuleSchema>;
type RawBitmask = z.infer<typeof BitmaskValue>;
type RawNumeric = z.infer<typeof NumericValue>;

const RULE_KEYS = Object.keys(RuleSchema.shape);
const MATCH_KEYS = Object.keys(MatchSchema.shape);
const PROVENANCE_KEYS = Object.keys(ProvenanceSchema.shape);

export function formatPath(path: readonly PathSeg[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s;
}

class SourceMap {
  constructor(
    private readonly contents: Node | null,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Line/column of the node at `path` (keys tried under their aliases), or of its deepest existing ancestor. */
  locate(path: readonly PathSeg[], pointAtKey = false): { line: number; column: number } | undefined {
    let node: unknown = this.contents;
    let at: [number, number, number] | undefined = (node as Node | null)?.range ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const names = typeof seg === 'string' ? [seg, ...(KEY_ALIASES[seg] ?? [])] : [String(seg)];
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && names.includes(String(p.key.value)));
        if (!pair) break;
        const last = i === path.length - 1;
        if (last && pointAtKey && isScalar(pair.key)) {
          at = pair.key.range ?? at;
          node = undefined;
          break;
        }
        node = pair.value;
        const range = (pair.value as Node | null)?.range ?? (isScalar(pair.key) ? pair.key.range : undefined);
        if (range) at = range;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (!item) break;
        node = item;
        if ((item as Node).range) at = (item as Node).range!;
      } else {
        break;
      }
    }
    if (!at) return undefined;
    const pos = this.lineCounter.linePos(at[0]);
    return { line: pos.line, column: pos.col };
  }
}

class FindingCollector {
  readonly findings: Finding[] = [];
  constructor(private readonly source: SourceMap) {}

  add(code: string, path: readonly PathSeg[], message: string, extra: { rule?: string; pointAtKey?: boolean; severity?: 'error' | 'warning'; expected?: unknown; actual?: unknown } = {}): void {
    const loc = this.source.locate(path, extra.pointAtKey);
    this.findings.push({
      code,
      severity: extra.severity ?? 'error',
      ...(extra.rule !== undefined ? { rule: extra.rule } : {}),
      component: formatPath(path),
      message,
      ...(extra.expected !== undefined ? { expected: extra.expected } : {}),
      ...(extra.actual !== undefined ? { actual: extra.actual } : {}),
      ...(loc ? { line: loc.line, column: loc.column } : {}),
    });
  }

  errorCount(): number {
    return this.findings.filter((f) => f.severity === 'error').length;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Rename alias keys to canonical ones (one level); a key given under two names is an error. */
function canonicaliseKeys(obj: Record<string, unknown>, path: readonly PathSeg[], out: FindingCollector, rule: string | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const canonical = ALIAS_TO_KEY.get(k) ?? k;
    if (Object.hasOwn(result, canonical)) {
      out.add('rule_field_invalid', [...path, k], `field "${canonical}" is given twice (as "${canonical}" and an alias such as "${k}"); keep one`, { ...(rule ? { rule } : {}), pointAtKey: true });
      continue;
    }
    result[canonical] = v;
  }
  return result;
}

function knownKeysAt(path: readonly PathSeg[]): readonly string[] {
  const last = path[path.length - 1];
  if (last === 'match') return MATCH_KEYS;
  if (last === 'provenance') return PROVENANCE_KEYS;
  return RULE_KEYS;
}

function reportZodIssues(issues: readonly z.core.$ZodIssue[], rulePath: readonly PathSeg[], raw: unknown, out: FindingCollector, rule: string | undefined): void {
  const ruleOpt = rule ? { rule } : {};
  for (const issue of issues) {
    const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const path = [...rulePath, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(path);
      for (const key of issue.keys) {
        const hint = suggestClosest(key, known);
        out.add('rule_field_unknown', [...path, key], `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of: ${known.join(', ')}`, { ...ruleOpt, pointAtKey: true, expected: known, actual: key });
      }
      continue;
    }
    const actual = valueAt(raw, rel);
    if (actual === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
      const field = rel[rel.length - 1];
      out.add('rule_field_missing', path, `missing required field "${String(field)}"; ${expectedPart(issue.message)}`, ruleOpt);
      continue;
    }
    const message = /found|received/.test(issue.message) ? issue.message : `${issue.message}, found ${describe(actual)}`;
    out.add('rule_field_invalid', path, message, { ...ruleOpt, actual });
  }
}

/** A copy of the rule object without the fields (rule-level or match-level) that failed the shape check. */
function withoutIssuePaths(obj: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...obj };
  if (isPlainObject(copy.match)) copy.match = { ...copy.match };
  if (isPlainObject(copy.provenance)) copy.provenance = { ...copy.provenance };
  for (const issue of issues) {
    const [first, second] = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const target = first === undefined ? copy : isPlainObject(copy[first as string]) ? (copy[first as string] as Record<string, unknown>) : undefined;
      if (target) for (const k of issue.keys) delete target[k];
      continue;
    }
    if (first === undefined) continue;
    if ((first === 'match' || first === 'provenance') && second !== undefined && isPlainObject(copy[first])) delete (copy[first] as Record<string, unknown>)[second as string];
    else delete copy[first as string];
  }
  return copy;
}

/** "Invalid input: expected object, received undefined" -> "expected object". */
export function expectedPart(message: string): string {
  return message.replace(/^Invalid input: /, '').replace(/, (received undefined|found nothing)$/, '');
}

function valueAt(raw: unknown, path: readonly PathSeg[]): unknown {
  let v: unknown = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function parseNumericRaw(value: RawNumeric, field: NumericField, path: readonly PathSeg[], out: FindingCollector, rule: string): NumericRange[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    out.add('rule_numeric_invalid', path, `${field.label}: expected at least one value, found an empty list`, { rule });
    return undefined;
  }
  const ranges: NumericRange[] = [];
  let ok = true;
  items.forEach((item, i) => {
    const itemPath = Array.isArray(value) ? [...path, i] : path;
    if (typeof item === 'number') {
      if (!Number.isSafeInteger(item) || item < 0) {
        out.add('rule_numeric_invalid', itemPath, `${field.label}: expected a non-negative integer, found ${item}`, { rule, actual: item });
        ok = false;
        return;
      }
      ranges.push({ min: item, max: item });
    } else if (typeof item === 'string') {
      const r = parseNumericExpression(item, field);
      if (!r.ok) {
        out.add(r.code, itemPath, r.message, { rule, actual: item });
        ok = false;
        return;
      }
      ranges.push(...r.ranges);
    } else {
      const { min, max } = item;
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
        out.add('rule_numeric_invalid', itemPath, `${field.label}: expected {min, max} non-negative integers with min <= max, found {min: ${min}, max: ${max}}`, { rule, actual: item });
        ok = false;
        return;
      }
      ranges.push({ min, max });
    }
  });
  return ok ? normaliseRanges(ranges) : undefined;
}

function flagBits(list: z.infer<typeof FlagList>, field: BitmaskField): { ok: true; bits: number } | { ok: false; code: string; message: string } {
  const items = Array.isArray(list) ? list : [list];
  if (items.length === 0) return { ok: false, code: 'rule_bitmask_invalid', message: `${field.label}: expected at least one flag, found an empty list` };
  let bits = 0;
  for (const it of items) {
    const r = parseFlagBits(String(it), field);
    if (!r.ok) return r;
    bits |= r.bits;
  }
  return { ok: true, bits };
}

function parseBitmaskRaw(value: RawBitmask, field: BitmaskField, path: readonly PathSeg[], out: FindingCollector, rule: string): BitmaskMatch | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    out.add('rule_bitmask_invalid', path, `${field.label}: expected at least one clause, found an empty list`, { rule });
    return undefined;
  }
  const clauses: BitmaskTerm[][] = [];
  let ok = true;
  items.forEach((item, i) => {
    const itemPath = Array.isArray(value) ? [...path, i] : path;
    const fail = (code: string, message: string): void => {
      out.add(code, itemPath, message, { rule, actual: item });
      ok = false;
    };
    if (typeof item === 'string') {
      const r = parseBitmaskExpressions([item], field);
      if (!r.ok) return fail(r.code, r.message);
      clauses.push(...r.match.map((c) => [...c]));
    } else if (typeof item === 'number') {
      const r = parseFlagBits(String(item), field);
      if (!r.ok) return fail(r.code, r.message);
      clauses.push([{ op: 'all', bits: r.bits }]);
    } else if (Array.isArray(item)) {
      const terms: BitmaskTerm[] = [];
      for (const t of item) {
        if (!Number.isInteger(t.bits) || t.bits <= 0 || t.bits > field.maxBits) return fail('rule_bitmask_invalid', `${field.label}: term bits ${t.bits} outside 1..0x${field.maxBits.toString(16)}`);
        terms.push({ op: t.op, bits: t.bits });
      }
      if (terms.length === 0) return fail('rule_bitmask_invalid', `${field.label}: expected at least one term in the clause, found none`);
      clauses.push(terms);
    } else {
      const terms: BitmaskTerm[] = [];
      for (const op of ['all', 'any', 'none', 'not-all'] as const) {
        const list = item[op];
        if (list === undefined) continue;
        const r = flagBits(list, field);
        if (!r.ok) return fail(r.code, r.message);
        terms.push({ op, bits: r.bits });
      }
      if (terms.length === 0) return fail('rule_bitmask_invalid', `${field.label}: expected at least one of all/any/none/not-all, found an empty object`);
      clauses.push(terms);
    }
  });
  return ok ? canonicaliseBitmask(clauses) : undefined;
}

function convertAction(raw: NonNullable<RawRule['action']>, path: readonly PathSeg[], out: FindingCollector, rule: string): RuleAction | undefined {
  const fail = (message: string, actual: unknown): undefined => {
    out.add('rule_action_invalid', path, message, { rule, actual });
    return undefined;
  };
  const nonNegative = (v: number, what: string): boolean => Number.isFinite(v) && v >= 0 ? true : (fail(`${what}: expected a non-negative number, found ${v}`, v), false);
  if (typeof raw === 'string') return { kind: raw };
  if ('kind' in raw) {
    switch (raw.kind) {
      case 'discard':
      case 'accept':
        return { kind: raw.kind };
      case 'rate-limit-bytes':
        return nonNegative(raw.bytesPerSec, 'bytesPerSec') ? { kind: 'rate-limit-bytes', bytesPerSec: raw.bytesPerSec } : undefined;
      case 'rate-limit-packets':
        return nonNegative(raw.packetsPerSec, 'packetsPerSec') ? { kind: 'rate-limit-packets', packetsPerSec: raw.packetsPerSec } : undefined;
      case 'redirect': {
        const r = parseRedirectTarget(raw.target);
        return r.ok ? r.value : fail(r.message, raw.target);
      }
      case 'mark-dscp':
        return Number.isSafeInteger(raw.dscp) && raw.dscp >= 0 ? { kind: 'mark-dscp', dscp: raw.dscp } : fail(`mark-dscp: expected a non-negative integer, found ${raw.dscp}`, raw.dscp);
    }
  }
  if ('rate-limit-bps' in raw) {
    // Routers configure rates in bits per second; the model (traffic-rate-bytes, RFC 8955 §7.3) holds bytes per second.
    return nonNegative(raw['rate-limit-bps'], 'rate-limit-bps') ? { kind: 'rate-limit-bytes', bytesPerSec: raw['rate-limit-bps'] / 8 } : undefined;
  }
  if ('rate-limit-pps' in raw) {
    return nonNegative(raw['rate-limit-pps'], 'rate-limit-pps') ? { kind: 'rate-limit-packets', packetsPerSec: raw['rate-limit-pps'] } : undefined;
  }
  if ('redirect' in raw) {
    const r = parseRedirectTarget(raw.redirect);
    return r.ok ? r.value : fail(r.message, raw.redirect);
  }
  const dscp = raw['mark-dscp'];
  return Number.isSafeInteger(dscp) && dscp >= 0 ? { kind: 'mark-dscp', dscp } : fail(`mark-dscp: expected a non-negative integer, found ${dscp}`, dscp);
}

function convertScope(raw: NonNullable<RawRule['scope']>, path: readonly PathSeg[], out: FindingCollector, rule: string): RuleScope | undefined {
  if (raw === 'global' || ('kind' in raw && raw.kind === 'global')) return { kind: 'global' };
  if ('pops' in raw) {
    if (raw.pops.length === 0) {
      out.add('rule_scope_invalid', [...path, 'pops'], 'scope pops: expected at least one PoP id, found an empty list', { rule });
      return undefined;
    }
    return { kind: 'pops', pops: [...raw.pops] };
  }
  if ('regions' in raw) {
    if (raw.regions.length === 0) {
      out.add('rule_scope_invalid', [...path, 'regions'], 'scope regions: expected at least one region, found an empty list', { rule });
      return undefined;
    }
    return { kind: 'regions', regions: [...raw.regions] };
  }
  return undefined;
}

function convertRule(raw: RawRule, path: readonly PathSeg[], out: FindingCollector, opts: RuleParseOptions): MitigationRule | undefined {
  const before = out.errorCount();
  const rule = raw.id ?? '';
  const m = raw.match ?? {};
  const mPath = [...path, 'match'];

  const prefixOf = (key: 'destination' | 'source'): ParsedRulePrefix | undefined => {
    const text = m[key];
    if (text === undefined) return undefined;
    const r = parseRulePrefix(text, key);
    if (!r.ok) {
      out.add(r.code, [...mPath, key], r.message, { rule, actual: text });
      return undefined;
    }
    return r.value;
  };
  const destination = prefixOf('destination');
  const source = prefixOf('source');

  const ipv6Only = m['flow-label'] !== undefined || m['destination-offset'] !== undefined || m['source-offset'] !== undefined;
  const family: RuleFamily = raw.family ?? inferFamily([destination, source], ipv6Only);
  for (const [key, p] of [['destination', destination], ['source', source]] as const) {
    if (p && p.family !== family) {
      out.add('rule_family_mismatch', [...mPath, key], `${key} ${p.cidr} is ${p.family} but the rule family is ${family}`, { rule, expected: family, actual: p.family });
    }
  }
  if (family === 'ipv4') {
    for (const key of ['flow-label', 'destination-offset', 'source-offset'] as const) {
      if (m[key] !== undefined) out.add('rule_family_mismatch', [...mPath, key], `${key} exists only for IPv6 rules (RFC 8956) but the rule family is ipv4`, { rule, expected: 'ipv6', actual: family });
    }
  }

  const match: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {};
  if (destination) match.destination = destination.cidr;
  if (source) match.source = source.cidr;
  for (const [key, modelKey] of [['destination-offset', 'destinationOffset'], ['source-offset', 'sourceOffset']] as const) {
    const v = m[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) out.add('rule_numeric_invalid', [...mPath, key], `${key}: expected a non-negative integer bit offset, found ${v}`, { rule, actual: v });
    else match[modelKey] = v;
  }
  for (const [key, modelKey] of Object.entries(MATCH_NUMERIC)) {
    const v = m[key as keyof typeof m] as RawNumeric | undefined;
    if (v === undefined) continue;
    const ranges = parseNumericRaw(v, numericField(modelKey, family), [...mPath, key], out, rule);
    if (ranges) match[modelKey] = ranges;
  }
  if (m['tcp-flags'] !== undefined) {
    const b = parseBitmaskRaw(m['tcp-flags'], TCP_FLAGS_FIELD, [...mPath, 'tcp-flags'], out, rule);
    if (b) match.tcpFlags = b;
  }
  if (m.fragment !== undefined) {
    const b = parseBitmaskRaw(m.fragment, FRAGMENT_FIELD, [...mPath, 'fragment'], out, rule);
    if (b) match.fragment = b;
  }

  const action = raw.action === undefined ? undefined : convertAction(raw.action, [...path, 'action'], out, rule);
  const scope = raw.scope === undefined ? undefined : convertScope(raw.scope, [...path, 'scope'], out, rule);

  let expiresAt: string | undefined;
  if (raw.expires !== undefined && raw.ttl !== undefined) {
    out.add('rule_expiry_invalid', [...path, 'ttl'], 'give either expires or ttl, not both', { rule });
  } else if (raw.expires !== undefined) {
    const r = parseInstant(raw.expires);
    if (r.ok) expiresAt = r.value;
    else out.add(r.code, [...path, 'expires'], r.message, { rule, actual: raw.expires });
  } else if (raw.ttl !== undefined) {
    const r = parseDurationMs(raw.ttl);
    if (!r.ok) out.add(r.code, [...path, 'ttl'], r.message, { rule, actual: raw.ttl });
    else if (opts.nowMs === undefined) out.add('rule_expiry_invalid', [...path, 'ttl'], 'ttl needs the current time to become an expiry, and none was given to the parser', { rule });
    else expiresAt = new Date(opts.nowMs + r.value).toISOString();
  }

  if (out.errorCount() > before || !action || !scope || raw.id === undefined || raw.match === undefined) return undefined;

  const p = raw.provenance ?? {};
  const provenance: RuleProvenance = {
    ...(p.author !== undefined ? { author: p.author } : {}),
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    ...(p['attack-id'] !== undefined ? { attackId: p['attack-id'] } : {}),
    ...(p['signature-id'] !== undefined ? { signatureId: p['signature-id'] } : {}),
    origin: p.origin ?? 'native',
  };
  return {
    id: raw.id,
    family,
    match,
    action,
    ...(raw.sample !== undefined ? { sample: raw.sample } : {}),
    ...(raw.terminal !== undefined ? { terminal: raw.terminal } : {}),
    scope,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    provenance,
    ...(raw['approved-by'] !== undefined ? { approvedBy: raw['approved-by'] } : {}),
  };
}

/** Parse a native YAML/JSON rule file. Rules with errors are left out; every problem is a finding. */
export function parseNativeRules(text: string, opts: RuleParseOptions = {}): RuleParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const source = new SourceMap(doc.contents, lineCounter);
  const out = new FindingCollector(source);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      out.findings.push({ code: 'rule_file_syntax', severity: 'error', message: `YAML/JSON syntax: ${e.message.split('\n')[0]}`, line: pos.line, column: pos.col });
    }
    return { rules: [], findings: out.findings };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });

  let entries: Array<{ value: unknown; path: PathSeg[] }>;
  if (data === null || data === undefined) {
    out.findings.push({ code: 'rule_file_empty', severity: 'warning', message: 'the file is empty: expected `rules: [...]` or a rule object' });
    return { rules: [], findings: out.findings };
  } else if (Array.isArray(data)) {
    entries = data.map((value, i) => ({ value, path: [i] }));
  } else if (isPlainObject(data) && 'rules' in data) {
    const extra = Object.keys(data).filter((k) => k !== 'rules');
    for (const k of extra) out.add('rule_field_unknown', [k], `unknown top-level field "${k}"; expected only "rules"`, { pointAtKey: true, actual: k });
    if (!Array.isArray(data.rules)) {
      out.add('rule_field_invalid', ['rules'], `rules: expected a list of rules, found ${describe(data.rules)}`, { actual: data.rules });
      return { rules: [], findings: out.findings };
    }
    entries = data.rules.map((value, i) => ({ value, path: ['rules', i] }));
  } else if (isPlainObject(data)) {
    entries = [{ value: data, path: [] }];
  } else {
    out.add('rule_field_invalid', [], `expected \`rules: [...]\`, a list of rules or one rule object, found ${describe(data)}`, { actual: data });
    return { rules: [], findings: out.findings };
  }
  if (entries.length === 0) {
    out.findings.push({ code: 'rule_file_empty', severity: 'warning', message: 'the file holds no rules (empty list)' });
  }

  const rules: MitigationRule[] = [];
  const idAt = new Map<string, readonly PathSeg[]>();
  for (const { value, path } of entries) {
    if (!isPlainObject(value)) {
      out.add('rule_field_invalid', path, `expected a rule object (id, match, action, scope, ...), found ${describe(value)}`, { actual: value });
      continue;
    }
    const ruleId = typeof value.id === 'string' ? value.id : undefined;
    const canonical = canonicaliseKeys(value, path, out, ruleId);
    if (isPlainObject(canonical.match)) canonical.match = canonicaliseKeys(canonical.match, [...path, 'match'], out, ruleId);
    if (isPlainObject(canonical.provenance)) canonical.provenance = canonicaliseKeys(canonical.provenance, [...path, 'provenance'], out, ruleId);
    if (ruleId !== undefined) {
      const first = idAt.get(ruleId);
      if (first) {
        out.add('rule_duplicate_id', [...path, 'id'], `rule id "${ruleId}" is already used by ${formatPath(first) || 'an earlier rule'}; ids must be unique`, { rule: ruleId, actual: ruleId });
        continue;
      }
      idAt.set(ruleId, path);
    }
    const parsed = RuleSchema.safeParse(canonical);
    if (!parsed.success) {
      reportZodIssues(parsed.error.issues, path, canonical, out, ruleId);
      // Still convert the fields whose shape was fine, so one run reports every problem.
      const loose = LooseRuleSchema.safeParse(withoutIssuePaths(canonical, parsed.error.issues));
      if (loose.success) convertRule(loose.data, path, out, opts);
      continue;
    }
    const rule = convertRule(parsed.data, path, out, opts);
    if (rule) rules.push(rule);
  }
  return { rules, findings: out.findings };
}
