import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MitigationRule } from '../model.js';
import { detectRuleFormat, parseRuleFile } from './index.js';
import { parseJunosRules } from './junos.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../tests/fixtures/rules/${name}`, import.meta.url), 'utf8');

const RULE_2013 = (id: string, destination: string): MitigationRule => ({
  id,
  family: 'ipv4',
  match: {
    destination,
    ports: [{ min: 53, max: 53 }],
    // Junos `[ 99971 99985 ]` is a list: two single values, not a range.
    packetLengths: [
      { min: 99971, max: 99971 },
      { min: 99985, max: 99985 },
    ],
  },
  action: { kind: 'discard' },
  scope: { kind: 'global' },
  provenance: { origin: 'junos' },
});

describe('parseJunosRules', () => {
  it('imports the 2013 rule exactly as published', () => {
    const text = 'route 173.245.53.0/24-DNS-DROP { match { destination 173.245.53.0/24; port 53; packet-length [ 99971 99985 ]; } then discard; }';
    expect(parseJunosRules(text)).toEqual({ rules: [RULE_2013('173.245.53.0/24-DNS-DROP', '173.245.53.0/24')], findings: [] });
  });

  it('imports the fixtures (/24 and /32 variants)', () => {
    expect(parseJunosRules(fixture('2013-dns-drop.junos'))).toEqual({ rules: [RULE_2013('173.245.53.0/24-DNS-DROP', '173.245.53.0/24')], findings: [] });
    expect(parseJunosRules(fixture('2013-dns-drop-32.junos'))).toEqual({ rules: [RULE_2013('173.245.53.1/32-DNS-DROP', '173.245.53.1/32')], findings: [] });
  });

  it('reads `a-b` as a range', () => {
    const r = parseJunosRules('route r { match { destination 173.245.53.0/24; packet-length 99971-99985; } then discard; }');
    expect(r.rules[0]!.match.packetLengths).toEqual([{ min: 99971, max: 99985 }]);
  });

  it('reads the full hierarchy with named values, flags and every action', () => {
    const text = `
routing-options {
    flow {
        term-order standard;
        route SYN-FLOOD {
            match {
                destination 173.245.60.80/32;
                source 198.51.100.0/24;
                protocol tcp;
                destination-port [ http https ];
                tcp-flags "syn & !ack";
                fragment not-a-fragment;
                dscp [ ef af11 ];
            }
            then {
                rate-limit 10m;
                sample;
                next-term;
            }
        }
        route ICMP { match { destination 173.245.50.0/24; protocol icmp; icmp-type echo-request; icmp-code 0; } then accept; }
        route TO-VRF { match { destination 173.245.51.0/24; } then routing-instance target:65000:666; }
        route MARK { match { destination 173.245.52.0/24; } then { mark 46; community BLACKHOLE; } }
    }
    rib inet6.0 {
        flow {
            route V6 { match { destination 2400:cb00:2048::/48 { prefix-offset 8; } source 2001:db8::/32 prefix-offset 4; flow-label [ 1 10-20 ]; icmp6-type echo-request; } then discard; }
            route V6-AS4 { match { destination 2400:cb00:2048::/48; } then routing-instance target:4200000001L:66; }
        }
    }
}`;
    const r = parseJunosRules(text);
    expect(r.findings.map((f) => [f.code, f.severity, f.component])).toEqual([['rule_statement_ignored', 'warning', 'then.community']]);
    expect(r.rules.map((x) => x.id)).toEqual(['SYN-FLOOD', 'ICMP', 'TO-VRF', 'MARK', 'V6', 'V6-AS4']);
    const [syn, icmp, vrf, mark, v6, as4] = r.rules;
    expect(syn).toMatchObject({
      match: {
        destination: '173.245.60.80/32',
        source: '198.51.100.0/24',
        protocols: [{ min: 6, max: 6 }],
        destinationPorts: [
          { min: 80, max: 80 },
          { min: 443, max: 443 },
        ],
        tcpFlags: [[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }]],
        fragment: [[{ op: 'none', bits: 0x02 }]],
        dscp: [
          { min: 10, max: 10 },
          { min: 46, max: 46 },
        ],
      },
      action: { kind: 'rate-limit-bytes', bytesPerSec: 1_250_000 },
      sample: true,
      terminal: false,
    });
    expect(icmp).toMatchObject({ action: { kind: 'accept' }, match: { icmpTypes: [{ min: 8, max: 8 }], icmpCodes: [{ min: 0, max: 0 }] } });
    expect(vrf!.action).toEqual({ kind: 'redirect', target: '65000:666' });
    expect(mark!.action).toEqual({ kind: 'mark-dscp', dscp: 46 });
    expect(as4!.action).toEqual({ kind: 'redirect', target: '4200000001:66' });
    expect(v6).toMatchObject({ family: 'ipv6', match: { destination: '2400:cb00:2048::/48', destinationOffset: 8, source: '2001:db8::/32', sourceOffset: 4, icmpTypes: [{ min: 128, max: 128 }], flowLabel: [{ min: 1, max: 1 }, { min: 10, max: 20 }] } });
  });

  it('reads set lines, merged per route', () => {
    const r = parseJunosRules(fixture('memcached-drop.set.junos'));
    expect(r.findings).toEqual([]);
    expect(r.rules).toEqual([
      {
        id: 'MEMCACHED-173.245.59.0',
        family: 'ipv4',
        match: { destination: '173.245.59.0/24', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 11211, max: 11211 }] },
        action: { kind: 'discard' },
        sample: true,
        scope: { kind: 'global' },
        provenance: { origin: 'junos' },
      },
    ]);
    const v6 = parseJunosRules('set routing-options rib inet6.0 flow route R6 match destination 2001:db8::/32\nset routing-options rib inet6.0 flow route R6 then discard\n');
    expect(v6.rules[0]).toMatchObject({ id: 'R6', family: 'ipv6' });
  });

  it('gives imported rules the scope it is told', () => {
    const r = parseJunosRules(fixture('2013-dns-drop.junos'), { scope: { kind: 'pops', pops: ['ams1'] } });
    expect(r.rules[0]!.scope).toEqual({ kind: 'pops', pops: ['ams1'] });
  });

  it.each([
    ['unknown match', 'route r { match { destination 10.0.0.0/8; destination-prot 53; } then discard; }', 'rule_field_unknown', 1, 43],
    ['unknown action', 'route r { match { destination 10.0.0.0/8; } then { dicsard; } }', 'rule_field_unknown', 1, 52],
    ['two actions', 'route r { match { destination 10.0.0.0/8; } then { discard; rate-limit 1m; } }', 'rule_action_conflict', 1, 61],
    ['bad prefix', 'route r { match { destination 10.0.0.1/8; } then discard; }', 'prefix_host_bits_set', 1, 31],
    ['bad number', 'route r { match { destination 10.0.0.0/8; port 5x; } then discard; }', 'rule_name_unknown', 1, 48],
    ['unbalanced', 'route r { match { destination 10.0.0.0/8; } then discard;', 'rule_file_syntax', 1, 57],
    ['bad rate', 'route r {\n  match { destination 10.0.0.0/8; }\n  then rate-limit fast;\n}', 'rule_action_invalid', 3, 19],
    ['flow label on v4', 'route r { match { destination 10.0.0.0/8; flow-label 5; } then discard; }', 'rule_family_mismatch', 1, 43],
  ])('%s -> %s at line/column', (_name, text, code, line, column) => {
    const r = parseJunosRules(text);
    expect(r.rules).toEqual([]);
    expect(r.findings[0]).toMatchObject({ code, severity: 'error', line, column });
  });

  it('suggests the statement a typo was meant to be', () => {
    const r = parseJunosRules('route r { match { destination 10.0.0.0/8; destination-prot 53; } then discard; }');
    expect(r.findings[0]!.message).toContain('did you mean "destination-port"');
  });

  it('reports duplicate route names', () => {
    const r = parseJunosRules('route r { match { destination 10.0.0.0/8; } then discard; }\nroute r { match { destination 10.0.0.0/8; } then accept; }');
    expect(r.rules).toHaveLength(1);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'rule_duplicate_id', line: 2 })]);
  });
});

describe('detectRuleFormat', () => {
  it.each([
    ['2013-dns-drop.junos', 'junos'],
    ['memcached-drop.set.junos', 'junos'],
    ['ntp-monlist.exabgp', 'exabgp'],
    ['dns-amplification-ok.yaml', 'native'],
  ] as const)('%s by name and by content', (name, format) => {
    const text = fixture(name);
    expect(detectRuleFormat(text, name)).toBe(format);
    expect(detectRuleFormat(text)).toBe(format);
    expect(parseRuleFile(text).format).toBe(format);
  });
});
