import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NumericRange } from '../model.js';
import { formatRangeText, normaliseRanges, numericField, parseNumericExpression } from './numeric.js';

const port = numericField('destinationPorts', 'ipv4');
const length = numericField('packetLengths', 'ipv4');
const proto = numericField('protocols', 'ipv4');
const icmp6 = numericField('icmpTypes', 'ipv6');

const r = (min: number, max = min): NumericRange => ({ min, max });

describe('parseNumericExpression', () => {
  it.each([
    ['53', port, [r(53)]],
    ['dns', port, [r(53)]],
    ['ftp-data', port, [r(20)]],
    ['1024-65535', port, [r(1024, 65535)]],
    ['1024..2048', port, [r(1024, 2048)]],
    ['>=512', length, [r(512, 65535)]],
    ['>1024&<2048', port, [r(1025, 2047)]],
    ['>= 1000 & <= 2000', port, [r(1000, 2000)]],
    ['=53 ==80', port, [r(53), r(80)]],
    ['!=80', port, [r(0, 79), r(81, 65535)]],
    ['<1', port, [r(0)]],
    ['53, 54 | 55', port, [r(53, 55)]],
    ['0x35', port, [r(53)]],
    ['udp tcp', proto, [r(6), r(17)]],
    ['echo-request', icmp6, [r(128)]],
    // Values beyond the field are kept (the validator rejects them, naming the MTU).
    ['99971 99985', length, [r(99971), r(99985)]],
    ['99971-99985', length, [r(99971, 99985)]],
    ['>=99971', length, [r(99971)]],
  ])('%s -> ranges (%#)', (text, field, expected) => {
    expect(parseNumericExpression(text, field)).toEqual({ ok: true, ranges: expected });
  });

  it.each([
    ['-53', port, 'rule_numeric_invalid', /negative/],
    ['1.5', port, 'rule_numeric_invalid', /not a whole number/],
    ['4470-512', length, 'rule_numeric_invalid', /starts above its end/],
    ['<0', port, 'rule_numeric_invalid', /matches no value/],
    ['>10&<5', port, 'rule_numeric_invalid', /matches no value/],
    ['dnss', port, 'rule_name_unknown', /known name/],
    ['abc', length, 'rule_numeric_invalid', /expected an integer/],
    ['>=', port, 'rule_name_unknown', /expected a number/],
    ['99999999999999999999', length, 'rule_numeric_invalid', /too large/],
    ['', port, 'rule_numeric_invalid', /empty/],
  ])('%s is refused (%#)', (text, field, code, message) => {
    const out = parseNumericExpression(text, field);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.code).toBe(code);
      expect(out.message).toMatch(message);
      expect(out.message).toContain(field.label);
    }
  });

  it('formatted canonical ranges parse back to themselves', () => {
    const ranges = fc.array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 200 })), { minLength: 1, maxLength: 8 }).map((xs) => normaliseRanges(xs.map(([a, w]) => r(a, Math.min(65535, a + w)))));
    fc.assert(
      fc.property(ranges, (rs) => {
        const text = rs.map(formatRangeText).join(' ');
        expect(parseNumericExpression(text, port)).toEqual({ ok: true, ranges: rs });
      }),
    );
  });

  it('AND of operators equals the intersection of what each allows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (lo, hi, probe) => {
        const out = parseNumericExpression(`>=${lo}&<=${hi}`, port);
        const inside = probe >= lo && probe <= hi;
        if (lo > hi) expect(out.ok).toBe(false);
        else if (out.ok) expect(out.ranges.some((x) => x.min <= probe && probe <= x.max)).toBe(inside);
      }),
    );
  });
});

describe('normaliseRanges', () => {
  it('sorts and merges overlapping and adjacent ranges', () => {
    expect(normaliseRanges([r(10, 20), r(1, 3), r(4, 5), r(15, 30), r(40)])).toEqual([r(1, 5), r(10, 30), r(40)]);
  });
});
