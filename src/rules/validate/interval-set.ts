// Numeric match components as sets of integers: a sorted list of disjoint, non-adjacent
// inclusive ranges. Used for subset/intersection in overlap analysis and for formatting.
import type { NumericRange } from '../model.js';

/** A range the model can hold but that denotes no integers is dropped here (the value checks report it). */
export function isWellFormedRange(r: NumericRange): boolean {
  return Number.isSafeInteger(r.min) && Number.isSafeInteger(r.max) && r.min >= 0 && r.min <= r.max;
}

/** Sort, drop malformed ranges, merge overlapping and adjacent ranges ([1,5],[6,9] -> [1,9]). */
export function normalizeRanges(ranges: readonly NumericRange[]): NumericRange[] {
  const valid = ranges.filter(isWellFormedRange).slice().sort((a, b) => a.min - b.min || a.max - b.max);
  const out: Array<{ min: number; max: number }> = [];
  for (const r of valid) {
    const last = out[out.length - 1];
    if (last && r.min <= last.max + 1) {
      if (r.max > last.max) last.max = r.max;
    } else out.push({ min: r.min, max: r.max });
  }
  return out;
}

/** Both arguments normalized. True when every integer of `inner` is in `outer`. */
export function intervalSetContains(outer: readonly NumericRange[], inner: readonly NumericRange[]): boolean {
  let i = 0;
  for (const r of inner) {
    while (i < outer.length && outer[i]!.max < r.min) i++;
    const o = outer[i];
    if (!o || o.min > r.min || o.max < r.max) return false;
  }
  return true;
}

/** Both arguments normalized. True when some integer is in both. */
export function intervalSetsIntersect(a: readonly NumericRange[], b: readonly NumericRange[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x.max < y.min) i++;
    else if (y.max < x.min) j++;
    else return true;
  }
  return false;
}

export function intervalSetsEqual(a: readonly NumericRange[], b: readonly NumericRange[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.min !== b[i]!.min || a[i]!.max !== b[i]!.max) return false;
  return true;
}

export function intervalSetHas(set: readonly NumericRange[], value: number): boolean {
  return set.some((r) => r.min <= value && value <= r.max);
}

/** "53", "99971-99985", "99971, 99985", "1-5, 9" (as written, not normalized). */
export function formatRanges(ranges: readonly NumericRange[]): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`)).join(', ');
}
