import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MitigationRule } from '../model.js';
import { parseNativeRules } from './native.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../tests/fixtures/rules/${name}`, import.meta.url), 'utf8');
const NOW = Date.parse('2026-11-28T00:00:00Z');

function only(text: string): MitigationRule {
  const r = parseNativeRules(text, { nowMs: NOW });
  expect(r.findings).toEqual([]);
  expect(r.rules).toHaveLength(1);
  return r.rules[0]!;
}

describe('parseNativeRules: fixtures', () => {
  it('reads the 2013 rule with its impossible packet lengths kept as a list of two values', () => {
    const r = parseNativeRules(fixture('2013-dns-drop.yaml'));
    expect(r.findings).toEqual([]);
    expect(r.rules).toEqual([
      {
        id: '173.245.53.0/24-DNS-DROP',
        family: 'ipv4',
        match: {
          destination: '173.245.53.0/24',
          ports: [{ min: 53, max: 53 }],
          packetLengths: [
            { min: 99971, max: 99971 },
            { min: 99985, max: 99985 },
          ],
        },
        action: { kind: 'discard' },
        scope: { kind: 'global' },
        provenance: { author: 'attack-profiler', reason: 'DNS flood towards 173.245.53.0/24; lengths copied from the profiler output', origin: 'native' },
      },
    ]);
  });

  it('reads the DNS amplification rule', () => {
    const r = parseNativeRules(fixture('dns-amplification-ok.yaml'));
    expect(r.findings).toEqual([]);
    expect(r.rules[0]).toMatchObject({
      id: 'dns-amp-173.245.58.12',
      match: { destination: '173.245.58.12/32', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }], packetLengths: [{ min: 512, max: 4470 }] },
      action: { kind: 'discard' },
      scope: { kind: 'pops', pops: ['ams1', 'fra1'] },
      expiresAt: '2026-12-01T00:00:00.000Z',
      provenance: { author: 'alice', attackId: 'atk-2026-0412', origin: 'native' },
    });
  });

  it('turns ttl into an expiry from the given clock, and infers IPv6 from the prefix', () => {
    const r = parseNativeRules(fixture('syn-flood-rate-limit.yaml'), { nowMs: NOW });
    expect(r.findings).toEqual([]);
    expect(r.rules[0]).toMatchObject({ expiresAt: '2026-11-28T02:00:00.000Z', action: { kind: 'rate-limit-bytes', bytesPerSec: 10_000_000 }, match: { tcpFlags: [[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }]] } });
    expect(r.rules[1]).toMatchObject({ family: 'ipv6', action: { kind: 'rate-limit-packets', packetsPerSec: 50_000 }, sample: true, scope: { kind: 'regions', regions: ['eu'] }, match: { destinationPorts: [{ min: 1024, max: 65535 }] } });
  });

  it('reports every problem in the broken fixture with path and line/column', () => {
    const r = parseNativeRules(fixture('invalid-fields.yaml'));
    expect(r.rules).toEqual([]);
    const summary = r.findings.map((f) => [f.code, f.rule, f.component, f.line, f.column]);
    expect(summary).toEqual([
      ['rule_field_unknown', 'typo-in-field', 'rules[0].match.protocl', 6, 7],
      ['prefix_host_bits_set', 'host-bits-and-bad-range', 'rules[1].match.destination', 11, 20],
      ['rule_numeric_invalid', 'host-bits-and-bad-range', 'rules[1].match.packet-length', 12, 22],
      ['rule_field_invalid', 'negative-port', 'rules[2].action', 19, 13],
      ['rule_numeric_invalid', 'negative-port', 'rules[2].match.destination-port', 18, 25],
    ]);
    expect(r.findings[0]!.message).toContain('did you mean "protocol"');
    expect(r.findings[2]!.message).toMatch(/4470-512.*starts above its end/);
  });
});

describe('parseNativeRules: friendly syntax', () => {
  const base = (match: string, extra = ''): string => `id: r1\nmatch:\n${match}\naction: discard\nscope: global\n${extra}`;

  it('accepts numbers, ranges, operator strings and lists', () => {
    const rule = only(base('  destination: 198.51.100.7\n  destination-port: [53, "100-200", ">=60000"]\n  protocol: [udp, 6]\n  dscp: ef'));
    expect(rule.match).toEqual({
      destination: '198.51.100.7/32',
      destinationPorts: [
        { min: 53, max: 53 },
        { min: 100, max: 200 },
        { min: 60000, max: 65535 },
      ],
      protocols: [
        { min: 6, max: 6 },
        { min: 17, max: 17 },
      ],
      dscp: [{ min: 46, max: 46 }],
    });
  });

  it('accepts flag objects, expressions and lists of them', () => {
    const rule = only(base('  tcp-flags: [{all: [syn], none: ack}, "rst", 0x01]\n  fragment: not-a-fragment'));
    expect(rule.match.tcpFlags).toEqual([[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }], [{ op: 'all', bits: 0x04 }], [{ op: 'all', bits: 0x01 }]]);
    expect(rule.match.fragment).toEqual([[{ op: 'none', bits: 0x02 }]]);
  });

  it.each([
    ['discard', { kind: 'discard' }],
    ['accept', { kind: 'accept' }],
    ['{rate-limit-bps: 1000000}', { kind: 'rate-limit-bytes', bytesPerSec: 125000 }],
    ['{rate-limit-pps: 5000}', { kind: 'rate-limit-packets', packetsPerSec: 5000 }],
    ['{redirect: "65000:666"}', { kind: 'redirect', target: '65000:666' }],
    ['{redirect: "target:4200000000:7"}', { kind: 'redirect', target: '4200000000:7' }],
    ['{redirect: 192.0.2.1}', { kind: 'redirect', target: '192.0.2.1' }],
    ['{mark-dscp: 46}', { kind: 'mark-dscp', dscp: 46 }],
    ['{kind: rate-limit-bytes, bytesPerSec: 10}', { kind: 'rate-limit-bytes', bytesPerSec: 10 }],
  ])('action %s', (text, action) => {
    expect(only(`id: r1\nmatch: {destination: 198.51.100.0/24}\naction: ${text}\nscope: global`).action).toEqual(action);
  });

  it('reads the model-shaped JSON a MitigationRule serialises to (camelCase keys, {min,max}, {kind})', () => {
    const rule: MitigationRule = {
      id: 'json-1',
      family: 'ipv6',
      match: { destination: '2001:db8::/32', destinationOffset: 8, flowLabel: [{ min: 1, max: 5 }], tcpFlags: [[{ op: 'not-all', bits: 0x12 }]] },
      action: { kind: 'mark-dscp', dscp: 10 },
      sample: true,
      terminal: false,
      scope: { kind: 'regions', regions: ['eu'] },
      expiresAt: '2026-12-01T00:00:00.000Z',
      provenance: { author: 'api', attackId: 'a1', origin: 'api' },
      approvedBy: 'carol',
    };
    const r = parseNativeRules(JSON.stringify({ rules: [rule] }));
    expect(r.findings).toEqual([]);
    expect(r.rules).toEqual([rule]);
  });

  it('keeps representable but impossible values for the validator', () => {
    expect(only(base('  destination: 198.51.100.0/24\n  packet-length: 99971-99985\n  dscp: 70')).match).toMatchObject({ packetLengths: [{ min: 99971, max: 99985 }], dscp: [{ min: 70, max: 70 }] });
  });

  it.each([
    ['expires without a zone', base('  destination: 198.51.100.0/24', 'expires: 2026-12-01T00:00:00'), 'rule_expiry_invalid', 'rules[0]'],
    ['ttl and expires', base('  destination: 198.51.100.0/24', 'expires: 2026-12-01T00:00:00Z\nttl: 2h'), 'rule_expiry_invalid', 'ttl'],
    ['bad ttl', base('  destination: 198.51.100.0/24', 'ttl: soon'), 'rule_expiry_invalid', 'ttl'],
    ['flow label on IPv4', base('  destination: 198.51.100.0/24\n  flow-label: 5'), 'rule_family_mismatch', 'match.flow-label'],
    ['family vs prefix', base('  destination: 2001:db8::/32', 'family: ipv4'), 'rule_family_mismatch', 'match.destination'],
    ['empty pops', 'id: r1\nmatch: {destination: 198.51.100.0/24}\naction: discard\nscope: {pops: []}', 'rule_scope_invalid', 'scope.pops'],
    ['bad redirect', 'id: r1\nmatch: {destination: 198.51.100.0/24}\naction: {redirect: "70000:70000"}\nscope: global', 'rule_action_invalid', 'action'],
    ['fractional port', base('  destination-port: 5.5'), 'rule_numeric_invalid', 'match.destination-port'],
    ['unknown flag', base('  tcp-flags: "syn & !acknowledge"'), 'rule_name_unknown', 'match.tcp-flags'],
    ['missing scope', 'id: r1\nmatch: {}\naction: discard', 'rule_field_missing', 'scope'],
    ['wrong type', 'id: r1\nmatch: {destination: 5}\naction: discard\nscope: global', 'rule_field_invalid', 'match.destination'],
  ])('%s -> %s', (_name, text, code, component) => {
    const r = parseNativeRules(text, { nowMs: NOW });
    expect(r.rules).toEqual([]);
    const f = r.findings.find((x) => x.code === code);
    expect(f, JSON.stringify(r.findings)).toBeDefined();
    expect(f!.component).toContain(component === 'rules[0]' ? 'expires' : component);
    expect(f!.line).toBeGreaterThan(0);
    expect(f!.message.length).toBeGreaterThan(20);
  });

  it('needs a clock for ttl', () => {
    const r = parseNativeRules(base('  destination: 198.51.100.0/24', 'ttl: 2h'));
    expect(r.findings.map((f) => f.code)).toEqual(['rule_expiry_invalid']);
  });

  it('reports duplicate ids and keeps the first rule', () => {
    const r = parseNativeRules('rules:\n  - {id: a, match: {}, action: discard, scope: global}\n  - {id: a, match: {}, action: accept, scope: global}\n');
    expect(r.rules.map((x) => x.action.kind)).toEqual(['discard']);
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([['rule_duplicate_id', 3]]);
  });

  it('reports YAML syntax errors with a position, and an empty file as a warning', () => {
    const bad = parseNativeRules('rules:\n  - id: [unclosed\n');
    expect(bad.findings[0]).toMatchObject({ code: 'rule_file_syntax', severity: 'error' });
    expect(bad.findings[0]!.line).toBeGreaterThan(0);
    expect(parseNativeRules('').findings).toEqual([expect.objectContaining({ code: 'rule_file_empty', severity: 'warning' })]);
  });
});
