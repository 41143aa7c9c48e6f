import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FRAGMENT_FIELD, TCP_FLAGS_FIELD } from './bitmask.js';
import { parseExabgpBitmask, parseExabgpRules } from './exabgp.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../tests/fixtures/rules/${name}`, import.meta.url), 'utf8');

const route = (match: string, then = 'discard;'): string => `flow {\n\troute r {\n\t\tmatch { ${match} }\n\t\tthen { ${then} }\n\t}\n}\n`;

describe('parseExabgpRules', () => {
  it('reads the fixture inside a neighbor block, warning about the community it cannot keep', () => {
    const r = parseExabgpRules(fixture('ntp-monlist.exabgp'));
    expect(r.findings.map((f) => [f.code, f.severity, f.rule, f.line])).toEqual([['rule_statement_ignored', 'warning', 'chargen-any', 30]]);
    expect(r.rules).toEqual([
      {
        id: 'ntp-monlist-173.245.58.40',
        family: 'ipv4',
        match: {
          destination: '173.245.58.40/32',
          protocols: [{ min: 17, max: 17 }],
          sourcePorts: [{ min: 123, max: 123 }],
          packetLengths: [{ min: 400, max: 500 }],
        },
        action: { kind: 'rate-limit-bytes', bytesPerSec: 125000 },
        scope: { kind: 'global' },
        provenance: { origin: 'exabgp' },
      },
      {
        id: 'chargen-any',
        family: 'ipv4',
        match: { destination: '173.245.48.0/20', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 19, max: 19 }] },
        action: { kind: 'discard' },
        scope: { kind: 'global' },
        provenance: { origin: 'exabgp' },
      },
    ]);
  });

  it('reads numeric operators: =, >, >=, <, <=, !=, & and lists', () => {
    const r = parseExabgpRules(route('destination 198.51.100.0/24; destination-port [ >8080&<8088 =3128 ]; source-port >1024; port [ !=0 ]; packet-length <=100;'));
    expect(r.findings).toEqual([]);
    expect(r.rules[0]!.match).toEqual({
      destination: '198.51.100.0/24',
      destinationPorts: [
        { min: 3128, max: 3128 },
        { min: 8081, max: 8087 },
      ],
      sourcePorts: [{ min: 1025, max: 65535 }],
      ports: [{ min: 1, max: 65535 }],
      packetLengths: [{ min: 0, max: 100 }],
    });
  });

  it('reads binary operators: =all, any, !none, !=not-all, & within an item, items OR', () => {
    expect(parseExabgpBitmask(['=syn&!ack', 'rst', '!=fin+push'], TCP_FLAGS_FIELD)).toEqual({
      ok: true,
      clauses: [[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }], [{ op: 'any', bits: 0x04 }], [{ op: 'not-all', bits: 0x09 }]],
    });
    expect(parseExabgpBitmask(['not-a-fragment'], FRAGMENT_FIELD)).toEqual({ ok: true, clauses: [[{ op: 'none', bits: 0x02 }]] });
    const r = parseExabgpRules(route('destination 198.51.100.0/24; tcp-flags [ SYN RST&FIN&!=push ]; fragment [ first-fragment last-fragment ];'));
    expect(r.rules[0]!.match.tcpFlags).toEqual([[{ op: 'all', bits: 0x02 }], [{ op: 'all', bits: 0x05 }, { op: 'none', bits: 0x08 }]]);
    expect(r.rules[0]!.match.fragment).toEqual([[{ op: 'all', bits: 0x04 }], [{ op: 'all', bits: 0x08 }]]);
  });

  it('reads IPv6: prefix/length/offset, next-header, traffic-class as DSCP, flow-label', () => {
    const r = parseExabgpRules(route('destination 2400:cb00:2048::/48/8; source 2001:db8::/32/0; next-header udp; traffic-class 46; flow-label [ =2013 >=100&<=200 ];'));
    expect(r.findings).toEqual([]);
    expect(r.rules[0]).toMatchObject({
      family: 'ipv6',
      match: {
        destination: '2400:cb00:2048::/48',
        destinationOffset: 8,
        source: '2001:db8::/32',
        protocols: [{ min: 17, max: 17 }],
        dscp: [{ min: 46, max: 46 }],
        flowLabel: [
          { min: 100, max: 200 },
          { min: 2013, max: 2013 },
        ],
      },
    });
    expect(r.rules[0]!.match.sourceOffset).toBeUndefined();
  });

  it.each([
    ['rate-limit 9600;', { kind: 'rate-limit-bytes', bytesPerSec: 9600 }, {}],
    ['redirect 65500:12345;', { kind: 'redirect', target: '65500:12345' }, {}],
    ['redirect 192.0.2.1;', { kind: 'redirect', target: '192.0.2.1' }, {}],
    ['redirect-to-nexthop-ietf 2001:db8::1;', { kind: 'redirect', target: '2001:db8::1' }, {}],
    ['mark 10;', { kind: 'mark-dscp', dscp: 10 }, {}],
    ['accept; action sample;', { kind: 'accept' }, { sample: true }],
    // The T bit means "apply subsequent rules too" (RFC 8955 §7.3): not terminal.
    ['discard; action sample-terminal;', { kind: 'discard' }, { sample: true, terminal: false }],
  ])('then %s', (then, action, flags) => {
    const r = parseExabgpRules(route('destination 198.51.100.0/24;', then));
    expect(r.findings).toEqual([]);
    expect(r.rules[0]).toMatchObject({ action, ...flags });
  });

  it.each([
    ['source-port >1024&;', 'rule_numeric_invalid'],
    ['tcp-flags [ =synn ];', 'rule_name_unknown'],
    ['destination 198.51.100.1/24;', 'prefix_host_bits_set'],
    ['protocl udp;', 'rule_field_unknown'],
    ['flow-label 5; destination 198.51.100.0/24;', 'rule_family_mismatch'],
  ])('match %s -> %s with a position', (match, code) => {
    const r = parseExabgpRules(route(match));
    expect(r.rules).toEqual([]);
    expect(r.findings[0]).toMatchObject({ code, severity: 'error', line: 3 });
    expect(r.findings[0]!.column).toBeGreaterThan(10);
  });

  it('refuses two primary actions and copy', () => {
    expect(parseExabgpRules(route('destination 198.51.100.0/24;', 'discard; rate-limit 100;')).findings[0]!.code).toBe('rule_action_conflict');
    expect(parseExabgpRules(route('destination 198.51.100.0/24;', 'copy 192.0.2.1;')).findings[0]!.code).toBe('rule_action_invalid');
  });
});
