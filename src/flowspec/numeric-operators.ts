// Numeric operators (RFC 8955 §4.2.1.1) and the canonical interval-union form.
//
//    0   1   2   3   4   5   6   7
//  +---+---+---+---+---+---+---+---+
//  | e | a |  len  | 0 |lt |gt |eq |
//  +---+---+---+---+---+---+---+---+
//
// AND binds tighter than OR, so a chain is a disjunction of conjunctions. Any chain over the
// integers denotes a finite union of inclusive intervals, which is how MitigationRule holds it.
import type { NumericRange } from '../rules/model.js';
import type { ByteReader } from '../lib/byte-reader.js';
import type { ByteWriter } from '../lib/byte-writer.js';

export const NUMERIC_OP_BITS = {
  end: 0x80,
  and: 0x40,
  lengthMask: 0x30,
  reserved: 0x08,
  lt: 0x04,
  gt: 0x02,
  eq: 0x01,
} as const;

/** The comparison a term's lt/gt/eq bits express (RFC 8955 §4.2.1.1 table). */
export type NumericComparison = 'false' | '==' | '>' | '>=' | '<' | '<=' | '!=' | 'true';

const COMPARISON_BY_BITS: readonly NumericComparison[] = ['false', '==', '>', '>=', '<', '<=', '!=', 'true'];

export type ValueLength = 1 | 2 | 4 | 8;

/** One operator/value pair as it is on the wire. `and` is false on the first term. */
export interface NumericTerm {
  readonly and: boolean;
  readonly op: NumericComparison;
  readonly value: number;
  readonly valueLength: ValueLength;
}

export function comparisonBits(op: NumericComparison): number {
  return COMPARISON_BY_BITS.indexOf(op);
}

/** Smallest of 1/2/4/8 bytes that holds `value` (the encoder always picks it). */
export function smallestValueLength(value: number): ValueLength {
  if (value <= 0xff) return 1;
  if (value <= 0xffff) return 2;
  if (value <= 0xffffffff) return 4;
  return 8;
}

export function lengthCode(n: ValueLength): number {
  return n === 1 ? 0 : n === 2 ? 1 : n === 4 ? 2 : 3;
}

/** Write a value of 1/2/4/8 bytes big-endian. */
export function writeOperatorValue(w: ByteWriter, value: number, n: ValueLength): void {
  if (n === 8) w.u64(value);
  else w.uint(value, n);
}

/** Read a 1/2/4/8-byte value; 8-byte values beyond 2^53-1 are reported, not rounded. */
export function readOperatorValue(r: ByteReader, n: ValueLength): number {
  if (n !== 8) return r.uint(n, 'operator value');
  const at = r.offset;
  const hi = r.u32('operator value');
  const lo = r.u32('operator value');
  if (hi > 0x1fffff) r.fail('flowspec_value_too_large', `8-byte operator value ${hi.toString(16)}${lo.toString(16).padStart(8, '0')}h is beyond 2^53-1`, at);
  return hi * 0x1_0000_0000 + lo;
}

export function writeNumericTerms(w: ByteWriter, terms: readonly NumericTerm[]): void {
  terms.forEach((t, i) => {
    const last = i === terms.length - 1;
    const op =
      (last ? NUMERIC_OP_BITS.end : 0) |
      (t.and && i > 0 ? NUMERIC_OP_BITS.and : 0) |
      (lengthCode(t.valueLength) << 4) |
      comparisonBits(t.op);
    w.u8(op);
    writeOperatorValue(w, t.value, t.valueLength);
  });
}

/** Read operator/value pairs up to the end-of-list bit. The reader is bounded by the NLRI. */
export function readNumericTerms(r: ByteReader): NumericTerm[] {
  const terms: NumericTerm[] = [];
  for (;;) {
    if (r.atEnd()) r.fail('flowspec_operator_unterminated', 'numeric operator list ends without the end-of-list bit');
    const at = r.offset;
    const op = r.u8('numeric operator');
    if (op & NUMERIC_OP_BITS.reserved) r.fail('flowspec_operator_reserved', `numeric operator 0x${op.toString(16)} has the reserved bit set`, at);
    const valueLength = (1 << ((op & NUMERIC_OP_BITS.lengthMask) >> 4)) as ValueLength;
    const value = readOperatorValue(r, valueLength);
    // RFC 8955 §4.2.1.1: the AND bit of the first operator MUST be treated as unset.
    terms.push({ and: terms.length > 0 && (op & NUMERIC_OP_BITS.and) !== 0, op: COMPARISON_BY_BITS[op & 0x07]!, value, valueLength });
    if (op & NUMERIC_OP_BITS.end) return terms;
  }
}

// ---- interval arithmetic -------------------------------------------------------------

type Interval = readonly [number, number];

function termIntervals(op: NumericComparison, v: number, d: number): Interval[] {
  switch (op) {
    case 'false':
      return [];
    case 'true':
      return [[0, d]];
    case '==':
      return v <= d ? [[v, v]] : [];
    case '>':
      return v < d ? [[v + 1, d]] : [];
    case '>=':
      return v <= d ? [[v, d]] : [];
    case '<':
      return v === 0 ? [] : [[0, Math.min(v - 1, d)]];
    case '<=':
      return [[0, Math.min(v, d)]];
    case '!=': {
      if (v > d) return [[0, d]];
      const out: Interval[] = [];
      if (v > 0) out.push([0, v - 1]);
      if (v < d) out.push([v + 1, d]);
      return out;
    }
  }
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const lo = Math.max(x[0], y[0]);
    const hi = Math.min(x[1], y[1]);
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

/** Sort, merge overlapping and adjacent intervals. */
function normalize(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/**
 * The value domain a chain is evaluated over: the packet field's range when every literal fits
 * in it, otherwise 0..2^53-1 (so a rule naming impossible values, e.g. packet length 99971,
 * keeps them rather than being silently emptied; the validator rejects it).
 */
export function evaluationDomain(values: Iterable<number>, fieldMax: number): number {
  for (const v of values) if (v > fieldMax) return Number.MAX_SAFE_INTEGER;
  return fieldMax;
}

/** Evaluate any AND/OR chain into the canonical sorted, merged, non-adjacent interval union. */
export function evaluateNumericTerms(terms: readonly NumericTerm[], fieldMax: number): NumericRange[] {
  const d = evaluationDomain(
    terms.map((t) => t.value),
    fieldMax,
  );
  const clauses: Interval[][] = [];
  let current: Interval[] | undefined;
  for (const t of terms) {
    const set = termIntervals(t.op, t.value, d);
    if (!t.and || current === undefined) {
      if (current !== undefined) clauses.push(current);
      current = set;
    } else {
      current = intersect(current, set);
    }
  }
  if (current !== undefined) clauses.push(current);
  return normalize(clauses.flat()).map(([min, max]) => ({ min, max }));
}

export interface RangeProblem {
  readonly index: number;
  readonly message: string;
}

/** Check ranges are encodable: integers, 0 <= min <= max <= 2^53-1. */
export function checkRanges(ranges: readonly NumericRange[]): RangeProblem | undefined {
  for (const [index, r] of ranges.entries()) {
    if (!Number.isSafeInteger(r.min) || !Number.isSafeInteger(r.max) || r.min < 0 || r.max < 0) {
      return { index, message: `range ${r.min}-${r.max} is not a pair of integers in 0..2^53-1` };
    }
    if (r.min > r.max) return { index, message: `range ${r.min}-${r.max} has min above max` };
  }
  return undefined;
}

/** Sort and merge ranges into the canonical union (assumes checkRanges passed). */
export function normalizeRanges(ranges: readonly NumericRange[]): NumericRange[] {
  return normalize(ranges.map((r) => [r.min, r.max] as const)).map(([min, max]) => ({ min, max }));
}

function term(and: boolean, op: NumericComparison, value: number): NumericTerm {
  return { and, op, value, valueLength: smallestValueLength(value) };
}

/**
 * Encode an interval union canonically: each interval becomes (== v), (>= min), (<= max) or
 * (>= min AND <= max), the intervals OR'ed in ascending order, values in the fewest bytes.
 * An open end is used when the interval reaches the evaluation domain's edge, so decoding
 * the terms gives back exactly the normalized ranges. An empty union is the single term "false".
 */
export function encodeRangesAsTerms(ranges: readonly NumericRange[], fieldMax: number): NumericTerm[] {
  const norm = normalizeRanges(ranges);
  if (norm.length === 0) return [term(false, 'false', 0)];
  const d = evaluationDomain(
    norm.map((r) => r.max),
    fieldMax,
  );
  const out: NumericTerm[] = [];
  for (const { min, max } of norm) {
    // An open upper end is only safe when decoding will pick the same domain: either the
    // domain is the field, or this term's own literal already lies beyond the field.
    const openUpper = max === d && (d === fieldMax || min > fieldMax);
    if (min === max) out.push(term(false, '==', min));
    else if (openUpper) out.push(term(false, '>=', min));
    else if (min === 0) out.push(term(false, '<=', max));
    else out.push(term(false, '>=', min), term(true, '<=', max));
  }
  return out;
}
