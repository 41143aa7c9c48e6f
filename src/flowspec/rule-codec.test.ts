import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../lib/byte-reader.js';
import { ByteWriter, bytesToHex } from '../lib/byte-writer.js';
import type { BitmaskMatch, MitigationRule, NumericRange, RuleAction } from '../rules/model.js';
import { decodeExtCommunity, encodeExtCommunity, parseRedirectTarget } from './ext-communities.js';
import { encodeFlowspecNlri, readFlowspecNlriList, writeNlriLength } from './nlri.js';
import { normalizeRanges } from './numeric-operators.js';
import { flowspecToRule, ruleToFlowspec } from './rule-codec.js';

const base: Omit<MitigationRule, 'match' | 'action' | 'family'> = { id: 'r1', scope: { kind: 'global' }, provenance: {} };

function rule(family: 'ipv4' | 'ipv6', match: MitigationRule['match'], action: RuleAction = { kind: 'discard' }, extra: Partial<MitigationRule> = {}): MitigationRule {
  return { ...base, family, match, action, ...extra };
}

/** Encode -> bytes -> decode -> model, through the real wire bytes. */
function roundTrip(r: MitigationRule): MitigationRule {
  const enc = ruleToFlowspec(r);
  if (!enc.ok) throw new Error(`${enc.error.code}: ${enc.error.message}`);
  const bytes = encodeFlowspecNlri(enc.value.nlri);
  const entries = readFlowspecNlriList(new ByteReader(bytes), r.family);
  expect(entries).toHaveLength(1);
  const nlri = entries[0]!.result;
  if (!nlri.ok) throw new Error(nlri.error.message);
  const communities = enc.value.communities.map((c) => {
    const d = decodeExtCommunity(encodeExtCommunity(c));
    if (!d.ok) throw new Error(d.error.message);
    return d.value;
  });
  return flowspecToRule({ nlri: nlri.value, communities }, { id: r.id }).rule;
}

const rangesArb = (max: number): fc.Arbitrary<NumericRange[]> =>
  fc.array(
    fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
    { minLength: 1, maxLength: 4 },
  );

const bitmaskArb = (maxBits: number): fc.Arbitrary<BitmaskMatch> =>
  fc.array(fc.array(fc.record({ op: fc.constantFrom('all' as const, 'any' as const, 'none' as const, 'not-all' as const), bits: fc.integer({ min: 0, max: maxBits }) }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });

const v4PrefixArb = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([a, len]) => {
  const masked = len === 0 ? 0 : (a >>> (32 - len)) << (32 - len);
  const m = masked >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${len}`;
});

const actionArb: fc.Arbitrary<RuleAction> = fc.oneof(
  fc.constant({ kind: 'accept' } as const),
  fc.constant({ kind: 'discard' } as const),
  fc.integer({ min: 1, max: 2 ** 24 }).map((n) => ({ kind: 'rate-limit-bytes', bytesPerSec: n }) as const),
  fc.integer({ min: 1, max: 2 ** 24 }).map((n) => ({ kind: 'rate-limit-packets', packetsPerSec: n }) as const),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff })).map(([a, n]) => ({ kind: 'redirect', target: `${a}:${n}` }) as const),
  fc.integer({ min: 0, max: 63 }).map((d) => ({ kind: 'mark-dscp', dscp: d }) as const),
);

describe('MitigationRule <-> Flowspec', () => {
  it('round-trips any valid IPv4 rule through the wire (canonical ranges, same action)', () => {
    const matchArb = fc.record(
      {
        destination: v4PrefixArb,
        source: v4PrefixArb,
        protocols: rangesArb(0xff),
        ports: rangesArb(0xffff),
        destinationPorts: rangesArb(0xffff),
        sourcePorts: rangesArb(0xffff),
        icmpTypes: rangesArb(0xff),
        icmpCodes: rangesArb(0xff),
        tcpFlags: bitmaskArb(0xfff),
        packetLengths: rangesArb(0x20000),
        dscp: rangesArb(0x3f),
        fragment: bitmaskArb(0x0f),
      },
      { requiredKeys: [] },
    ).filter((m) => Object.keys(m).length > 0);
    fc.assert(
      fc.property(matchArb, actionArb, fc.boolean(), fc.boolean(), (match, action, sample, terminal) => {
        const r = rule('ipv4', match, action, { ...(sample ? { sample } : {}), ...(terminal ? {} : { terminal }) });
        const back = roundTrip(r);
        const expected: Record<string, unknown> = { ...match };
        for (const [k, v] of Object.entries(match)) if (Array.isArray(v) && v.length > 0 && !Array.isArray(v[0])) expected[k] = normalizeRanges(v as NumericRange[]);
        expect(back.match).toEqual(expected);
        expect(back.action).toEqual(action);
        expect(back.sample ?? false).toBe(sample);
        expect(back.terminal ?? true).toBe(terminal);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips IPv6 rules with prefix offsets and flow labels', () => {
    const r = rule('ipv6', {
      destination: '2001:db8::/32',
      source: '::1234:5678:9a00:0/104',
      sourceOffset: 65,
      protocols: [{ min: 17, max: 17 }],
      flowLabel: [{ min: 100, max: 2000 }, { min: 0xfffff, max: 0xfffff }],
    });
    expect(roundTrip(r).match).toEqual(r.match);
  });

  it('lays out IPv6 prefix offsets per RFC 8956, or as the whole prefix for pre-RFC peers', () => {
    const r = rule('ipv6', { destination: '0:0:0:1::/64', destinationOffset: 32 });
    const rfc = ruleToFlowspec(r);
    const legacy = ruleToFlowspec(r, { ipv6OffsetLayout: 'full-prefix' });
    // type 1, length 64, offset 32, then the 32 pattern bits (RFC) or all 64 prefix bits (pre-RFC).
    expect(rfc.ok && bytesToHex(rfc.value.value!)).toBe('01' + '40' + '20' + '00000001');
    expect(legacy.ok && bytesToHex(legacy.value.value!)).toBe('01' + '40' + '20' + '0000000000000001');
    if (!legacy.ok) return;
    const back = readFlowspecNlriList(new ByteReader(encodeFlowspecNlri(legacy.value.nlri, { ipv6OffsetLayout: 'full-prefix' })), 'ipv6', { ipv6OffsetLayout: 'full-prefix' });
    expect(back[0]!.result.ok && flowspecToRule({ nlri: back[0]!.result.value, communities: [] }).rule.match).toEqual(r.match);
  });

  it('orders components by type whatever the object key order', () => {
    const enc = ruleToFlowspec(rule('ipv4', { packetLengths: [{ min: 100, max: 100 }], protocols: [{ min: 6, max: 6 }], destination: '10.0.0.0/8' }));
    expect(enc.ok && enc.value.nlri.components.map((c) => c.type)).toEqual([1, 3, 10]);
  });

  it('encodes the 2013 packet-length rule faithfully so the validator, not the codec, rejects it', () => {
    const enc = ruleToFlowspec(rule('ipv4', { destination: '192.0.2.0/24', packetLengths: [{ min: 99971, max: 99985 }] }));
    expect(enc.ok).toBe(true);
    // length 16 | dst /24 192.0.2 | type 10: op 0x23 (4 bytes, >=) 99971, op 0xe5 (end, AND, 4 bytes, <=) 99985
    if (enc.ok) expect(bytesToHex(encodeFlowspecNlri(enc.value.nlri))).toBe('10' + '0118c00002' + '0a' + '2300018683' + 'e500018691');
    const back = roundTrip(rule('ipv4', { destination: '192.0.2.0/24', packetLengths: [{ min: 99971, max: 99985 }] }));
    expect(back.match.packetLengths).toEqual([{ min: 99971, max: 99985 }]);
  });

  it('reports what the wire cannot carry, with the rule field', () => {
    const cases: Array<[MitigationRule, string, string]> = [
      [rule('ipv4', {}), 'flowspec_nlri_empty', 'match'],
      [rule('ipv4', { ports: [{ min: 5, max: 1 }] }), 'flowspec_range_invalid', 'match.ports[0]'],
      [rule('ipv4', { ports: [{ min: -1, max: 1 }] }), 'flowspec_range_invalid', 'match.ports[0]'],
      [rule('ipv4', { ports: [{ min: 1.5, max: 2 }] }), 'flowspec_range_invalid', 'match.ports[0]'],
      [rule('ipv4', { flowLabel: [{ min: 1, max: 1 }] }), 'flowspec_family_mismatch', 'match.flowLabel'],
      [rule('ipv4', { destination: '2001:db8::/32' }), 'flowspec_family_mismatch', 'match.destination'],
      [rule('ipv4', { destination: '10.0.0.1/8' }), 'flowspec_prefix_invalid', 'match.destination'],
      [rule('ipv4', { destination: '10.0.0.0/8', destinationOffset: 4 }), 'flowspec_family_mismatch', 'match.destinationOffset'],
      [rule('ipv6', { destination: '2001:db8::/32', destinationOffset: 40 }), 'flowspec_prefix_offset', 'match.destinationOffset'],
      [rule('ipv4', { tcpFlags: [] }), 'flowspec_bitmask_invalid', 'match.tcpFlags'],
      [rule('ipv4', { tcpFlags: [[]] }), 'flowspec_bitmask_invalid', 'match.tcpFlags'],
      [rule('ipv4', { destination: '10.0.0.0/8' }, { kind: 'rate-limit-bytes', bytesPerSec: -5 }), 'flowspec_action_invalid', 'action.bytesPerSec'],
      [rule('ipv4', { destination: '10.0.0.0/8' }, { kind: 'rate-limit-packets', packetsPerSec: Number.NaN }), 'flowspec_action_invalid', 'action.packetsPerSec'],
      [rule('ipv4', { destination: '10.0.0.0/8' }, { kind: 'mark-dscp', dscp: 64 }), 'flowspec_action_invalid', 'action.dscp'],
      [rule('ipv4', { destination: '10.0.0.0/8' }, { kind: 'redirect', target: 'nowhere' }), 'flowspec_redirect_target_invalid', 'action.target'],
      [rule('ipv4', { destination: '10.0.0.0/8' }, { kind: 'redirect', target: '4200000000:70000' }), 'flowspec_redirect_target_invalid', 'action.target'],
      [rule('ipv4', { ports: Array.from({ length: 1000 }, (_, i) => ({ min: i * 4, max: i * 4 + 1 })) }), 'flowspec_nlri_too_long', 'match'],
    ];
    for (const [r, code, path] of cases) {
      const enc = ruleToFlowspec(r);
      expect(enc.ok ? 'ok' : `${enc.error.code} ${enc.error.path}`).toBe(`${code} ${path}`);
    }
  });

  it('uses a 2-byte NLRI length from 240 bytes and reads both forms', () => {
    for (const len of [239, 240, 0xfff]) {
      const w = new ByteWriter();
      writeNlriLength(w, len);
      expect(bytesToHex(w.finish())).toBe(len < 240 ? len.toString(16) : (0xf000 | len).toString(16));
    }
    const big = ruleToFlowspec(rule('ipv4', { ports: Array.from({ length: 100 }, (_, i) => ({ min: i * 4, max: i * 4 + 1 })) }));
    expect(big.ok).toBe(true);
    if (!big.ok) return;
    const bytes = encodeFlowspecNlri(big.value.nlri);
    expect(bytes[0]! & 0xf0).toBe(0xf0);
    const entries = readFlowspecNlriList(new ByteReader(bytes), 'ipv4');
    expect(entries[0]!.result.ok).toBe(true);
  });

  it('encodes each traffic filtering action community per RFC 8955 §7', () => {
    const hex = (r: MitigationRule): string[] => {
      const enc = ruleToFlowspec(r);
      if (!enc.ok) throw new Error(enc.error.message);
      return enc.value.communities.map((c) => bytesToHex(encodeExtCommunity(c)));
    };
    const m = { destination: '10.0.0.0/8' };
    expect(hex(rule('ipv4', m, { kind: 'discard' }))).toEqual(['8006000000000000']);
    expect(hex(rule('ipv4', m, { kind: 'rate-limit-bytes', bytesPerSec: 1000 }))).toEqual(['80060000447a0000']);
    expect(hex(rule('ipv4', m, { kind: 'rate-limit-packets', packetsPerSec: 1000 }))).toEqual(['800c0000447a0000']);
    expect(hex(rule('ipv4', m, { kind: 'redirect', target: '65000:100' }))).toEqual(['8008fde800000064']);
    expect(hex(rule('ipv4', m, { kind: 'redirect', target: '4200000001:7' }))).toEqual(['8208fa56ea010007']);
    expect(hex(rule('ipv4', m, { kind: 'redirect', target: '192.0.2.1:9' }))).toEqual(['8108c00002010009']);
    expect(hex(rule('ipv4', m, { kind: 'mark-dscp', dscp: 46 }))).toEqual(['800900000000002e']);
    expect(hex(rule('ipv4', m, { kind: 'accept' }, { sample: true }))).toEqual(['8007000000000002']);
    expect(hex(rule('ipv4', m, { kind: 'accept' }, { terminal: false }))).toEqual(['8007000000000001']);
    expect(parseRedirectTarget('256.0.0.1:1')).toBeUndefined();
  });

  it('keeps the most restrictive action and lists the others as unrepresented', () => {
    const enc = ruleToFlowspec(rule('ipv4', { destination: '10.0.0.0/8' }));
    if (!enc.ok) throw new Error('encode');
    const { rule: r, unrepresented } = flowspecToRule({
      nlri: enc.value.nlri,
      communities: [
        { kind: 'traffic-marking', dscp: 10 },
        { kind: 'traffic-rate-bytes', asn: 0, bytesPerSec: 0 },
        { kind: 'redirect', format: 'as2', target: '1:1' },
        { kind: 'other', hex: '0002fde800000064' },
      ],
    });
    expect(r.action).toEqual({ kind: 'discard' });
    expect(unrepresented.map((c) => c.kind).sort()).toEqual(['redirect', 'traffic-marking']);
    expect(r.id).toMatch(/^fs-[0-9a-f]{16}$/);
  });
});
