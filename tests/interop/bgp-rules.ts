// The rule set the BGP interop tests announce to gobgpd, exabgp and BIRD, and helpers that turn
// each tool's own view of a Flowspec route into our model so "every component and action
// matches" is a plain deep-equality check.
import type { MitigationRule, RuleAction } from '../../src/rules/model.js';
import { decodeExtCommunity, type FlowspecComponent, type FlowspecExtCommunity, type FlowspecNlri, nlriToMatch, ruleToFlowspec, flowspecToRule, type NumericTerm } from '../../src/flowspec/index.js';
import type { BitmaskWireTerm } from '../../src/flowspec/index.js';
import { maskBytes, parsePrefix, formatPrefix } from '../../src/lib/prefix.js';

const base = { scope: { kind: 'global' }, provenance: { origin: 'native' } } as const;

/** Every component type and every action kind, IPv4 and IPv6. */
export const INTEROP_RULES: readonly MitigationRule[] = [
  {
    ...base,
    id: 'v4-rich',
    family: 'ipv4',
    match: {
      destination: '10.9.0.0/16',
      source: '198.51.100.0/24',
      protocols: [{ min: 6, max: 6 }, { min: 17, max: 17 }],
      destinationPorts: [{ min: 1024, max: 2048 }, { min: 8080, max: 8080 }],
      sourcePorts: [{ min: 1024, max: 65535 }],
      packetLengths: [{ min: 1200, max: 1500 }],
      tcpFlags: [[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }]],
      fragment: [[{ op: 'any', bits: 0x02 }]],
      dscp: [{ min: 46, max: 46 }],
    },
    action: { kind: 'rate-limit-bytes', bytesPerSec: 9600 },
  },
  {
    ...base,
    id: 'v4-icmp',
    family: 'ipv4',
    match: { destination: '192.0.2.1/32', protocols: [{ min: 1, max: 1 }], icmpTypes: [{ min: 0, max: 0 }, { min: 8, max: 8 }], icmpCodes: [{ min: 0, max: 0 }] },
    action: { kind: 'discard' },
  },
  {
    ...base,
    id: 'v4-ports-mark',
    family: 'ipv4',
    match: { destination: '203.0.113.0/24', ports: [{ min: 53, max: 53 }, { min: 123, max: 123 }], packetLengths: [{ min: 0, max: 63 }, { min: 1401, max: 65535 }] },
    action: { kind: 'mark-dscp', dscp: 10 },
    sample: true,
    terminal: false,
  },
  {
    ...base,
    id: 'v4-not-tcp',
    family: 'ipv4',
    match: { destination: '10.10.0.0/16', protocols: [{ min: 0, max: 5 }, { min: 7, max: 255 }] },
    action: { kind: 'redirect', target: '65000:100' },
  },
  {
    ...base,
    id: 'v4-redirect-as4',
    family: 'ipv4',
    match: { destination: '10.11.0.0/16', protocols: [{ min: 6, max: 6 }], destinationPorts: [{ min: 443, max: 443 }] },
    action: { kind: 'redirect', target: '4200000001:7' },
  },
  {
    ...base,
    id: 'v4-redirect-ip',
    family: 'ipv4',
    match: { destination: '10.12.0.0/16', fragment: [[{ op: 'all', bits: 0x04 }], [{ op: 'any', bits: 0x08 }]] },
    action: { kind: 'redirect', target: '192.0.2.1:9' },
  },
  {
    ...base,
    id: 'v4-rate-packets',
    family: 'ipv4',
    match: { destination: '10.13.0.0/16', tcpFlags: [[{ op: 'any', bits: 0x01 | 0x04 }], [{ op: 'not-all', bits: 0x12 }]] },
    action: { kind: 'rate-limit-packets', packetsPerSec: 1000 },
  },
  {
    ...base,
    id: 'v4-accept-source',
    family: 'ipv4',
    match: { source: '192.0.2.0/25', destinationPorts: [{ min: 0, max: 1023 }] },
    action: { kind: 'accept' },
  },
  {
    ...base,
    id: 'v6-rich',
    family: 'ipv6',
    match: {
      destination: '2001:db8:99::/48',
      source: '2001:db8:1::/64',
      protocols: [{ min: 17, max: 17 }],
      sourcePorts: [{ min: 53, max: 53 }],
      packetLengths: [{ min: 100, max: 9000 }],
      flowLabel: [{ min: 101, max: 1999 }],
    },
    action: { kind: 'discard' },
  },
  {
    ...base,
    id: 'v6-icmp-mark',
    family: 'ipv6',
    match: { destination: '2001:db8:aa::/48', protocols: [{ min: 58, max: 58 }], icmpTypes: [{ min: 128, max: 129 }], dscp: [{ min: 8, max: 15 }] },
    action: { kind: 'mark-dscp', dscp: 0 },
  },
];

/** The model a rule becomes after the canonical encoding (ranges normalized). */
export function canonical(rule: MitigationRule): { match: MitigationRule['match']; action: RuleAction; sample: boolean; terminal: boolean } {
  const enc = ruleToFlowspec(rule);
  if (!enc.ok) throw new Error(`${rule.id}: ${enc.error.message}`);
  const back = flowspecToRule(enc.value).rule;
  return { match: back.match, action: back.action, sample: back.sample ?? false, terminal: back.terminal ?? true };
}

export function viewOf(nlri: FlowspecNlri, communities: readonly FlowspecExtCommunity[]): ReturnType<typeof canonical> {
  const r = flowspecToRule({ nlri, communities }).rule;
  return { match: r.match, action: r.action, sample: r.sample ?? false, terminal: r.terminal ?? true };
}

// ---- gobgp JSON -> wire form ------------------------------------------------------------------

const NUMERIC_OPS = ['false', '==', '>', '>=', '<', '<=', '!=', 'true'] as const;

function numericFromOps(items: ReadonlyArray<{ op: number; value: number }>): NumericTerm[] {
  return items.map((x, i) => ({ and: i > 0 && (x.op & 0x40) !== 0, op: NUMERIC_OPS[x.op & 7]!, value: x.value, valueLength: (1 << ((x.op >> 4) & 3)) as 1 | 2 | 4 | 8 }));
}

function bitmaskFromOps(items: ReadonlyArray<{ op: number; value: number }>): BitmaskWireTerm[] {
  return items.map((x, i) => ({ and: i > 0 && (x.op & 0x40) !== 0, not: (x.op & 0x02) !== 0, match: (x.op & 0x01) !== 0, value: x.value, valueLength: (1 << ((x.op >> 4) & 3)) as 1 | 2 | 4 | 8 }));
}

/** gobgp's JSON NLRI ({value: [{type, value}]}) as our wire form. */
export function nlriFromGobgpJson(family: 'ipv4' | 'ipv6', json: { value: ReadonlyArray<{ type: number; value: unknown; offset?: number }> }): FlowspecNlri {
  const components: FlowspecComponent[] = json.value.map((c) => {
    if (c.type === 1 || c.type === 2) {
      const text = (c.value as { prefix: string }).prefix;
      const offset = c.offset ?? 0;
      // Our form keeps only the bits from the offset on (RFC 8956 §3.1); gobgp shows the whole prefix.
      const p = parsePrefix(text, { allowHostBits: true });
      if (!p.ok) throw new Error(text);
      const bytes = Uint8Array.from(p.value.bytes);
      const head = maskBytes(bytes, offset);
      for (let i = 0; i < bytes.length; i++) bytes[i]! ^= head[i]!;
      return { type: c.type, prefix: formatPrefix({ ...p.value, bytes }), offset };
    }
    const items = c.value as ReadonlyArray<{ op: number; value: number }>;
    if (c.type === 9 || c.type === 12) return { type: c.type, bitmask: bitmaskFromOps(items) };
    return { type: c.type as 3, terms: numericFromOps(items) };
  });
  return { family, components };
}

/** gobgp's JSON extended communities (path attribute type 16) as ours. */
export function communitiesFromGobgpJson(list: ReadonlyArray<Record<string, unknown>>): FlowspecExtCommunity[] {
  return list.map((c): FlowspecExtCommunity => {
    const type = c.type as number;
    const subtype = c.subtype as number;
    if (type === 0x80 && subtype === 0x06) return { kind: 'traffic-rate-bytes', asn: c.as as number, bytesPerSec: c.rate as number };
    if (type === 0x80 && subtype === 0x0c && typeof c.rate === 'number') return { kind: 'traffic-rate-packets', asn: c.as as number, packetsPerSec: c.rate };
    if (type === 0x80 && subtype === 0x07) return { kind: 'traffic-action', sample: c.sample === true, terminal: c.terminal !== true };
    if (subtype === 0x08 && (type === 0x80 || type === 0x81 || type === 0x82)) {
      // gobgp prints 4-byte AS numbers in asdot ("64086.59905" = 4200000001).
      const target = String(c.value).replace(/^(\d+)\.(\d+):/, (_, hi: string, lo: string) => `${Number(hi) * 65536 + Number(lo)}:`);
      return { kind: 'redirect', format: type === 0x80 ? 'as2' : type === 0x81 ? 'ipv4' : 'as4', target };
    }
    if (type === 0x80 && subtype === 0x09) return { kind: 'traffic-marking', dscp: c.value as number };
    // Communities gobgp does not model (e.g. traffic-rate-packets 0x800c in gobgp 3.10) come as base64 of
    // the 8 bytes it stored; decode those bytes to show what gobgp received.
    if (typeof c.value === 'string' && /^[A-Za-z0-9+/]+=*$/.test(c.value)) {
      // gobgp keeps the type byte apart ("type") and the subtype + 6 value bytes as the blob.
      const d = decodeExtCommunity(Uint8Array.from([type, ...Buffer.from(c.value, 'base64')]));
      if (d.ok) return d.value;
    }
    return { kind: 'other', hex: JSON.stringify(c) };
  });
}

/**
 * An IPv6 rule with a byte-aligned prefix offset (RFC 8956 §3.1). Sent to BIRD in the RFC layout
 * and to gobgpd in the 'full-prefix' layout gobgp 3.10 uses. (BIRD 2.0.12 places the pattern of a
 * non-byte-aligned offset on the byte boundary, so only an aligned one is compared.)
 */
export const OFFSET_RULE: MitigationRule = {
  ...base,
  id: 'v6-offset',
  family: 'ipv6',
  match: { destination: '0:0:0:1::/64', destinationOffset: 32, protocols: [{ min: 6, max: 6 }] },
  action: { kind: 'rate-limit-bytes', bytesPerSec: 125000 },
};
