// Renderers without a real tool on this machine (Junos, IOS-XR) are checked against golden
// files whose syntax was checked by hand against the vendor documentation; every renderer is
// checked for never emitting a rule it reported, and the Junos, ExaBGP and native formats are
// checked by round trip through our own importers with generated rules (fast-check). The real
// tools (exabgp, gobgpd, bird, nft) are driven in tests/interop/render-*.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPrefix, maskBytes } from '../../lib/prefix.js';
import type { BitmaskMatch, MitigationRule, NumericRange, RuleAction, RuleFamily, RuleMatch } from '../model.js';
import { canonicaliseBitmask } from '../parse/bitmask.js';
import { parseExabgpRules } from '../parse/exabgp.js';
import { parseJunosRules } from '../parse/junos.js';
import { parseNativeRules } from '../parse/native.js';
import { normaliseRanges } from '../parse/numeric.js';
import { RENDER_FORMATS, renderRules } from './index.js';

const fixtureUrl = (name: string): URL => new URL(`../../../tests/fixtures/rules/${name}`, import.meta.url);
const corpus = parseNativeRules(readFileSync(fixtureUrl('render-corpus.yaml'), 'utf8')).rules;
const update = process.env.FAILSMALL_UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const url = fixtureUrl(`golden/${name}`);
  if (update) writeFileSync(url, actual);
  expect(existsSync(url), `golden file ${name} is missing; run with FAILSMALL_UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(actual).toBe(readFileSync(url, 'utf8'));
}

describe('golden output (syntax checked against vendor documentation)', () => {
  it('junos: the render corpus', () => {
    const out = renderRules(corpus, 'junos');
    expect(out.findings.map((f) => [f.rule, f.code])).toEqual([['v4-fragments-redirect', 'render_component_unsupported']]);
    golden('render-corpus.junos', out.text);
  });

  it('junos: the 2013 rule renders as published (Junos accepted it; the validator is what stops it)', () => {
    const rule = parseJunosRules(readFileSync(fixtureUrl('2013-dns-drop.junos'), 'utf8')).rules;
    const out = renderRules(rule, 'junos');
    expect(out.findings).toEqual([]);
    const published = readFileSync(fixtureUrl('2013-dns-drop.junos'), 'utf8').trimEnd().split('\n').map((l) => `        ${l}`).join('\n');
    expect(out.text).toBe(`routing-options {\n    flow {\n${published}\n    }\n}\n`);
  });

  it('iosxr: the render corpus', () => {
    const out = renderRules(corpus, 'iosxr');
    expect(out.findings.map((f) => [f.rule, f.code])).toEqual([
      ['v4-ports-mark', 'render_component_unsupported'],
      ['v4-icmp-sampled', 'render_modifier_unsupported'],
      ['v4-fragments-redirect', 'render_component_unsupported'],
      ['v4-fragments-redirect', 'render_modifier_unsupported'],
      ['v4-source-flags-accept', 'render_component_unsupported'],
      ['v6-udp-label', 'render_component_unsupported'],
      ['v6-tcp-not-all', 'render_component_unsupported'],
      ['v6-tcp-not-all', 'render_modifier_unsupported'],
      ['v6-tcp-not-all', 'render_modifier_unsupported'],
      ['v6-offset', 'render_component_unsupported'],
    ]);
    golden('render-corpus.iosxr', out.text);
  });

  it('iosxr: the 2013 rule is refused twice over (no type-4 port match, length beyond the field)', () => {
    const rule = parseJunosRules(readFileSync(fixtureUrl('2013-dns-drop.junos'), 'utf8')).rules;
    const out = renderRules(rule, 'iosxr');
    expect(out.findings.map((f) => [f.code, f.component])).toEqual([
      ['render_value_unsupported', 'match.packetLengths'],
      ['render_component_unsupported', 'match.ports'],
    ]);
    expect(out.text).toBe('');
  });
});

describe('every renderer', () => {
  it.each(RENDER_FORMATS)('%s leaves out exactly the rules it reports errors for', (format) => {
    const out = renderRules(corpus, format);
    const left = new Set(out.findings.filter((f) => f.severity === 'error').map((f) => f.rule));
    for (const rule of corpus) {
      const mentioned = out.text.includes(format === 'iosxr' ? `FS-${rule.id}` : rule.id);
      expect(mentioned, `${format} ${rule.id}`).toBe(!left.has(rule.id));
    }
  });

  it('nftables reports a split rule whose rate limit then applies per entry', () => {
    const rule: MitigationRule = { ...corpus[0]!, id: 'split', match: { destination: '173.245.58.0/24', ports: [{ min: 53, max: 53 }] }, action: { kind: 'rate-limit-bytes', bytesPerSec: 1000 } };
    const out = renderRules([rule], 'nftables');
    expect(out.findings.map((f) => [f.code, f.severity])).toEqual([['render_rule_split', 'warning']]);
    expect(out.text.match(/comment "split"/g)).toHaveLength(2);
  });
});

// ---- generated rules -------------------------------------------------------------------

const ranges = (max: number): fc.Arbitrary<NumericRange[]> =>
  fc.array(fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })), { minLength: 1, maxLength: 4 }).map((xs) => normaliseRanges(xs.map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }))));

const bitmask = (maxBits: number): fc.Arbitrary<BitmaskMatch> =>
  fc
    .array(fc.array(fc.record({ op: fc.constantFrom('all', 'any', 'none', 'not-all' as const), bits: fc.integer({ min: 1, max: maxBits }) }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })
    .map(canonicaliseBitmask);

const prefix = (family: RuleFamily): fc.Arbitrary<string> =>
  fc.tuple(fc.uint8Array({ minLength: family === 'ipv4' ? 4 : 16, maxLength: family === 'ipv4' ? 4 : 16 }), fc.integer({ min: 0, max: family === 'ipv4' ? 32 : 128 })).map(([bytes, length]) =>
    formatPrefix({ family: family === 'ipv4' ? 4 : 6, bytes: maskBytes(bytes, length), length }),
  );

interface Limits {
  readonly valueMax: (fieldMax: number) => number;
  readonly tcpBits: number;
  readonly fragment: fc.Arbitrary<BitmaskMatch>;
  readonly actions: fc.Arbitrary<RuleAction>;
  readonly idChars: string;
}

const junosFragment: fc.Arbitrary<BitmaskMatch> = fc
  .uniqueArray(fc.constantFrom<BitmaskMatch[number]>([{ op: 'all', bits: 1 }], [{ op: 'all', bits: 2 }], [{ op: 'all', bits: 4 }], [{ op: 'all', bits: 8 }], [{ op: 'none', bits: 2 }]), { minLength: 1, maxLength: 3 })
  .map((x) => x);

const redirect = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 0xffffffff })).map(([a, v]) => `${a}:${v}`),
  fc.tuple(fc.integer({ min: 65536, max: 0xffffffff }), fc.integer({ min: 0, max: 65535 })).map(([a, v]) => `${a}:${v}`),
  fc.constantFrom('192.0.2.1', '2001:db8::1'),
);

const JUNOS: Limits = {
  valueMax: (m) => Math.max(m, 100_000),
  tcpBits: 0xfff,
  fragment: junosFragment,
  actions: fc.oneof(
    fc.constantFrom<RuleAction>({ kind: 'accept' }, { kind: 'discard' }),
    fc.integer({ min: 0, max: 8e9 }).map((bits): RuleAction => ({ kind: 'rate-limit-bytes', bytesPerSec: bits / 8 })),
    redirect.map((target): RuleAction => ({ kind: 'redirect', target })),
    fc.integer({ min: 0, max: 63 }).map((dscp): RuleAction => ({ kind: 'mark-dscp', dscp })),
  ),
  idChars: 'abcXYZ019._/:- ',
};

const EXABGP: Limits = {
  valueMax: (m) => m,
  tcpBits: 0xfff,
  fragment: bitmask(0xff),
  actions: fc.oneof(
    fc.constantFrom<RuleAction>({ kind: 'accept' }, { kind: 'discard' }),
    fc.integer({ min: 0, max: 1e12 }).map((bytesPerSec): RuleAction => ({ kind: 'rate-limit-bytes', bytesPerSec })),
    redirect.map((target): RuleAction => ({ kind: 'redirect', target })),
    fc.integer({ min: 0, max: 63 }).map((dscp): RuleAction => ({ kind: 'mark-dscp', dscp })),
  ),
  idChars: 'abcXYZ019._/:-',
};

const NUMERIC_FIELDS: ReadonlyArray<readonly [keyof RuleMatch, number]> = [
  ['protocols', 0xff],
  ['ports', 0xffff],
  ['destinationPorts', 0xffff],
  ['sourcePorts', 0xffff],
  ['icmpTypes', 0xff],
  ['icmpCodes', 0xff],
  ['packetLengths', 0xffff],
  ['dscp', 0x3f],
];

function ruleArbitrary(limits: Limits, index: number): fc.Arbitrary<MitigationRule> {
  return fc.constantFrom<RuleFamily>('ipv4', 'ipv6').chain((family) => {
    const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
    const numeric = Object.fromEntries(NUMERIC_FIELDS.map(([key, max]) => [key, optional(ranges(limits.valueMax(max)))]));
    return fc.record({
      id: fc.string({ unit: fc.constantFrom(...limits.idChars), minLength: 1, maxLength: 12 }).map((s) => `r${index}${s.trim()}`),
      destination: prefix(family),
      destinationOffset: family === 'ipv6' ? optional(fc.integer({ min: 1, max: 64 })) : fc.constant(undefined),
      source: optional(prefix(family)),
      numeric: fc.record(numeric),
      flowLabel: family === 'ipv6' ? optional(ranges(limits.valueMax(0xfffff))) : fc.constant(undefined),
      tcpFlags: optional(bitmask(limits.tcpBits)),
      fragment: optional(limits.fragment),
      action: limits.actions,
      sample: optional(fc.constant(true)),
      terminal: optional(fc.constant(false)),
    }).map((g): MitigationRule => {
      const match: Record<string, unknown> = { destination: g.destination };
      if (g.destinationOffset !== undefined) match.destinationOffset = Math.min(g.destinationOffset, Number(g.destination.split('/')[1]) || 1);
      if (g.source) match.source = g.source;
      for (const [k, v] of Object.entries(g.numeric)) if (v) match[k] = v;
      if (g.flowLabel) match.flowLabel = g.flowLabel;
      if (g.tcpFlags) match.tcpFlags = g.tcpFlags;
      if (g.fragment) match.fragment = g.fragment;
      return {
        id: g.id,
        family,
        match: match as RuleMatch,
        action: g.action,
        ...(g.sample ? { sample: true } : {}),
        ...(g.terminal === false ? { terminal: false } : {}),
        scope: { kind: 'global' },
        provenance: {},
      };
    });
  });
}

const rulesArbitrary = (limits: Limits): fc.Arbitrary<MitigationRule[]> => fc.tuple(ruleArbitrary(limits, 1), ruleArbitrary(limits, 2), ruleArbitrary(limits, 3));

const byId = (rules: readonly MitigationRule[]): MitigationRule[] => [...rules].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('round trips through our importers', () => {
  it('native -> junos -> junos importer gives the same rules', () => {
    fc.assert(
      fc.property(rulesArbitrary(JUNOS), (rules) => {
        const out = renderRules(rules, 'junos');
        expect(out.findings).toEqual([]);
        const back = parseJunosRules(out.text);
        expect(back.findings).toEqual([]);
        // Junos groups IPv4 routes before the inet6.0 ones: compare in id order.
        expect(byId(back.rules)).toEqual(byId(rules.map((r) => ({ ...r, provenance: { origin: 'junos' } }))));
      }),
      { numRuns: 150 },
    );
  });

  it('native -> exabgp -> exabgp importer gives the same rules', () => {
    fc.assert(
      fc.property(rulesArbitrary(EXABGP), (rules) => {
        const out = renderRules(rules, 'exabgp');
        expect(out.findings).toEqual([]);
        const back = parseExabgpRules(out.text);
        expect(back.findings).toEqual([]);
        expect(back.rules).toEqual(rules.map((r) => ({ ...r, provenance: { origin: 'exabgp' } })));
      }),
      { numRuns: 150 },
    );
  });

  it('native model -> native YAML -> native parser gives the same rules, metadata included', () => {
    const meta = fc.record({
      scope: fc.oneof(fc.constant({ kind: 'global' as const }), fc.constant({ kind: 'pops' as const, pops: ['ams1', 'fra1'] }), fc.constant({ kind: 'regions' as const, regions: ['eu'] })),
      expiresAt: fc.option(fc.integer({ min: 1.7e12, max: 1.9e12 }).map((ms) => new Date(ms).toISOString()), { nil: undefined }),
      approvedBy: fc.option(fc.constantFrom('carol', 'dave'), { nil: undefined }),
      provenance: fc.record({ author: fc.constantFrom('alice', 'bob'), reason: fc.string({ maxLength: 30 }), origin: fc.constantFrom('native' as const, 'api' as const) }),
    });
    fc.assert(
      fc.property(rulesArbitrary(JUNOS), fc.array(meta, { minLength: 3, maxLength: 3 }), (rules, metas) => {
        const full = rules.map((r, i) => {
          const m = metas[i]!;
          return { ...r, scope: m.scope, provenance: m.provenance, ...(m.expiresAt ? { expiresAt: m.expiresAt } : {}), ...(m.approvedBy ? { approvedBy: m.approvedBy } : {}) };
        });
        const out = renderRules(full, 'native');
        const back = parseNativeRules(out.text);
        expect(back.findings).toEqual([]);
        expect(back.rules).toEqual(full);
      }),
      { numRuns: 150 },
    );
  });
});
