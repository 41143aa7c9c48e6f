// Numeric match values (RFC 8955 §4.2.1.1 numeric operators) in the friendly text forms all
// three rule formats share, converted to the model's canonical union of inclusive ranges:
//   53 | dns | 1024-65535 | 1024..65535 | >=512 | >1024&<2048 | =53 | ==53 | !=53
// Several alternatives (OR) may be separated by whitespace, ',' or '|'; '&' joins terms (AND).
// Values are NOT clamped to the field width: "99971" stays 99971 so the validator can reject it
// with the MTU in its message. Open-ended operators (">=512") end at the field maximum, or at
// the value itself when the value already lies beyond the field.
import type { NumericRange, RuleFamily, RuleMatch } from '../model.js';
import { DSCP_NAMES, ICMP_CODE_NAMES, type NameTable, PORT_NAMES, PROTOCOL_NAMES, icmpTypeNames, lookupName } from './names.js';

export type NumericMatchKey = {
  [K in keyof RuleMatch]-?: NonNullable<RuleMatch[K]> extends readonly NumericRange[] ? K : never;
}[keyof RuleMatch];

export const NUMERIC_MATCH_KEYS: readonly NumericMatchKey[] = [
  'protocols',
  'ports',
  'destinationPorts',
  'sourcePorts',
  'icmpTypes',
  'icmpCodes',
  'packetLengths',
  'dscp',
  'flowLabel',
];

export interface NumericField {
  readonly key: NumericMatchKey;
  /** Human label for messages, e.g. "packet length". */
  readonly label: string;
  /** Largest value the packet field holds (RFC 8955 §4.2.2 / RFC 8956 §3). */
  readonly fieldMax: number;
  readonly names?: NameTable;
}

export function numericField(key: NumericMatchKey, family: RuleFamily): NumericField {
  switch (key) {
    case 'protocols':
      return { key, label: family === 'ipv6' ? 'next header' : 'protocol', fieldMax: 0xff, names: PROTOCOL_NAMES };
    case 'ports':
      return { key, label: 'port', fieldMax: 0xffff, names: PORT_NAMES };
    case 'destinationPorts':
      return { key, label: 'destination port', fieldMax: 0xffff, names: PORT_NAMES };
    case 'sourcePorts':
      return { key, label: 'source port', fieldMax: 0xffff, names: PORT_NAMES };
    case 'icmpTypes':
      return { key, label: family === 'ipv6' ? 'ICMPv6 type' : 'ICMP type', fieldMax: 0xff, names: icmpTypeNames(family) };
    case 'icmpCodes':
      return { key, label: family === 'ipv6' ? 'ICMPv6 code' : 'ICMP code', fieldMax: 0xff, ...(family === 'ipv4' ? { names: ICMP_CODE_NAMES } : {}) };
    case 'packetLengths':
      return { key, label: 'packet length', fieldMax: 0xffff };
    case 'dscp':
      return { key, label: 'DSCP', fieldMax: 0x3f, names: DSCP_NAMES };
    case 'flowLabel':
      return { key, label: 'flow label', fieldMax: 0xfffff };
  }
}

export type NumericParse = { readonly ok: true; readonly ranges: NumericRange[] } | { readonly ok: false; readonly code: 'rule_numeric_invalid' | 'rule_name_unknown'; readonly message: string };

type ValueParse = { ok: true; value: number } | { ok: false; code: 'rule_numeric_invalid' | 'rule_name_unknown'; message: string };

/** Sort and merge overlapping or adjacent ranges. */
export function normaliseRanges(ranges: readonly NumericRange[]): NumericRange[] {
  const sorted = [...ranges].sort((a, b) => a.min - b.min || a.max - b.max);
  const out: NumericRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.min <= last.max + 1) {
      if (r.max > last.max) out[out.length - 1] = { min: last.min, max: r.max };
    } else {
      out.push({ min: r.min, max: r.max });
    }
  }
  return out;
}

export function intersectRanges(a: readonly NumericRange[], b: readonly NumericRange[]): NumericRange[] {
  const out: NumericRange[] = [];
  for (const x of a) {
    for (const y of b) {
      const min = Math.max(x.min, y.min);
      const max = Math.min(x.max, y.max);
      if (min <= max) out.push({ min, max });
    }
  }
  return normaliseRanges(out);
}

/** Parse one scalar: decimal or 0x-hex integer, or a name from the field's table. */
export function parseNumericScalar(text: string, field: NumericField): ValueParse {
  const t = text.trim();
  if (/^\d+$/.test(t)) return checkSafe(Number(t), t, field);
  if (/^0x[0-9a-f]+$/i.test(t)) return checkSafe(Number.parseInt(t.slice(2), 16), t, field);
  if (/^-\d/.test(t)) return { ok: false, code: 'rule_numeric_invalid', message: `${field.label}: expected a non-negative integer, found "${t}" (negative)` };
  if (/^\d*\.\d+$/.test(t)) return { ok: false, code: 'rule_numeric_invalid', message: `${field.label}: expected an integer, found "${t}" (not a whole number)` };
  if (field.names) {
    const named = lookupName(field.names, t);
    if (named !== undefined) return { ok: true, value: named };
    return { ok: false, code: 'rule_name_unknown', message: `${field.label}: expected a number or a known name (e.g. ${Object.keys(field.names).slice(0, 4).join(', ')}), found "${t}"` };
  }
  return { ok: false, code: 'rule_numeric_invalid', message: `${field.label}: expected an integer, found "${t}"` };
}

function checkSafe(n: number, text: string, field: NumericField): ValueParse {
  if (!Number.isSafeInteger(n)) {
    return { ok: false, code: 'rule_numeric_invalid', message: `${field.label}: value "${text}" is too large to represent exactly (above 2^53-1)` };
  }
  return { ok: true, value: n };
}

const OPERATOR = /^(==|=|>=|<=|!=|>|<)/;

/** One AND-term: "53", ">=512", "1024-65535", "1024..65535", "dns". */
function parseTerm(term: string, field: NumericField): NumericParse {
  const t = term.trim();
  if (t === '') return { ok: false, code: 'rule_numeric_invalid', message: `${field.label}: empty term (dangling "&"?)` };
  const op = OPERATOR.exec(t)?.[1];
  if (op) {
    const v = parseNumericScalar(t.slice(op.length), field);
    if (!v.ok) return v;
    return { ok: true, ranges: rangesForOperator(op, v.value, field.fieldMax) };
  }
  // A name may itself contain '-' ("ftp-data", "echo-request"): try it whole first.
  const whole = parseNumericScalar(t, field);
  if (whole.ok) return { ok: true, ranges: [{ min: whole.value, max: whole.value }] };
  // Negative, fractional or oversized numbers: the scalar's own message says exactly that.
  if (/^-?\d*\.?\d+$/.test(t)) return whole;
  const range = /^([^-.]+|0x[0-9a-f]+)(?:-|\.\.)([^-.]+|0x[0-9a-f]+)$/i.exec(t);
  if (range) {
    const lo = parseNumericScalar(range[1]!, field);
    if (!lo.ok) return lo;
    const hi = parseNumericScalar(range[2]!, field);
    if (!hi.ok) return hi;
    if (lo.value > hi.value) {
      return { ok: false, code: 'rule_numeric_invalid', message: `${field.label}: range "${t}" starts above its end (expected min <= max)` };
    }
    return { ok: true, ranges: [{ min: lo.value, max: hi.value }] };
  }
  if (whole.code === 'rule_name_unknown') return whole;
  return {
    ok: false,
    code: 'rule_numeric_invalid',
    message: `${field.label}: expected an integer, a range like "1024-65535" or an operator term like ">=512", found "${t}"`,
  };
}

function rangesForOperator(op: string, v: number, fieldMax: number): NumericRange[] {
  const top = Math.max(fieldMax, v);
  switch (op) {
    case '=':
    case '==':
      return [{ min: v, max: v }];
    case '>':
      return [{ min: v + 1, max: Math.max(fieldMax, v + 1) }];
    case '>=':
      return [{ min: v, max: top }];
    case '<':
      return v === 0 ? [] : [{ min: 0, max: v - 1 }];
    case '<=':
      return [{ min: 0, max: v }];
    case '!=': {
      const out: NumericRange[] = [];
      if (v > 0) out.push({ min: 0, max: Math.min(v - 1, fieldMax) });
      if (v < fieldMax) out.push({ min: v + 1, max: fieldMax });
      return out;
    }
    default:
      return [];
  }
}

/** One OR alternative: terms joined by '&'. */
function parseAlternative(alt: string, field: NumericField): NumericParse {
  let acc: NumericRange[] | undefined;
  for (const term of alt.split('&')) {
    const r = parseTerm(term, field);
    if (!r.ok) return r;
    acc = acc === undefined ? r.ranges : intersectRanges(acc, r.ranges);
  }
  const ranges = acc ?? [];
  if (ranges.length === 0) return { ok: false, code: 'rule_numeric_invalid', message: `${field.label}: "${alt.trim()}" matches no value` };
  return { ok: true, ranges };
}

/** Split an expression into OR alternatives (whitespace, ',' or '|'), keeping "a & b" together. */
export function splitAlternatives(text: string): string[] {
  return text
    .replace(/\s*&\s*/g, '&')
    .replace(/(==|>=|<=|!=|=|>|<)\s+/g, '$1')
    .split(/[\s,|]+/)
    .filter((s) => s.length > 0);
}

/** Parse a whole expression (one or more OR alternatives) into canonical ranges. */
export function parseNumericExpression(text: string, field: NumericField): NumericParse {
  const alts = splitAlternatives(text);
  if (alts.length === 0) return { ok: false, code: 'rule_numeric_invalid', message: `${field.label}: expected a value, found an empty string` };
  const all: NumericRange[] = [];
  for (const alt of alts) {
    const r = parseAlternative(alt, field);
    if (!r.ok) return r;
    all.push(...r.ranges);
  }
  return { ok: true, ranges: normaliseRanges(all) };
}

/** Parse a list of alternatives given as separate tokens (Junos/ExaBGP "[ a b c ]"). */
export function parseNumericList(items: readonly string[], field: NumericField): NumericParse {
  return parseNumericExpression(items.join(' '), field);
}

/** Format canonical ranges as friendly text items: 53, "100-200". */
export function formatRangeText(r: NumericRange): string {
  return r.min === r.max ? String(r.min) : `${r.min}-${r.max}`;
}
