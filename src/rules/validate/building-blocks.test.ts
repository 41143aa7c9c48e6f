// The pieces the validator reasons with: TCAM expansion, interval sets, bitmask logic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAGMENT_BITS, TCP_FLAG_BITS } from '../model.js';
import type { BitmaskMatch, MitigationRule } from '../model.js';
import { bitmaskContains, bitmasksIntersect, enumerateReferencedValues, evaluateBitmask, fragmentStates, isBitmaskSatisfiable } from './bitmask-logic.js';
import { countMultiValueRanges } from './check-devices.js';
import { intervalSetContains, intervalSetsIntersect, normalizeRanges } from './interval-set.js';
import { countBitmaskEntries, countRangePrefixes, countRuleTcamEntries } from './ternary-expansion.js';

describe('countRangePrefixes (range -> ternary/prefix entries)', () => {
  it.each([
    [1024, 65535, 16, 6],
    [0, 65535, 16, 1],
    [53, 53, 16, 1],
    [1, 65534, 16, 30], // worst case 2w-2
    [512, 4470, 16, 10], // 512-1023, 1024-2047, 2048-4095, 4096-4351, 4352-4415, 4416-4447, 4448-4463, 4464-4467, 4468-4469, 4470
    [0, 63, 6, 1],
    [99971, 99985, 16, 0], // entirely beyond the field: nothing to program
    [5, 4, 16, 0],
    [Number.NaN, 4, 16, 0],
  ])('[%d, %d] on %d bits -> %d', (min, max, bits, expected) => {
    expect(countRangePrefixes(min, max, bits)).toBe(expected);
  });

  it('covers exactly the range with disjoint aligned blocks (brute force, 8 bits)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        // Independent count: greedy by trying every block size at every position.
        let n = 0;
        for (let x = lo; x <= hi; ) {
          let size = 256;
          while (size > 1 && (x % size !== 0 || x + size - 1 > hi)) size /= 2;
          x += size;
          n++;
        }
        expect(countRangePrefixes(lo, hi, 8)).toBe(n);
        expect(n).toBeLessThanOrEqual(14);
      }),
    );
  });

  it('multiplies components and doubles type-4 ports', () => {
    const rule = (match: MitigationRule['match']): MitigationRule => ({ id: 'x', family: 'ipv4', match, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} });
    expect(countRuleTcamEntries(rule({ destination: '192.0.2.0/24' }))).toBe(1);
    expect(countRuleTcamEntries(rule({ destinationPorts: [{ min: 1024, max: 65535 }], packetLengths: [{ min: 1024, max: 65535 }] }))).toBe(36);
    expect(countRuleTcamEntries(rule({ ports: [{ min: 1024, max: 65535 }] }))).toBe(12);
    expect(countRuleTcamEntries(rule({ tcpFlags: [[{ op: 'any', bits: TCP_FLAG_BITS.syn | TCP_FLAG_BITS.fin }]] }))).toBe(2);
    expect(countBitmaskEntries([[{ op: 'all', bits: 2 }], [{ op: 'none', bits: 2 }, { op: 'not-all', bits: 0x12 }]])).toBe(3);
  });

  it('counts multi-value ranges per rule', () => {
    const rule = (match: MitigationRule['match']): MitigationRule => ({ id: 'x', family: 'ipv4', match, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} });
    expect(countMultiValueRanges(rule({ sourcePorts: [{ min: 53, max: 53 }] }))).toBe(0);
    expect(countMultiValueRanges(rule({ sourcePorts: [{ min: 53, max: 53 }, { min: 123, max: 123 }], packetLengths: [{ min: 512, max: 4470 }] }))).toBe(3);
  });
});

describe('interval sets', () => {
  it('normalizes, merging adjacent ranges and dropping malformed ones', () => {
    expect(normalizeRanges([{ min: 6, max: 9 }, { min: 1, max: 5 }, { min: 20, max: 10 }, { min: Number.NaN, max: 3 }, { min: 30, max: 30 }])).toEqual([
      { min: 1, max: 9 },
      { min: 30, max: 30 },
    ]);
  });

  it('agrees with brute force on containment and intersection', () => {
    const set = fc.array(fc.record({ min: fc.integer({ min: 0, max: 40 }), max: fc.integer({ min: 0, max: 40 }) }), { maxLength: 4 });
    fc.assert(
      fc.property(set, set, (a, b) => {
        const na = normalizeRanges(a);
        const nb = normalizeRanges(b);
        const has = (s: typeof na, v: number): boolean => s.some((r) => r.min <= v && v <= r.max);
        let contains = true;
        let intersects = false;
        for (let v = 0; v <= 40; v++) {
          if (has(nb, v) && !has(na, v)) contains = false;
          if (has(na, v) && has(nb, v)) intersects = true;
        }
        expect(intervalSetContains(na, nb)).toBe(contains);
        expect(intervalSetsIntersect(na, nb)).toBe(intersects);
      }),
    );
  });
});

describe('bitmask logic', () => {
  const { 'first-fragment': FF, 'is-fragment': IsF, 'last-fragment': LF, 'dont-fragment': DF } = FRAGMENT_BITS;
  const states4 = fragmentStates('ipv4');
  const states6 = fragmentStates('ipv6');

  it('knows which fragment states exist (RFC 8955 §4.2.2.12)', () => {
    expect(isBitmaskSatisfiable([[{ op: 'all', bits: FF | IsF }]], states4)).toBe(false);
    expect(isBitmaskSatisfiable([[{ op: 'all', bits: LF }, { op: 'none', bits: IsF }]], states4)).toBe(false);
    expect(isBitmaskSatisfiable([[{ op: 'all', bits: FF }, { op: 'none', bits: IsF }]], states4)).toBe(true);
    expect(isBitmaskSatisfiable([[{ op: 'all', bits: LF | IsF }]], states4)).toBe(true);
    expect(isBitmaskSatisfiable([[{ op: 'all', bits: DF }]], states4)).toBe(true);
    expect(isBitmaskSatisfiable([[{ op: 'all', bits: DF }]], states6)).toBe(false);
  });

  it('finds TCP-flag contradictions and respects OR of clauses', () => {
    const syn = TCP_FLAG_BITS.syn;
    const contradiction: BitmaskMatch = [[{ op: 'all', bits: syn }, { op: 'none', bits: syn }]];
    expect(isBitmaskSatisfiable(contradiction, enumerateReferencedValues([contradiction]))).toBe(false);
    expect(isBitmaskSatisfiable(contradiction, undefined)).toBe(false);
    const orOk: BitmaskMatch = [...contradiction, [{ op: 'all', bits: syn }]];
    expect(isBitmaskSatisfiable(orOk, enumerateReferencedValues([orOk]))).toBe(true);
    expect(isBitmaskSatisfiable([[{ op: 'any', bits: 0 }]], enumerateReferencedValues([[[{ op: 'any', bits: 0 }]]]))).toBe(false);
  });

  it('contains and intersects exactly over the enumerated values', () => {
    const synOnly: BitmaskMatch = [[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }]];
    const syn: BitmaskMatch = [[{ op: 'all', bits: 0x02 }]];
    const ack: BitmaskMatch = [[{ op: 'all', bits: 0x10 }]];
    const values = enumerateReferencedValues([synOnly, syn, ack]);
    expect(bitmaskContains(syn, synOnly, values)).toBe(true);
    expect(bitmaskContains(synOnly, syn, values)).toBe(false);
    expect(bitmasksIntersect(synOnly, ack, values)).toBe(false);
    expect(bitmasksIntersect(syn, ack, values)).toBe(true);
    expect(evaluateBitmask(synOnly, 0x02)).toBe(true);
  });
});
