import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressInPrefix, formatPrefix, parseAddress, parsePrefix, prefix, prefixContains } from './prefix.js';
import { PrefixTrie } from './prefix-trie.js';

describe('parsePrefix', () => {
  it.each([
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['192.0.2.1', '192.0.2.1/32'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
  ])('parses %s', (text, formatted) => {
    const r = parsePrefix(text);
    expect(r.ok && formatPrefix(r.value)).toBe(formatted);
  });
  it.each([
    ['192.0.2.0/33', 'prefix_length_out_of_range'],
    ['2001:db8::/129', 'prefix_length_out_of_range'],
    ['192.0.2.1/24', 'prefix_host_bits_set'],
    ['300.0.0.1', 'prefix_invalid'],
    ['banana', 'prefix_invalid'],
    ['10.0.0.0/x', 'prefix_invalid'],
  ])('rejects %s with %s', (text, code) => {
    const r = parsePrefix(text);
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
  });
});

describe('PrefixTrie', () => {
  it('finds the longest match, covering and covered prefixes', () => {
    const t = new PrefixTrie<string>();
    for (const p of ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '2001:db8::/32']) t.set(prefix(p), p);
    expect(t.longestMatch(parseAddress('10.1.2.3')!)?.value).toBe('10.1.2.0/24');
    expect(t.longestMatch(parseAddress('10.9.9.9')!)?.value).toBe('10.0.0.0/8');
    expect(t.longestMatch(parseAddress('11.0.0.1')!)).toBeUndefined();
    expect(t.longestMatch(parseAddress('2001:db8::1')!)?.value).toBe('2001:db8::/32');
    expect(t.covering(prefix('10.1.2.128/25')).map((e) => e.value)).toEqual(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24']);
    expect(t.covered(prefix('10.1.0.0/16')).map((e) => e.value).sort()).toEqual(['10.1.0.0/16', '10.1.2.0/24']);
    expect(t.delete(prefix('10.1.2.0/24'))).toBe(true);
    expect(t.longestMatch(parseAddress('10.1.2.3')!)?.value).toBe('10.1.0.0/16');
    expect(t.size).toBe(3);
  });

  it('agrees with a linear scan (property)', () => {
    const v4 = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }));
    fc.assert(
      fc.property(fc.array(v4, { maxLength: 40 }), fc.integer({ min: 0, max: 0xffffffff }), (raw, addrInt) => {
        const t = new PrefixTrie<string>();
        const prefixes = raw.map(([a, len]) => {
          const p = parsePrefix(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${len}`, { allowHostBits: true });
          if (!p.ok) throw new Error('bad');
          return p.value;
        });
        for (const p of prefixes) t.set(p, formatPrefix(p));
        const addr = Uint8Array.of(addrInt >>> 24, (addrInt >>> 16) & 255, (addrInt >>> 8) & 255, addrInt & 255);
        const linear = prefixes.filter((p) => addressInPrefix(addr, p)).sort((a, b) => b.length - a.length)[0];
        expect(t.longestMatch(addr)?.value).toBe(linear ? formatPrefix(linear) : undefined);
        for (const p of prefixes) expect(t.covering(p).every((e) => prefixContains(e.prefix, p))).toBe(true);
      }),
    );
  });
});
