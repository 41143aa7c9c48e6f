import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../telemetry/flow-record.js';
import type { BitmaskMatch, MitigationRule, NumericRange, RuleMatch } from '../model.js';
import { parseDottedQuad } from './address-words.js';
import { compileClassifier } from './compile.js';
import { classifyLinear, flowMatchesRule } from './match-flow.js';
import { replayRules } from './replay.js';

// Small value domains so random rules and random flows actually meet.
const V4_HOSTS = ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.1.3', '10.0.128.0', '10.0.255.255', '10.128.0.1', '192.0.2.1'];
const V6_HOSTS = ['2001:db8::', '2001:db8::1', '2001:db8::1:2', '2001:db8:0:8000::1', '2001:db8:ffff::ff', '3fff::1', '::ffff:10.0.0.1'];

/** Absent `absent` times for every `present` times. */
const sometimes = <T,>(arb: fc.Arbitrary<T>, absent = 5, present = 1): fc.Arbitrary<T | undefined> => fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });

const range = fc.tuple(fc.integer({ min: -2, max: 70 }), fc.integer({ min: -2, max: 70 })).map(([a, b]): NumericRange => ({ min: Math.min(a, b), max: Math.max(a, b) }));
const oddRange = fc.constantFrom<NumericRange>({ min: 9, max: 3 }, { min: Number.NaN, max: 5 }, { min: 0, max: Number.POSITIVE_INFINITY });
const ranges = sometimes(fc.array(fc.oneof({ weight: 12, arbitrary: range }, { weight: 1, arbitrary: oddRange }), { minLength: 0, maxLength: 6 }));
const bits = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x12, 0x02, 0x10, 0x80000002, 0xffffffff));
const bitmask: fc.Arbitrary<BitmaskMatch | undefined> = sometimes(fc.array(fc.array(fc.record({ op: fc.constantFrom('all', 'any', 'none', 'not-all'), bits }), { maxLength: 3 }), { maxLength: 3 }));
const prefixText = (family: 4 | 6) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...(family === 4 ? V4_HOSTS : V6_HOSTS)), fc.integer({ min: 0, max: family === 4 ? 32 : 128 })).map(([a, l]) => `${a}/${l}`) },
    { weight: 1, arbitrary: fc.constantFrom('not-a-prefix', '10.0.0.0/33', '2001:db8::/129', family === 4 ? '2001:db8::/32' : '10.0.0.0/8') },
  );

const ruleArb = fc.constantFrom<4 | 6>(4, 6).chain((family) =>
  fc.record({
    family: fc.constant(family),
    destination: sometimes(prefixText(family), 1),
    destinationOffset: sometimes(fc.integer({ min: 0, max: family === 4 ? 0 : 130 }), 2),
    source: sometimes(prefixText(family), 3),
    sourceOffset: sometimes(fc.integer({ min: 0, max: family === 4 ? 0 : 130 }), 2),
    protocols: sometimes(fc.constantFrom<NumericRange[]>([{ min: 6, max: 6 }], [{ min: 17, max: 17 }], [{ min: 1, max: 17 }], [{ min: 58, max: 58 }], [{ min: 132, max: 132 }], [{ min: 6, max: 6 }, { min: 17, max: 17 }], []), 2),
    ports: ranges,
    destinationPorts: ranges,
    sourcePorts: ranges,
    icmpTypes: ranges,
    icmpCodes: ranges,
    tcpFlags: bitmask,
    packetLengths: ranges,
    dscp: ranges,
    fragment: bitmask,
    flowLabel: ranges,
    terminal: sometimes(fc.boolean(), 1),
  }),
);

const flowArb = fc.constantFrom<4 | 6>(4, 6).chain((family) =>
  fc.record({
    family: fc.constant(family),
    dst: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...(family === 4 ? V4_HOSTS : V6_HOSTS)) }, { weight: 1, arbitrary: fc.constantFrom('garbage', '10.0.0.01', family === 4 ? '2001:db8::1' : '10.0.0.1') }),
    src: fc.constantFrom(...(family === 4 ? V4_HOSTS : V6_HOSTS)),
    protocol: fc.constantFrom(1, 6, 17, 47, 58, 131),
    // a fractional port is not a real value, but it must not slip past the port buckets either
    srcPort: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 70 }) }, { weight: 1, arbitrary: fc.constant(6.5) }),
    dstPort: fc.integer({ min: 0, max: 70 }),
    icmpType: fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
    icmpCode: fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
    len: fc.integer({ min: 0, max: 70 }),
    dscp: fc.integer({ min: 0, max: 63 }),
    flags: fc.integer({ min: 0, max: 255 }),
    frag: fc.integer({ min: 0, max: 15 }),
    flowLabel: fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
  }),
);

type RawRule = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never;
type RawFlow = typeof flowArb extends fc.Arbitrary<infer T> ? T : never;

function toRule(r: RawRule, i: number): MitigationRule {
  const match: Record<string, unknown> = {};
  for (const k of ['destination', 'destinationOffset', 'source', 'sourceOffset', 'protocols', 'ports', 'destinationPorts', 'sourcePorts', 'icmpTypes', 'icmpCodes', 'tcpFlags', 'packetLengths', 'dscp', 'fragment', 'flowLabel'] as const) {
    if (r[k] !== undefined) match[k] = r[k];
  }
  return {
    id: `r${i}`,
    family: r.family === 4 ? 'ipv4' : 'ipv6',
    match: match as RuleMatch,
    action: { kind: 'discard' },
    ...(r.terminal !== undefined ? { terminal: r.terminal } : {}),
    scope: { kind: 'global' },
    provenance: {},
  };
}

function toFlow(x: RawFlow): FlowRecord {
  return {
    timestampMs: 0,
    source: 'synth',
    exporter: 'e',
    family: x.family,
    srcAddr: x.src,
    dstAddr: x.dst,
    protocol: x.protocol,
    srcPort: x.srcPort,
    dstPort: x.dstPort,
    ...(x.icmpType !== undefined ? { icmpType: x.icmpType } : {}),
    ...(x.icmpCode !== undefined ? { icmpCode: x.icmpCode } : {}),
    tcpFlags: x.flags,
    dscp: x.dscp,
    fragmentFlags: x.frag,
    ...(x.flowLabel !== undefined ? { flowLabel: x.flowLabel } : {}),
    packetLengthBytes: x.len,
    sampledPackets: 1,
    sampledBytes: x.len,
    sampleRate: 1,
    estimatedPackets: 1,
    estimatedBytes: x.len,
  };
}

const base: FlowRecord = toFlow({ family: 4, dst: '192.0.2.1', src: '198.51.100.7', protocol: 17, srcPort: 53, dstPort: 4000, icmpType: undefined, icmpCode: undefined, len: 1000, dscp: 0, flags: 0, frag: 0, flowLabel: undefined });
const rule = (id: string, match: RuleMatch, over: Partial<MitigationRule> = {}): MitigationRule => ({ id, family: 'ipv4', match, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {}, ...over });

describe('compiled classifier', () => {
  it('agrees with the linear reference matcher on every component, both families, offsets and bad prefixes (property)', () => {
    let matchedSomething = 0;
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 60 }), fc.array(flowArb, { minLength: 1, maxLength: 40 }), (rawRules, rawFlows) => {
        const rules = rawRules.map(toRule);
        const classifier = compileClassifier(rules);
        for (const x of rawFlows) {
          const f = toFlow(x);
          const expected = classifyLinear(rules, f);
          if (expected.length > 0) matchedSomething++;
          expect(classifier.classify(f)).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
    // the generators are only useful if rules do match flows often
    expect(matchedSomething).toBeGreaterThan(500);
  });

  it('agrees with the reference on long lists split into protocol and port buckets (property)', () => {
    // Mostly protocol and port rules on a few destinations, so the classifier buckets its lists.
    const narrow = fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 40 })).map(([a, w]): NumericRange => ({ min: a, max: a + (w > 36 ? w : w % 3) }));
    const bucketRule = fc.record({
      family: fc.constant<4 | 6>(4),
      destination: sometimes(fc.constantFrom('10.0.0.0/24', '10.0.0.1/32', '10.0.0.0/8'), 1),
      protocols: sometimes(fc.constantFrom<NumericRange[]>([{ min: 6, max: 6 }], [{ min: 17, max: 17 }], [{ min: 6, max: 6 }, { min: 17, max: 17 }], [{ min: 0, max: 255 }]), 1, 5),
      sourcePorts: sometimes(fc.array(narrow, { minLength: 1, maxLength: 3 }), 1, 2),
      destinationPorts: sometimes(fc.array(narrow, { minLength: 1, maxLength: 3 }), 1),
      packetLengths: sometimes(fc.array(range, { minLength: 1, maxLength: 2 }), 3),
      terminal: sometimes(fc.boolean(), 1),
    }) as fc.Arbitrary<RawRule>;
    let bucketedMatches = 0;
    fc.assert(
      fc.property(fc.array(bucketRule, { minLength: 20, maxLength: 120 }), fc.array(flowArb, { minLength: 1, maxLength: 40 }), (rawRules, rawFlows) => {
        const rules = rawRules.map(toRule);
        const classifier = compileClassifier(rules);
        for (const x of rawFlows) {
          const f = toFlow({ ...x, family: 4, dst: x.family === 4 ? x.dst : '10.0.0.1', src: '192.0.2.1', protocol: x.protocol === 1 ? 17 : x.protocol });
          const expected = classifyLinear(rules, f);
          if (expected.length > 0) bucketedMatches++;
          expect(classifier.classify(f)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
    expect(bucketedMatches).toBeGreaterThan(500);
  });

  it('follows rule order across nested destinations and stops at the first terminal rule', () => {
    const rules = [
      rule('wide-nonterminal', { destination: '192.0.2.0/24' }, { terminal: false }),
      rule('host-tcp', { destination: '192.0.2.1/32', protocols: [{ min: 6, max: 6 }] }),
      rule('any-udp', { protocols: [{ min: 17, max: 17 }] }),
      rule('host-all', { destination: '192.0.2.1/32' }),
    ];
    const c = compileClassifier(rules);
    expect(c.classify(base)).toEqual(['wide-nonterminal', 'any-udp']);
    expect(c.classify({ ...base, protocol: 6 })).toEqual(['wide-nonterminal', 'host-tcp']);
    expect(c.classify({ ...base, protocol: 1 })).toEqual(['wide-nonterminal', 'host-all']);
    expect(c.classify({ ...base, dstAddr: '192.0.2.9', protocol: 1 })).toEqual(['wide-nonterminal']);
    expect(c.classify({ ...base, dstAddr: '198.18.0.1', protocol: 1 })).toEqual([]);
  });

  it('does not match ports on non-first fragments, and matches ICMP type/code only on ICMP', () => {
    const c = compileClassifier([rule('dns', { sourcePorts: [{ min: 53, max: 53 }] }), rule('echo', { icmpTypes: [{ min: 8, max: 8 }] })]);
    expect(c.classify(base)).toEqual(['dns']);
    expect(c.classify({ ...base, fragmentFlags: 0x02 })).toEqual([]); // later fragment: no transport header
    expect(c.classify({ ...base, fragmentFlags: 0x04 })).toEqual(['dns']); // first fragment carries the ports
    expect(c.classify({ ...base, protocol: 1, icmpType: 8, icmpCode: 0 })).toEqual(['echo']);
    expect(c.classify({ ...base, protocol: 17, icmpType: 8 })).toEqual(['dns']);
  });

  it('compares only bits [offset, length) of an IPv6 prefix with an offset (RFC 8956 §3.1)', () => {
    const v6 = (dstAddr: string): FlowRecord => ({ ...base, family: 6, dstAddr, srcAddr: '2001:db8::9' });
    // bits 64..127 = ::1 whatever the first 64 bits are
    const c = compileClassifier([rule('iid', { destination: '::1/128', destinationOffset: 64 }, { family: 'ipv6' })]);
    expect(c.classify(v6('2001:db8:1:2::1'))).toEqual(['iid']);
    expect(c.classify(v6('3fff:0:0:7::1'))).toEqual(['iid']);
    expect(c.classify(v6('2001:db8:1:2::2'))).toEqual([]);
    for (const a of ['2001:db8:1:2::1', '3fff:0:0:7::1', '2001:db8:1:2::2']) expect(flowMatchesRule(rule('iid', { destination: '::1/128', destinationOffset: 64 }, { family: 'ipv6' }), v6(a))).toBe(c.classify(v6(a)).length === 1);
  });

  it('reports rules whose prefix does not parse as unmatchable and never matches them', () => {
    const c = compileClassifier([rule('bad', { destination: '192.0.2.0/33' }), rule('ok', {})]);
    expect(c.unmatchableRules).toEqual(['bad']);
    expect(c.classify(base)).toEqual(['ok']);
  });

  it('parses dotted quads exactly and leaves odd forms to the full parser', () => {
    expect(parseDottedQuad('192.0.2.255')).toBe(0xc00002ff);
    expect(parseDottedQuad('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '01.2.3.4', '1.2.3.4 ', '', '::1']) expect(parseDottedQuad(bad)).toBe(-1);
  });

  it('replay splits matched traffic into attack and legitimate per PoP, and counts what no rule matched', () => {
    const dns = rule('dns', { destination: '192.0.2.1/32', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }] });
    const f = { ...base, sampleRate: 100, estimatedPackets: 100, estimatedBytes: 100_000 };
    const report = replayRules([dns], [
      { ...f, label: 'atk', pop: 'ams' },
      { ...f, label: 'benign', pop: 'fra' },
      { ...f, srcPort: 443, label: 'benign', pop: 'ams' },
      { ...f },
    ]);
    expect(report.rules[0]).toMatchObject({ attackPackets: 100, attackBytes: 100_000, legitPackets: 100, unlabelledPackets: 100, byPop: { ams: { attackPackets: 100, legitPackets: 0 }, fra: { legitPackets: 100 }, unknown: { unlabelledPackets: 100 } } });
    expect(report.totals).toMatchObject({ attackPackets: 100, legitPackets: 200, unlabelledPackets: 100 });
    expect(report.totalsByPop.ams).toMatchObject({ attackPackets: 100, legitPackets: 100 });
    expect(report.unmatched).toMatchObject({ legitPackets: 100, attackPackets: 0 });
  });
});
