// How many TCAM (ternary) entries a rule needs. A TCAM entry matches a value/mask per field, so
// a range must be split into aligned power-of-two blocks (prefixes): [1024, 65535] on 16 bits
// is 1024/6 + 2048/5 + 4096/4 + 8192/3 + 16384/2 + 32768/1 = 6 entries; [1, 65534] is the worst
// case, 2w-2 = 30. A rule is the cross product of its fields, so entries multiply.
import type { BitmaskMatch, MitigationRule, NumericRange } from '../model.js';
import { NUMERIC_FIELDS } from './fields.js';
import { normalizeRanges } from './interval-set.js';

/** Minimal number of aligned prefix blocks covering [min, max] in a `widthBits` field (values clamped to the field). */
export function countRangePrefixes(min: number, max: number, widthBits: number): number {
  const top = 2 ** widthBits - 1;
  let lo = Math.max(0, Math.ceil(min));
  const hi = Math.min(top, Math.floor(max));
  if (!(lo <= hi)) return 0; // also false for NaN
  let count = 0;
  while (lo <= hi) {
    // Largest block aligned at lo that fits in [lo, hi].
    let size = lo === 0 ? 2 ** widthBits : lowestSetBitValue(lo);
    while (size > hi - lo + 1) size /= 2;
    lo += size;
    count++;
  }
  return count;
}

function lowestSetBitValue(n: number): number {
  // n < 2^53; use division so values above 2^31 work.
  let v = 1;
  while (n % (v * 2) === 0) v *= 2;
  return v;
}

/** Entries for one numeric component: the union of its ranges, each expanded. */
export function countComponentEntries(ranges: readonly NumericRange[], widthBits: number): number {
  let total = 0;
  for (const r of normalizeRanges(ranges)) total += countRangePrefixes(r.min, r.max, widthBits);
  return total;
}

function popcount(n: number): number {
  let v = n >>> 0;
  let c = 0;
  while (v) {
    v &= v - 1;
    c++;
  }
  return c;
}

/**
 * Entries for a bitmask match. all/none terms fold into one value/mask; an any term is an OR
 * over its bits (one entry per bit) and a not-all term an OR over its bits being clear. A
 * clause is the product of its OR terms; the match is the sum over its clauses.
 */
export function countBitmaskEntries(match: BitmaskMatch): number {
  let total = 0;
  for (const clause of match) {
    let entries = 1;
    for (const term of clause) {
      if (term.op === 'any' || term.op === 'not-all') entries *= Math.max(1, popcount(term.bits));
    }
    total += entries;
  }
  return total;
}

/** TCAM entries the rule needs on a device that expands ranges into prefixes. At least 1. */
export function countRuleTcamEntries(rule: MitigationRule): number {
  const m = rule.match;
  let entries = 1;
  for (const f of NUMERIC_FIELDS) {
    const ranges = m[f.component];
    if (!ranges || ranges.length === 0) continue;
    let n = countComponentEntries(ranges, f.widthBits);
    // Type 4 matches source OR destination port: one set of entries for each.
    if (f.component === 'ports') n *= 2;
    entries *= Math.max(1, n);
  }
  if (m.tcpFlags && m.tcpFlags.length > 0) entries *= Math.max(1, countBitmaskEntries(m.tcpFlags));
  if (m.fragment && m.fragment.length > 0) entries *= Math.max(1, countBitmaskEntries(m.fragment));
  return entries;
}
