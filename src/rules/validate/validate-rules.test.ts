// Data-driven: rule (+ context) -> the exact set of finding codes. The base rule is a correct
// DNS-amplification mitigation and yields no finding at all; each row changes one thing.
import { describe, expect, it } from 'vitest';
import type { DeviceModel } from '../../fleet/device-model.js';
import { loadDeviceModelsSync } from '../../fleet/io/device-model-files.js';
import type { NetworkDescription } from '../../fleet/network.js';
import type { Finding, MitigationRule, RuleMatch } from '../model.js';
import { FRAGMENT_BITS, TCP_FLAG_BITS } from '../model.js';
import { RULES_VALIDATE_CODES } from './codes.js';
import { type ValidationContext, countRuleTcamEntries, isAcceptable, validateRules } from './index.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

const models: readonly DeviceModel[] = loadDeviceModelsSync();

const network: NetworkDescription = {
  name: 'edge',
  ownedPrefixes: ['173.245.48.0/20', '198.51.100.0/24', '10.0.0.0/8', '2400:cb00::/32'],
  mtuBytes: 4470,
  pops: [
    {
      id: 'ams',
      region: 'eu',
      anycastPrefixes: ['173.245.48.0/20'],
      routers: [
        { id: 'ams-r1', vendor: 'juniper', model: 'MX480', osVersion: '21.4R3' },
        { id: 'ams-r2', vendor: 'cisco', model: 'ASR9006', osVersion: '7.3.2' },
      ],
    },
    {
      id: 'fra',
      region: 'eu',
      anycastPrefixes: ['173.245.48.0/20'],
      routers: [
        { id: 'fra-r1', vendor: 'juniper', model: 'MX480', osVersion: '21.4R3' },
        { id: 'fra-r2', vendor: 'arista', model: '7280R3', osVersion: '4.28.3M' },
      ],
    },
    { id: 'lhr', region: 'eu', anycastPrefixes: [], routers: [{ id: 'lhr-r1', vendor: 'juniper', model: 'MX960', osVersion: '12.3R1.7' }] },
    { id: 'sjc', region: 'us', mtuBytes: 9000, anycastPrefixes: [], routers: [{ id: 'sjc-r1', vendor: 'cisco', model: 'ASR9010', osVersion: '6.1.4' }] },
    { id: 'nrt', region: 'apac', anycastPrefixes: [], routers: [{ id: 'nrt-r1', vendor: 'linux', model: 'linux-nftables', osVersion: '6.1' }] },
    { id: 'gru', region: 'sa', anycastPrefixes: [], routers: [{ id: 'gru-r1', vendor: 'nokia', model: '7750 SR', osVersion: '22.10.R1' }] },
  ],
};

const dnsMatch: RuleMatch = {
  destination: '173.245.53.10/32',
  protocols: [{ min: 17, max: 17 }],
  sourcePorts: [{ min: 53, max: 53 }],
  packetLengths: [{ min: 512, max: 4470 }],
};

/** The correct DNS-amplification rule: dst /32 owned, udp, source port 53, length 512-4470, discard, 2 PoPs, 2 h. */
function dnsRule(over: Partial<MitigationRule> = {}): MitigationRule {
  return {
    id: 'dns-amp',
    family: 'ipv4',
    match: dnsMatch,
    action: { kind: 'discard' },
    scope: { kind: 'pops', pops: ['ams', 'fra'] },
    expiresAt: iso(NOW + 2 * HOUR),
    provenance: { author: 'alice', origin: 'profiler' },
    ...over,
  };
}

function ctx(over: Partial<ValidationContext> = {}): ValidationContext {
  return { network, deviceModels: models, nowMs: NOW, installed: [], ...over };
}

const codes = (fs: readonly Finding[]): string[] => [...new Set(fs.map((f) => f.code))].sort();

/** The 2013 rule in the list form Cloudflare's profiler emitted, and as a range. */
const rule2013List: MitigationRule = {
  id: 'cf-2013',
  family: 'ipv4',
  match: { destination: '173.245.53.0/24', ports: [{ min: 53, max: 53 }], packetLengths: [{ min: 99971, max: 99971 }, { min: 99985, max: 99985 }] },
  action: { kind: 'discard' },
  scope: { kind: 'pops', pops: ['ams', 'lhr'] },
  expiresAt: iso(NOW + HOUR),
  provenance: { author: 'profiler', origin: 'profiler' },
};
const rule2013Range: MitigationRule = { ...rule2013List, match: { ...rule2013List.match, packetLengths: [{ min: 99971, max: 99985 }] } };

describe('the correct DNS-amplification rule', () => {
  it('yields no finding at all', () => {
    expect(validateRules([dnsRule()], ctx())).toEqual([]);
  });
  it('is acceptable', () => {
    expect(isAcceptable(validateRules([dnsRule()], ctx()))).toBe(true);
  });
});

describe('the 2013 rule', () => {
  it.each([
    ['list 99971, 99985', rule2013List, 'packet length 99971, 99985 can never match: the network MTU is 4470 bytes (IPv4 maximum 65535)'],
    ['range 99971-99985', rule2013Range, 'packet length 99971-99985 can never match: the network MTU is 4470 bytes (IPv4 maximum 65535)'],
  ])('is rejected in %s form with the MTU message', (_name, rule, message) => {
    const fs = validateRules([rule], ctx());
    expect(isAcceptable(fs)).toBe(false);
    const f = fs.find((x) => x.code === 'validate_packet_length_unreachable')!;
    expect(f).toMatchObject({ severity: 'error', rule: 'cf-2013', component: 'match.packetLengths', message, expected: 'packet lengths <= 4470' });
    for (const n of ['4470', '99971', '99985']) expect(f.message).toContain(n);
  });

  it('names the 2013 advisory and the legacy Junos router it would take down', () => {
    const fs = validateRules([rule2013Range], ctx());
    expect(codes(fs)).toEqual(['validate_device_advisory', 'validate_packet_length_unreachable']);
    const adv = fs.find((x) => x.code === 'validate_device_advisory')!;
    expect(adv.devices).toEqual(['lhr-r1']);
    expect(adv.message).toContain('FS-2013-PKTLEN');
    expect(adv.message).toContain('memory-exhaustion');
    expect(adv.message).toContain('12.3R1.7');
  });

  it('is rejected without a network too, against the IP maximum', () => {
    const fs = validateRules([rule2013Range], { nowMs: NOW });
    expect(fs.find((x) => x.code === 'validate_packet_length_unreachable')?.message).toBe('packet length 99971-99985 can never match: the IPv4 maximum is 65535 bytes');
  });
});

interface Row {
  readonly name: string;
  readonly rule?: Partial<MitigationRule>;
  readonly match?: RuleMatch;
  readonly ctx?: Partial<ValidationContext>;
  /** Extra rules validated after the row's rule, in the same batch. */
  readonly then?: readonly MitigationRule[];
  readonly expect: readonly string[];
  /** Substrings the first finding with expect[0] must contain. */
  readonly message?: readonly string[];
  readonly devices?: readonly string[];
}

const syn = TCP_FLAG_BITS.syn;
const { 'first-fragment': FF, 'is-fragment': IsF, 'dont-fragment': DF } = FRAGMENT_BITS;
const v6 = (over: Partial<MitigationRule> = {}): Partial<MitigationRule> => ({ family: 'ipv6', match: { ...dnsMatch, destination: '2400:cb00::53/128' }, ...over });
const installed = (id: string, over: Partial<MitigationRule> = {}): MitigationRule => dnsRule({ id, ...over });
const manyInstalled = (n: number, over: (i: number) => Partial<MitigationRule>): MitigationRule[] =>
  Array.from({ length: n }, (_, i) => dnsRule({ id: `inst-${i}`, ...over(i) }));
const hostIn10 = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;

const rows: Row[] = [
  // unsatisfiable and malformed values
  { name: 'empty component', match: { ...dnsMatch, destinationPorts: [] }, expect: ['validate_component_empty'] },
  { name: 'negative port', match: { ...dnsMatch, sourcePorts: [{ min: -1, max: 53 }] }, expect: ['validate_value_invalid'] },
  { name: 'NaN length', match: { ...dnsMatch, packetLengths: [{ min: Number.NaN, max: 600 }] }, expect: ['validate_value_invalid'] },
  { name: 'min above max', match: { ...dnsMatch, packetLengths: [{ min: 600, max: 500 }] }, expect: ['validate_range_empty'], message: ['600-500', 'min 600 is above max 500'] },
  { name: 'port above 65535', match: { ...dnsMatch, sourcePorts: [{ min: 53, max: 70000 }] }, expect: ['validate_value_out_of_range'], message: ['53-70000', '65535'] },
  { name: 'protocol above 255', match: { destination: '173.245.53.10/32', protocols: [{ min: 300, max: 300 }] }, expect: ['validate_value_out_of_range'], message: ['300', '255'] },
  { name: 'DSCP above 63', match: { ...dnsMatch, dscp: [{ min: 64, max: 64 }] }, expect: ['validate_value_out_of_range'], message: ['DSCP 64', '63'] },
  { name: 'ICMP type above 255', match: { destination: '173.245.53.10/32', protocols: [{ min: 1, max: 1 }], icmpTypes: [{ min: 256, max: 256 }] }, expect: ['validate_value_out_of_range'] },
  { name: 'flow label above 2^20-1', rule: v6({ scope: { kind: 'pops', pops: ['ams'] } }), match: { ...dnsMatch, destination: '2400:cb00::53/128', flowLabel: [{ min: 0x100000, max: 0x100000 }] }, expect: ['validate_value_out_of_range'], message: ['1048575'] },
  { name: 'flow label on IPv4', match: { ...dnsMatch, flowLabel: [{ min: 5, max: 5 }] }, expect: ['validate_component_wrong_family', 'validate_device_component_unsupported'] },
  { name: 'prefix offset on IPv4', match: { ...dnsMatch, destinationOffset: 8 }, expect: ['validate_component_wrong_family', 'validate_destination_not_owned', 'validate_device_component_unsupported'] },
  { name: 'IPv6 offset not below length', rule: v6({ scope: { kind: 'pops', pops: ['nrt'] } }), match: { ...dnsMatch, destination: '2400:cb00::/32', destinationOffset: 40 }, expect: ['validate_destination_broad', 'validate_destination_not_owned', 'validate_value_out_of_range'] },
  { name: 'IPv4 rule with IPv6 destination', match: { ...dnsMatch, destination: '2400:cb00::53/128' }, expect: ['validate_family_mismatch'], message: ['IPv6 prefix', 'rule is IPv4'] },
  { name: 'IPv6 rule with IPv4 source', rule: v6(), match: { ...dnsMatch, destination: '2400:cb00::53/128', source: '192.0.2.0/24' }, expect: ['validate_family_mismatch'] },
  { name: 'unparseable destination', match: { ...dnsMatch, destination: 'dns.example' }, expect: ['validate_prefix_invalid'] },
  { name: 'prefix length 33', match: { ...dnsMatch, destination: '173.245.53.10/33' }, expect: ['validate_prefix_invalid'], message: ['33'] },
  { name: 'host bits set', match: { ...dnsMatch, destination: '173.245.53.10/24' }, expect: ['validate_prefix_invalid'] },
  { name: 'TCP flags with UDP', match: { ...dnsMatch, tcpFlags: [[{ op: 'all', bits: syn }]] }, expect: ['validate_tcp_flags_without_tcp'], message: ['protocol 17', 'TCP (6)'] },
  { name: 'ICMP type with TCP', match: { destination: '173.245.53.10/32', protocols: [{ min: 6, max: 6 }], icmpTypes: [{ min: 8, max: 8 }] }, expect: ['validate_icmp_without_icmp'] },
  { name: 'ICMPv4 protocol on IPv6 ICMP match', rule: v6(), match: { destination: '2400:cb00::53/128', protocols: [{ min: 1, max: 1 }], icmpTypes: [{ min: 128, max: 128 }] }, expect: ['validate_icmp_without_icmp'], message: ['ICMPv6 (58)'] },
  { name: 'ports with ICMP-only protocol', match: { destination: '173.245.53.10/32', protocols: [{ min: 1, max: 1 }], destinationPorts: [{ min: 53, max: 53 }] }, expect: ['validate_ports_without_transport'] },
  { name: 'ICMP type with ports, no protocol', match: { destination: '173.245.53.10/32', icmpTypes: [{ min: 8, max: 8 }], destinationPorts: [{ min: 53, max: 53 }] }, expect: ['validate_l4_contradiction'] },
  { name: 'ICMP type with TCP flags within protocols {1, 6}', match: { destination: '173.245.53.10/32', protocols: [{ min: 1, max: 1 }, { min: 6, max: 6 }], icmpTypes: [{ min: 8, max: 8 }], tcpFlags: [[{ op: 'all', bits: syn }]] }, expect: ['validate_l4_contradiction'] },
  { name: 'SYN set and clear', match: { destination: '173.245.53.10/32', protocols: [{ min: 6, max: 6 }], tcpFlags: [[{ op: 'all', bits: syn }, { op: 'none', bits: syn }]] }, expect: ['validate_bitmask_unsatisfiable'], message: ['all(syn) and none(syn)'] },
  { name: 'TCP flags bits beyond 16 bits', match: { destination: '173.245.53.10/32', protocols: [{ min: 6, max: 6 }], tcpFlags: [[{ op: 'all', bits: 0x10000 }]] }, expect: ['validate_value_out_of_range'] },
  { name: 'first-fragment and is-fragment', rule: { scope: { kind: 'pops', pops: ['ams'] } }, match: { destination: '173.245.53.10/32', protocols: [{ min: 17, max: 17 }], fragment: [[{ op: 'all', bits: FF | IsF }]] }, expect: ['validate_fragment_unsatisfiable'], message: ['all(is-fragment|first-fragment)'] },
  { name: 'dont-fragment on IPv6', rule: v6({ scope: { kind: 'pops', pops: ['ams'] } }), match: { destination: '2400:cb00::53/128', fragment: [[{ op: 'all', bits: DF }]] }, expect: ['validate_fragment_unsatisfiable'], message: ['IPv6 has no dont-fragment bit'] },
  { name: 'fragment bits outside DF/IsF/FF/LF', rule: { scope: { kind: 'pops', pops: ['ams'] } }, match: { destination: '173.245.53.10/32', fragment: [[{ op: 'any', bits: 0x30 }]] }, expect: ['validate_value_out_of_range'] },
  { name: 'non-first fragments with ports', rule: { scope: { kind: 'pops', pops: ['ams'] } }, match: { ...dnsMatch, fragment: [[{ op: 'all', bits: IsF }]] }, expect: ['validate_fragment_without_l4_header'] },
  { name: 'first fragments with ports is fine', rule: { scope: { kind: 'pops', pops: ['ams'] } }, match: { ...dnsMatch, fragment: [[{ op: 'all', bits: FF }]] }, expect: [] },
  // beyond physics
  { name: 'length partly above MTU', match: { ...dnsMatch, packetLengths: [{ min: 512, max: 9000 }] }, expect: ['validate_packet_length_above_mtu'], message: ['4471-9000', '4470'] },
  { name: 'open-ended length (>= 512) is fine', match: { ...dnsMatch, packetLengths: [{ min: 512, max: 65535 }] }, expect: [] },
  { name: 'length above MTU but within a 9000-MTU PoP', rule: { scope: { kind: 'pops', pops: ['sjc'] } }, match: { ...dnsMatch, packetLengths: [{ min: 5000, max: 9000 }] }, expect: [] },
  { name: 'length above every MTU in scope', rule: { scope: { kind: 'pops', pops: ['sjc'] } }, match: { ...dnsMatch, packetLengths: [{ min: 9001, max: 9100 }] }, expect: ['validate_packet_length_unreachable'], message: ['largest MTU in scope is 9000 bytes (PoP sjc)', '9001-9100'] },
  { name: 'length beyond the IP maximum in part', match: { ...dnsMatch, packetLengths: [{ min: 512, max: 99999 }] }, expect: ['validate_value_out_of_range'], message: ['65535', '65536-99999'] },
  { name: 'IPv6 lengths up to 65575', rule: v6({ scope: { kind: 'pops', pops: ['nrt'] } }), ctx: { network: { ...network, mtuBytes: 70000 } }, match: { ...dnsMatch, destination: '2400:cb00::53/128', packetLengths: [{ min: 512, max: 65575 }] }, expect: [] },
  { name: 'length below the UDP header', match: { ...dnsMatch, packetLengths: [{ min: 0, max: 20 }] }, expect: ['validate_packet_length_below_header'], message: ['28 bytes'] },
  { name: 'length below the TCP header', match: { destination: '173.245.53.10/32', protocols: [{ min: 6, max: 6 }], packetLengths: [{ min: 28, max: 39 }] }, expect: ['validate_packet_length_below_header'], message: ['40 bytes'] },
  { name: 'negative rate', rule: { action: { kind: 'rate-limit-bytes', bytesPerSec: -5 } }, expect: ['validate_action_invalid'] },
  { name: 'DSCP mark 99', rule: { action: { kind: 'mark-dscp', dscp: 99 } }, expect: ['validate_action_invalid'], message: ['99', '0-63'] },
  // blast radius
  { name: 'no destination', match: { protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }] }, expect: ['validate_destination_missing'] },
  { name: '/8 destination', match: { ...dnsMatch, destination: '10.0.0.0/8' }, expect: ['validate_destination_too_broad'], message: ['/16'] },
  { name: '/8 destination, approved', match: { ...dnsMatch, destination: '10.0.0.0/8' }, ctx: { approvals: new Map([['dns-amp', 'bob']]) }, expect: ['validate_destination_broad'], message: ['approved by bob'] },
  { name: '/8 destination, self-approved', rule: { approvedBy: 'alice' }, match: { ...dnsMatch, destination: '10.0.0.0/8' }, expect: ['validate_destination_too_broad'] },
  { name: '/20 destination', match: { ...dnsMatch, destination: '173.245.48.0/20' }, expect: ['validate_destination_broad'] },
  { name: 'IPv6 /40 destination', rule: v6(), match: { ...dnsMatch, destination: '2400:cb00::/40' }, expect: ['validate_destination_broad'] },
  { name: 'IPv6 /24 destination', rule: v6(), match: { ...dnsMatch, destination: '2400:cb00::/24' }, expect: ['validate_destination_not_owned', 'validate_destination_too_broad'] },
  { name: 'destination outside owned space', match: { ...dnsMatch, destination: '192.0.2.1/32' }, expect: ['validate_destination_not_owned'], message: ['192.0.2.1/32', 'RFC 8955 §6'] },
  { name: 'global scope without approval', rule: { scope: { kind: 'global' } }, expect: ['validate_scope_global_unapproved', 'validate_device_model_missing'], message: ['all 6 PoPs'] },
  { name: 'global scope approved', rule: { scope: { kind: 'global' } }, ctx: { approvals: new Map([['dns-amp', 'bob']]) }, expect: ['validate_device_model_missing'], devices: ['gru-r1'] },
  { name: 'unknown PoP', rule: { scope: { kind: 'pops', pops: ['ams', 'xyz'] } }, expect: ['validate_scope_unknown'], message: ['xyz'] },
  { name: 'unknown region', rule: { scope: { kind: 'regions', regions: ['mars'] } }, expect: ['validate_scope_unknown'], message: ['mars'] },
  { name: 'region scope', rule: { scope: { kind: 'regions', regions: ['apac'] } }, expect: [] },
  { name: 'empty scope', rule: { scope: { kind: 'pops', pops: [] } }, expect: ['validate_scope_empty'] },
  { name: 'no expiry', rule: { expiresAt: undefined }, expect: ['validate_expiry_missing'] },
  { name: 'expiry in the past', rule: { expiresAt: iso(NOW - HOUR) }, expect: ['validate_expiry_past'], message: ['1.0 hours in the past'] },
  { name: 'expiry 30 days away', rule: { expiresAt: iso(NOW + 30 * 24 * HOUR) }, expect: ['validate_expiry_too_far'], message: ['30.0 days'] },
  { name: 'expiry not ISO', rule: { expiresAt: 'tomorrow' }, expect: ['validate_expiry_invalid'] },
  { name: 'discard everything to the destination', match: { destination: '173.245.53.10/32' }, expect: ['validate_matches_all_traffic'] },
  { name: 'rate-limit to 0 is a discard', rule: { action: { kind: 'rate-limit-bytes', bytesPerSec: 0 } }, match: { destination: '173.245.53.10/32' }, expect: ['validate_matches_all_traffic'] },
  // devices
  { name: 'no device models', ctx: { deviceModels: undefined }, expect: ['validate_device_models_absent'] },
  { name: 'router without a model', rule: { scope: { kind: 'pops', pops: ['gru'] } }, expect: ['validate_device_model_missing'], devices: ['gru-r1'], message: ['nokia 7750 SR 22.10.R1'] },
  { name: 'IPv6 on legacy Junos', rule: v6({ scope: { kind: 'pops', pops: ['lhr'] } }), expect: ['validate_device_family_unsupported'], devices: ['lhr-r1'] },
  { name: 'fragment on Arista', rule: { scope: { kind: 'pops', pops: ['fra'] } }, match: { ...dnsMatch, fragment: [[{ op: 'all', bits: DF }]] }, expect: ['validate_device_component_unsupported'], devices: ['fra-r2'], message: ['arista-7280r-eos', 'fragment'] },
  { name: 'flow label on legacy IOS XR', rule: v6({ scope: { kind: 'pops', pops: ['sjc', 'ams'] } }), match: { ...dnsMatch, destination: '2400:cb00::53/128', flowLabel: [{ min: 7, max: 7 }] }, expect: ['validate_device_component_unsupported'], devices: ['sjc-r1'] },
  { name: 'packet rate limit on IOS XR and EOS', rule: { action: { kind: 'rate-limit-packets', packetsPerSec: 1000 } }, expect: ['validate_device_action_unsupported'] },
  { name: 'six port ranges on ASR 9000', match: { ...dnsMatch, destinationPorts: [1, 3, 5, 7, 9, 11].map((p) => ({ min: p, max: p })) }, expect: ['validate_device_range_limit'], devices: ['ams-r2'], message: ['7 multi-value ranges', 'at most 5'] },
  {
    name: 'one rule larger than the Arista TCAM',
    rule: { scope: { kind: 'pops', pops: ['fra'] } },
    match: { ...dnsMatch, sourcePorts: [{ min: 1, max: 65534 }], destinationPorts: [{ min: 1, max: 65534 }], packetLengths: [{ min: 29, max: 4469 }] },
    expect: ['validate_device_tcam_exceeded'],
    devices: ['fra-r2'],
    message: ['13500 TCAM entries', '4096'],
  },
  {
    name: 'Arista TCAM full after installed rules',
    rule: { scope: { kind: 'pops', pops: ['fra'] }, match: { ...dnsMatch, sourcePorts: [{ min: 1, max: 65534 }], packetLengths: undefined } },
    ctx: { installed: manyInstalled(136, (i) => ({ match: { ...dnsMatch, destination: hostIn10(i), sourcePorts: [{ min: 1, max: 65534 }], packetLengths: undefined }, scope: { kind: 'pops', pops: ['fra'] } })) },
    expect: ['validate_device_tcam_capacity'],
    devices: ['fra-r2'],
    message: ['4096 entries', '4110', '4080 installed + 30 new'],
  },
  {
    name: 'ASR 9000 holds 3,000 rules',
    ctx: { installed: manyInstalled(3000, (i) => ({ match: { ...dnsMatch, destination: hostIn10(i), packetLengths: undefined }, scope: { kind: 'pops', pops: ['ams'] } })) },
    expect: ['validate_device_rule_capacity'],
    devices: ['ams-r2'],
    message: ['at most 3000', '3001 (3000 installed + 1 new)'],
  },
  {
    name: 'replacing an installed rule does not count twice',
    ctx: { installed: [...manyInstalled(2999, (i) => ({ match: { ...dnsMatch, destination: hostIn10(i), packetLengths: undefined }, scope: { kind: 'pops', pops: ['ams'] } })), dnsRule()] },
    expect: [],
  },
  // overlap
  { name: 'duplicate id in the batch', then: [dnsRule({ match: { ...dnsMatch, destination: '173.245.53.11/32' } })], expect: ['validate_rule_id_duplicate'] },
  { name: 'duplicate of an installed rule', ctx: { installed: [installed('old')] }, expect: ['validate_overlap_duplicate'], message: ['installed rule old'] },
  { name: 'duplicate written differently (1-5,6-9 vs 1-9)', match: { ...dnsMatch, destinationPorts: [{ min: 1, max: 5 }, { min: 6, max: 9 }] }, ctx: { installed: [installed('old', { match: { ...dnsMatch, destinationPorts: [{ min: 1, max: 9 }] } })] }, expect: ['validate_overlap_duplicate'] },
  { name: 'same match, other action', ctx: { installed: [installed('old', { action: { kind: 'rate-limit-bytes', bytesPerSec: 1e6 } })] }, expect: ['validate_overlap_conflicting_action'], message: ['rate-limit 1000000 bytes/s'] },
  { name: 'shadowed by a broader installed rule', ctx: { installed: [installed('wide', { match: { destination: '173.245.53.0/24', protocols: [{ min: 17, max: 17 }] }, scope: { kind: 'regions', regions: ['eu'] } })] }, expect: ['validate_overlap_shadowed'], message: ['installed rule wide'] },
  { name: 'not shadowed when the broader rule is non-terminal', ctx: { installed: [installed('wide', { terminal: false, match: { destination: '173.245.53.0/24', protocols: [{ min: 17, max: 17 }] } })] }, expect: [] },
  { name: 'not shadowed when the broader rule covers fewer PoPs', ctx: { installed: [installed('wide', { match: { destination: '173.245.53.0/24', protocols: [{ min: 17, max: 17 }] }, scope: { kind: 'pops', pops: ['ams'] } })] }, expect: [] },
  { name: 'inside a broader accept', ctx: { installed: [installed('allow', { action: { kind: 'accept' }, match: { destination: '173.245.53.0/24' } })] }, expect: ['validate_overlap_action_conflict'], message: ['lies entirely inside installed rule allow'] },
  { name: 'partial overlap with another action', match: { ...dnsMatch, packetLengths: [{ min: 512, max: 1500 }] }, ctx: { installed: [installed('rl', { action: { kind: 'rate-limit-bytes', bytesPerSec: 1e6 }, match: { ...dnsMatch, packetLengths: [{ min: 1000, max: 4470 }] } })] }, expect: ['validate_overlap_action_conflict'], message: ['partly overlaps'] },
  { name: 'no overlap: disjoint lengths', match: { ...dnsMatch, packetLengths: [{ min: 512, max: 999 }] }, ctx: { installed: [installed('rl', { action: { kind: 'accept' }, match: { ...dnsMatch, packetLengths: [{ min: 1000, max: 4470 }] } })] }, expect: [] },
  { name: 'no overlap: TCP flags rule vs UDP rule', ctx: { installed: [installed('syn', { action: { kind: 'accept' }, match: { destination: '173.245.53.10/32', tcpFlags: [[{ op: 'all', bits: syn }]] } })] }, expect: [] },
  { name: 'no overlap: disjoint PoPs', ctx: { installed: [installed('old', { scope: { kind: 'pops', pops: ['nrt'] } })] }, expect: [] },
  { name: 'within the batch: a later narrower rule is shadowed', rule: { match: { destination: '173.245.53.0/24', protocols: [{ min: 17, max: 17 }] } }, then: [dnsRule({ id: 'narrow' })], expect: ['validate_overlap_shadowed'] },
  { name: 'within the batch: exact duplicate', then: [dnsRule({ id: 'again' })], expect: ['validate_overlap_duplicate'], message: ['earlier rule dns-amp'] },
];

describe('validateRules table', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const base = dnsRule(row.rule);
    const rule = row.match ? { ...base, match: row.match } : base;
    const fs = validateRules([rule, ...(row.then ?? [])], ctx(row.ctx));
    expect(codes(fs)).toEqual([...row.expect].sort());
    if (row.expect.length === 0) return;
    const f = fs.find((x) => x.code === row.expect[0])!;
    for (const s of row.message ?? []) expect(f.message).toContain(s);
    if (row.devices) expect(f.devices).toEqual(row.devices);
    // Findings are data: they say where and what was expected.
    for (const x of fs) {
      expect(x.message.length).toBeGreaterThan(10);
      expect(['error', 'warning']).toContain(x.severity);
    }
  });

  it('has a row for every validator code', () => {
    const covered = new Set(rows.flatMap((r) => r.expect));
    covered.add('validate_packet_length_unreachable');
    covered.add('validate_device_advisory');
    expect(Object.keys(RULES_VALIDATE_CODES).filter((c) => !covered.has(c))).toEqual([]);
  });

  it('returns every finding, not the first', () => {
    const bad = dnsRule({ match: { ...rule2013Range.match, destination: '192.0.2.0/24', dscp: [{ min: 70, max: 70 }] }, scope: { kind: 'global' }, expiresAt: undefined });
    expect(codes(validateRules([bad], ctx()))).toEqual(
      ['validate_destination_not_owned', 'validate_device_advisory', 'validate_device_component_unsupported', 'validate_device_model_missing', 'validate_expiry_missing', 'validate_packet_length_unreachable', 'validate_scope_global_unapproved', 'validate_value_out_of_range'].sort(),
    );
  });

  it('does not check hidden advisories (they model defects nobody knew about)', () => {
    const hidden: DeviceModel = {
      ...models.find((m) => m.id === 'juniper-mx-junos')!,
      hiddenAdvisories: [{ id: 'HIDDEN', title: 'udp source port 53 crashes the PFE', osVersions: {}, trigger: { kind: 'component-present', component: 'sourcePorts' }, effect: 'crash-reboot' }],
    };
    const fs = validateRules([dnsRule()], ctx({ deviceModels: [hidden, ...models.filter((m) => m.id !== 'juniper-mx-junos')] }));
    expect(fs).toEqual([]);
    const published: DeviceModel = { ...hidden, advisories: hidden.hiddenAdvisories!, hiddenAdvisories: [] };
    const fs2 = validateRules([dnsRule()], ctx({ deviceModels: [published, ...models.filter((m) => m.id !== 'juniper-mx-junos')] }));
    expect(fs2.map((f) => [f.code, f.devices])).toEqual([['validate_device_advisory', ['ams-r1', 'fra-r1']]]);
  });

  it('counts the Arista TCAM figure the tcam row relies on', () => {
    expect(countRuleTcamEntries(dnsRule({ match: { ...dnsMatch, sourcePorts: [{ min: 1, max: 65534 }], destinationPorts: [{ min: 1, max: 65534 }], packetLengths: [{ min: 29, max: 4469 }] } }))).toBe(13500);
  });
});
