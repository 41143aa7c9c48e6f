// Bitmask operators (RFC 8955 §4.2.1.2) for TCP flags (type 9) and fragment (type 12).
//
//    0   1   2   3   4   5   6   7
//  +---+---+---+---+---+---+---+---+
//  | e | a |  len  | 0 | 0 |not| m |
//  +---+---+---+---+---+---+---+---+
//
// m=1: (data & value) == value; m=0: (data & value) != 0; not negates. AND binds tighter than
// OR, so the wire chain is already the disjunctive normal form BitmaskMatch holds.
import type { BitmaskMatch, BitmaskTerm } from '../rules/model.js';
import type { ByteReader } from '../lib/byte-reader.js';
import type { ByteWriter } from '../lib/byte-writer.js';
import { type ValueLength, lengthCode, readOperatorValue, smallestValueLength, writeOperatorValue } from './numeric-operators.js';

export const BITMASK_OP_BITS = {
  end: 0x80,
  and: 0x40,
  lengthMask: 0x30,
  reserved: 0x0c,
  not: 0x02,
  match: 0x01,
} as const;

/** One bitmask operator/value pair as it is on the wire. */
export interface BitmaskWireTerm {
  readonly and: boolean;
  readonly not: boolean;
  readonly match: boolean;
  readonly value: number;
  readonly valueLength: ValueLength;
}

export function writeBitmaskTerms(w: ByteWriter, terms: readonly BitmaskWireTerm[]): void {
  terms.forEach((t, i) => {
    const last = i === terms.length - 1;
    w.u8(
      (last ? BITMASK_OP_BITS.end : 0) |
        (t.and && i > 0 ? BITMASK_OP_BITS.and : 0) |
        (lengthCode(t.valueLength) << 4) |
        (t.not ? BITMASK_OP_BITS.not : 0) |
        (t.match ? BITMASK_OP_BITS.match : 0),
    );
    writeOperatorValue(w, t.value, t.valueLength);
  });
}

export function readBitmaskTerms(r: ByteReader): BitmaskWireTerm[] {
  const terms: BitmaskWireTerm[] = [];
  for (;;) {
    if (r.atEnd()) r.fail('flowspec_operator_unterminated', 'bitmask operator list ends without the end-of-list bit');
    const at = r.offset;
    const op = r.u8('bitmask operator');
    if (op & BITMASK_OP_BITS.reserved) r.fail('flowspec_operator_reserved', `bitmask operator 0x${op.toString(16)} has reserved bits set`, at);
    const valueLength = (1 << ((op & BITMASK_OP_BITS.lengthMask) >> 4)) as ValueLength;
    const value = readOperatorValue(r, valueLength);
    terms.push({
      and: terms.length > 0 && (op & BITMASK_OP_BITS.and) !== 0,
      not: (op & BITMASK_OP_BITS.not) !== 0,
      match: (op & BITMASK_OP_BITS.match) !== 0,
      value,
      valueLength,
    });
    if (op & BITMASK_OP_BITS.end) return terms;
  }
}

function opOf(t: { not: boolean; match: boolean }): BitmaskTerm['op'] {
  if (t.match) return t.not ? 'not-all' : 'all';
  return t.not ? 'none' : 'any';
}

/** Wire chain -> DNF (a new clause starts at every term without the AND bit). */
export function bitmaskTermsToMatch(terms: readonly BitmaskWireTerm[]): BitmaskTerm[][] {
  const clauses: BitmaskTerm[][] = [];
  for (const t of terms) {
    const term: BitmaskTerm = { op: opOf(t), bits: t.value };
    const last = clauses[clauses.length - 1];
    if (t.and && last) last.push(term);
    else clauses.push([term]);
  }
  return clauses;
}

/** Why a BitmaskMatch cannot be encoded, or undefined. */
export function checkBitmaskMatch(match: BitmaskMatch): string | undefined {
  if (match.length === 0) return 'bitmask match has no clauses';
  for (const clause of match) {
    if (clause.length === 0) return 'bitmask match has an empty clause';
    for (const t of clause) {
      if (!Number.isInteger(t.bits) || t.bits < 0 || t.bits > 0xffffffff) return `bitmask value ${t.bits} is not an integer in 0..2^32-1`;
      if (!['all', 'any', 'none', 'not-all'].includes(t.op)) return `bitmask op "${String(t.op)}" is unknown`;
    }
  }
  return undefined;
}

/** DNF -> wire chain, values in the fewest bytes. */
export function matchToBitmaskTerms(match: BitmaskMatch): BitmaskWireTerm[] {
  const out: BitmaskWireTerm[] = [];
  for (const clause of match) {
    clause.forEach((t, i) => {
      out.push({
        and: i > 0,
        not: t.op === 'none' || t.op === 'not-all',
        match: t.op === 'all' || t.op === 'not-all',
        value: t.bits,
        valueLength: smallestValueLength(t.bits),
      });
    });
  }
  return out;
}
