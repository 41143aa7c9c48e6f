// Exact reasoning about bitmask matches (RFC 8955 §4.2.1.2) by enumerating the field values that
// matter: for fragments, the few fragment states an IP packet can be in; for TCP flags, every
// combination of the bits the matches mention (capped; beyond the cap callers stay conservative).
import type { BitmaskMatch, BitmaskTerm, RuleFamily } from '../model.js';
import { FRAGMENT_BITS } from '../model.js';

function termHolds(term: BitmaskTerm, value: number): boolean {
  const bits = term.bits >>> 0;
  const masked = (value & bits) >>> 0;
  switch (term.op) {
    case 'all':
      return masked === bits;
    case 'any':
      return masked !== 0;
    case 'none':
      return masked === 0;
    case 'not-all':
      return masked !== bits;
    default:
      return false;
  }
}

/** OR over clauses, AND over each clause's terms. */
export function evaluateBitmask(match: BitmaskMatch, value: number): boolean {
  return match.some((clause) => clause.every((t) => termHolds(t, value)));
}

/**
 * Fragment field values a packet can show (RFC 8955 §4.2.2.12): DF = don't fragment; IsF = a
 * fragment other than the first (offset != 0); FF = first fragment (offset 0, MF set); LF = last
 * fragment (offset != 0, MF clear). IPv6 has no DF bit (RFC 8956 §3.6), so DF is always 0 there.
 */
export function fragmentStates(family: RuleFamily): readonly number[] {
  const { 'dont-fragment': DF, 'is-fragment': IsF, 'first-fragment': FF, 'last-fragment': LF } = FRAGMENT_BITS;
  const base = [0, FF, IsF, IsF | LF];
  return family === 'ipv4' ? [...base, ...base.map((v) => v | DF)] : base;
}

/** True when the fragment value describes a non-first fragment (no transport header). */
export function isNonFirstFragment(value: number): boolean {
  return (value & FRAGMENT_BITS['is-fragment']) !== 0;
}

const MAX_ENUMERATED_BITS = 12;

/** Every combination of the bits the matches mention, or undefined when there are too many. */
export function enumerateReferencedValues(matches: readonly BitmaskMatch[]): number[] | undefined {
  let mask = 0;
  for (const m of matches) for (const clause of m) for (const t of clause) mask = (mask | t.bits) >>> 0;
  const bits: number[] = [];
  for (let b = 0; b < 32; b++) if ((mask >>> b) & 1) bits.push((1 << b) >>> 0);
  if (bits.length > MAX_ENUMERATED_BITS) return undefined;
  const out: number[] = [];
  for (let i = 0; i < 1 << bits.length; i++) {
    let v = 0;
    for (let k = 0; k < bits.length; k++) if ((i >> k) & 1) v = (v | bits[k]!) >>> 0;
    out.push(v);
  }
  return out;
}

/**
 * Whether some value satisfies the match. With too many bits to enumerate, a clause counts as
 * unsatisfiable only when it needs a bit both set and clear (conservative).
 */
export function isBitmaskSatisfiable(match: BitmaskMatch, candidates: readonly number[] | undefined): boolean {
  if (candidates) return candidates.some((v) => evaluateBitmask(match, v));
  return match.some((clause) => {
    let one = 0;
    let zero = 0;
    for (const t of clause) {
      if (t.op === 'all') one = (one | t.bits) >>> 0;
      if (t.op === 'none') zero = (zero | t.bits) >>> 0;
      if (t.op === 'any' && t.bits === 0) return false;
    }
    return (one & zero) === 0;
  });
}

/** Exact containment over the candidates; undefined candidates: only structural equality counts. */
export function bitmaskContains(outer: BitmaskMatch, inner: BitmaskMatch, candidates: readonly number[] | undefined): boolean {
  if (!candidates) return JSON.stringify(outer) === JSON.stringify(inner);
  return candidates.every((v) => !evaluateBitmask(inner, v) || evaluateBitmask(outer, v));
}

/** Exact intersection over the candidates; undefined candidates: assume they intersect. */
export function bitmasksIntersect(a: BitmaskMatch, b: BitmaskMatch, candidates: readonly number[] | undefined): boolean {
  if (!candidates) return true;
  return candidates.some((v) => evaluateBitmask(a, v) && evaluateBitmask(b, v));
}
