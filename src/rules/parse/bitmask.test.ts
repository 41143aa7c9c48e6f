import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BitmaskMatch, BitmaskTerm } from '../model.js';
import { FRAGMENT_FIELD, TCP_FLAGS_FIELD, TCP_FLAG_PREFERRED, canonicaliseBitmask, formatBitmaskExpression, parseBitmaskExpressions } from './bitmask.js';
import { TCP_FLAG_NAMES } from './names.js';

const SYN = 0x02;
const ACK = 0x10;
const RST = 0x04;
const FIN = 0x01;

/** Evaluate a bitmask match against a flags value (RFC 8955 §4.2.1.2 semantics). */
function matches(match: BitmaskMatch, flags: number): boolean {
  const term = (t: BitmaskTerm): boolean => {
    const v = flags & t.bits;
    switch (t.op) {
      case 'all':
        return v === t.bits;
      case 'any':
        return v !== 0;
      case 'none':
        return v === 0;
      case 'not-all':
        return v !== t.bits;
    }
  };
  return match.some((clause) => clause.every(term));
}

describe('parseBitmaskExpressions', () => {
  it.each<[string[], BitmaskMatch]>([
    [['syn'], [[{ op: 'all', bits: SYN }]]],
    [['syn & !ack'], [[{ op: 'all', bits: SYN }, { op: 'none', bits: ACK }]]],
    [['SYN && !ACK'], [[{ op: 'all', bits: SYN }, { op: 'none', bits: ACK }]]],
    [['(syn | ack)'], [[{ op: 'any', bits: SYN | ACK }]]],
    [['(!syn | !ack)'], [[{ op: 'not-all', bits: SYN | ACK }]]],
    [['!(syn & ack)'], [[{ op: 'not-all', bits: SYN | ACK }]]],
    [['!(syn | ack)'], [[{ op: 'none', bits: SYN | ACK }]]],
    [['syn & ack'], [[{ op: 'all', bits: SYN | ACK }]]],
    [['syn+ack'], [[{ op: 'all', bits: SYN | ACK }]]],
    [['(syn & !ack) | rst'], [[{ op: 'all', bits: SYN }, { op: 'none', bits: ACK }], [{ op: 'all', bits: RST }]]],
    [['rst', 'fin'], [[{ op: 'all', bits: RST }], [{ op: 'all', bits: FIN }]]],
    [['tcp-initial'], [[{ op: 'all', bits: SYN }, { op: 'none', bits: ACK }]]],
    [['0x12'], [[{ op: 'all', bits: SYN | ACK }]]],
    [['syn & (ack | rst)'], [[{ op: 'all', bits: SYN }, { op: 'any', bits: ACK | RST }]]],
  ])('%j', (texts, expected) => {
    expect(parseBitmaskExpressions(texts, TCP_FLAGS_FIELD)).toEqual({ ok: true, match: expected });
  });

  it('reads fragment keywords, not-a-fragment as is-fragment clear', () => {
    expect(parseBitmaskExpressions(['not-a-fragment'], FRAGMENT_FIELD)).toEqual({ ok: true, match: [[{ op: 'none', bits: 0x02 }]] });
    expect(parseBitmaskExpressions(['is-fragment', 'first_fragment'], FRAGMENT_FIELD)).toEqual({ ok: true, match: [[{ op: 'all', bits: 0x02 }], [{ op: 'all', bits: 0x04 }]] });
  });

  it.each([
    ['syn &', 'rule_bitmask_invalid'],
    ['(syn | ack', 'rule_bitmask_invalid'],
    ['synn', 'rule_name_unknown'],
    ['0x10000', 'rule_bitmask_invalid'],
    ['syn ) ack', 'rule_bitmask_invalid'],
  ])('%s is refused with %s', (text, code) => {
    const out = parseBitmaskExpressions([text], TCP_FLAGS_FIELD);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.code).toBe(code);
      expect(out.message).toContain('TCP flags');
    }
  });

  const term = fc.record({ op: fc.constantFrom<BitmaskTerm['op']>('all', 'any', 'none', 'not-all'), bits: fc.integer({ min: 1, max: 0xff }) });
  const match = fc.array(fc.array(term, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });

  it('canonical form means the same as the input, for every flags byte', () => {
    fc.assert(
      fc.property(match, (m) => {
        const c = canonicaliseBitmask(m);
        for (let flags = 0; flags < 256; flags++) expect(matches(c, flags)).toBe(matches(m, flags));
      }),
    );
  });

  it('formatting a canonical match parses back to it', () => {
    fc.assert(
      fc.property(match, (m) => {
        const c = canonicaliseBitmask(m);
        const text = formatBitmaskExpression(c, TCP_FLAG_NAMES, TCP_FLAG_PREFERRED);
        expect(parseBitmaskExpressions([text], TCP_FLAGS_FIELD)).toEqual({ ok: true, match: c });
      }),
    );
  });

  it('mixed-sign OR groups distribute into clauses with the same meaning', () => {
    const out = parseBitmaskExpressions(['rst & (syn | !ack)'], TCP_FLAGS_FIELD);
    expect(out.ok).toBe(true);
    if (out.ok) for (let f = 0; f < 256; f++) expect(matches(out.match, f)).toBe((f & RST) !== 0 && ((f & SYN) !== 0 || (f & ACK) === 0));
  });
});
