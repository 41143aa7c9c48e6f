import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, decodeWith } from '../lib/byte-reader.js';
import { ByteWriter, bytesToHex } from '../lib/byte-writer.js';
import {
  type NumericComparison,
  type NumericTerm,
  encodeRangesAsTerms,
  evaluateNumericTerms,
  normalizeRanges,
  readNumericTerms,
  smallestValueLength,
  writeNumericTerms,
} from './numeric-operators.js';

const OPS: NumericComparison[] = ['false', '==', '>', '>=', '<', '<=', '!=', 'true'];

function holds(op: NumericComparison, x: number, v: number): boolean {
  switch (op) {
    case 'false':
      return false;
    case 'true':
      return true;
    case '==':
      return x === v;
    case '>':
      return x > v;
    case '>=':
      return x >= v;
    case '<':
      return x < v;
    case '<=':
      return x <= v;
    case '!=':
      return x !== v;
  }
}

/** RFC 8955 §4.2.1.1 semantics evaluated directly: AND binds tighter than OR. */
function matchesDirectly(terms: readonly NumericTerm[], x: number): boolean {
  let any = false;
  let clause: boolean | undefined;
  for (const t of terms) {
    const h = holds(t.op, x, t.value);
    if (!t.and || clause === undefined) {
      if (clause !== undefined) any ||= clause;
      clause = h;
    } else clause = clause && h;
  }
  return any || clause === true;
}

function inRanges(ranges: ReadonlyArray<{ min: number; max: number }>, x: number): boolean {
  return ranges.some((r) => x >= r.min && x <= r.max);
}

const termArb = (maxValue: number): fc.Arbitrary<NumericTerm> =>
  fc.record({
    and: fc.boolean(),
    op: fc.constantFrom(...OPS),
    value: fc.integer({ min: 0, max: maxValue }),
  }).map((t) => ({ ...t, valueLength: smallestValueLength(t.value) }));

describe('numeric operators', () => {
  it('evaluates any AND/OR chain to the interval union that matches exactly the same values (8-bit field)', () => {
    fc.assert(
      fc.property(fc.array(termArb(300), { minLength: 1, maxLength: 8 }), (raw) => {
        const terms = raw.map((t, i) => (i === 0 ? { ...t, and: false } : t));
        const ranges = evaluateNumericTerms(terms, 0xff);
        const domain = terms.some((t) => t.value > 0xff) ? 400 : 0xff;
        for (let x = 0; x <= domain; x++) expect(inRanges(ranges, x)).toBe(matchesDirectly(terms, x));
        // Canonical: sorted, disjoint, non-adjacent.
        for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.min).toBeGreaterThan(ranges[i - 1]!.max + 1);
      }),
      { numRuns: 400 },
    );
  });

  it('encodes an interval union so decoding gives back the normalized union (any field, values beyond it)', () => {
    const rangeArb = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
    fc.assert(
      fc.property(
        fc.constantFrom(0x3f, 0xff, 0xffff, 0xfffff),
        fc.array(fc.oneof(rangeArb(0x3f), rangeArb(0x1_0000), rangeArb(2 ** 40), fc.constant({ min: 0, max: Number.MAX_SAFE_INTEGER })), { maxLength: 6 }),
        (fieldMax, ranges) => {
          const terms = encodeRangesAsTerms(ranges, fieldMax);
          expect(evaluateNumericTerms(terms, fieldMax)).toEqual(normalizeRanges(ranges));
          // Every value uses the smallest length that holds it.
          for (const t of terms) expect(t.valueLength).toBe(smallestValueLength(t.value));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps an impossible packet length (99971-99985) rather than emptying it', () => {
    const terms = encodeRangesAsTerms([{ min: 99971, max: 99985 }], 0xffff);
    expect(terms.map((t) => [t.op, t.value, t.valueLength])).toEqual([
      ['>=', 99971, 4],
      ['<=', 99985, 4],
    ]);
    expect(evaluateNumericTerms(terms, 0xffff)).toEqual([{ min: 99971, max: 99985 }]);
  });

  it('writes operators with end/and/length bits and reads them back for every value length', () => {
    const terms: NumericTerm[] = [
      { and: false, op: '>=', value: 0x12, valueLength: 1 },
      { and: true, op: '<=', value: 0x1234, valueLength: 2 },
      { and: false, op: '==', value: 0x12345678, valueLength: 4 },
      { and: false, op: '!=', value: 2 ** 52 + 3, valueLength: 8 },
    ];
    const w = new ByteWriter();
    writeNumericTerms(w, terms);
    const bytes = w.finish();
    expect(bytesToHex(bytes)).toBe('0312' + '551234' + '2112345678' + 'b60010000000000003');
    expect(readNumericTerms(new ByteReader(bytes))).toEqual(terms);
  });

  it('reports an 8-byte value beyond 2^53-1 instead of rounding it', () => {
    const bytes = Uint8Array.from([0xb1, 0x00, 0x20, 0, 0, 0, 0, 0, 0]);
    const r = decodeWith(() => readNumericTerms(new ByteReader(bytes)));
    expect(!r.ok && r.error.code).toBe('flowspec_value_too_large');
  });

  it('treats the AND bit of the first operator as unset', () => {
    const terms = readNumericTerms(new ByteReader(Uint8Array.from([0xc1, 0x06])));
    expect(terms[0]!.and).toBe(false);
    expect(evaluateNumericTerms(terms, 0xff)).toEqual([{ min: 6, max: 6 }]);
  });

  it('encodes the empty union as the single term "false"', () => {
    const terms = encodeRangesAsTerms([], 0xff);
    expect(terms).toEqual([{ and: false, op: 'false', value: 0, valueLength: 1 }]);
    expect(evaluateNumericTerms(terms, 0xff)).toEqual([]);
  });
});
