// ExaBGP's JSON view of a received Flowspec route (API "receive { parsed; update; }") turned into
// our wire form, so what exabgp understood can be compared with what we sent.
import { type BitmaskWireTerm, type FlowspecComponent, type FlowspecExtCommunity, type FlowspecNlri, type NumericTerm, decodeExtCommunity, smallestValueLength } from '../../src/flowspec/index.js';

const COMPONENT_BY_KEY: Record<string, number> = {
  'destination-ipv4': 1,
  'destination-ipv6': 1,
  'source-ipv4': 2,
  'source-ipv6': 2,
  protocol: 3,
  'next-header': 3,
  port: 4,
  'destination-port': 5,
  'source-port': 6,
  'icmp-type': 7,
  'icmp-code': 8,
  'tcp-flags': 9,
  'packet-length': 10,
  dscp: 11,
  'traffic-class': 11,
  fragment: 12,
  'flow-label': 13,
};

// IANA protocol numbers and ICMP types (the names exabgp prints for them).
const NAMED_VALUES: Record<string, number> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  egp: 8,
  udp: 17,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  ospf: 89,
  pim: 103,
  sctp: 132,
  'echo-reply': 0,
  unreachable: 3,
  'source-quench': 4,
  redirect: 5,
  'echo-request': 8,
  'router-advertisement': 9,
  'router-solicit': 10,
  'time-exceeded': 11,
  'parameter-problem': 12,
  'network-unreachable': 0,
  'host-unreachable': 1,
  'protocol-unreachable': 2,
  'port-unreachable': 3,
};

const BIT_NAMES: Record<string, number> = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  push: 0x08,
  ack: 0x10,
  urg: 0x20,
  urgent: 0x20,
  ece: 0x40,
  cwr: 0x80,
  ns: 0x100,
  'not-a-fragment': 0x00,
  'dont-fragment': 0x01,
  'is-fragment': 0x02,
  'first-fragment': 0x04,
  'last-fragment': 0x08,
};

function valueOf(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (text in NAMED_VALUES) return NAMED_VALUES[text]!;
  const trailing = /(\d+)$/.exec(text); // "unknown protocol type 5"
  if (trailing) return Number(trailing[1]);
  throw new Error(`exabgp value "${text}" not understood`);
}

function numericTerms(items: readonly string[]): NumericTerm[] {
  const out: NumericTerm[] = [];
  for (const item of items) {
    item.split('&').forEach((part, i) => {
      const m = /^(>=|<=|!=|=|>|<|true|false)?(.*)$/.exec(part)!;
      const op = (m[1] === '=' || m[1] === undefined ? '==' : m[1]) as NumericTerm['op'];
      const value = op === 'true' || op === 'false' ? 0 : valueOf(m[2]!);
      out.push({ and: i > 0, op, value, valueLength: smallestValueLength(value) });
    });
  }
  return out;
}

/** Bitmask items from exabgp's route string ("tcp-flags [ fin+rst !=syn+ack ]"): the lists split multi-bit values. */
function bitmaskTerms(routeString: string, key: string): BitmaskWireTerm[] {
  const m = new RegExp(`${key} (?:\\[ ([^\\]]*) \\]|(\\S+))`).exec(routeString);
  if (!m) throw new Error(`no ${key} in "${routeString}"`);
  const items = (m[1] ?? m[2]!).trim().split(/\s+/);
  const out: BitmaskWireTerm[] = [];
  for (const item of items) {
    item.split('&').forEach((part, i) => {
      const op = /^(!=|=|!)?(.*)$/.exec(part)!;
      const value = op[2]!.split('+').reduce((v, name) => v | (BIT_NAMES[name] ?? valueOf(name)), 0);
      out.push({ and: i > 0, not: op[1] === '!' || op[1] === '!=', match: op[1] === '=' || op[1] === '!=', value, valueLength: smallestValueLength(value) });
    });
  }
  return out;
}

/** One entry of exabgp's announce list ({"destination-ipv4": [...], ..., "string": "flow ..."}). */
export function nlriFromExabgp(family: 'ipv4' | 'ipv6', route: Record<string, unknown>): FlowspecNlri {
  const components: FlowspecComponent[] = [];
  for (const [key, raw] of Object.entries(route)) {
    const type = COMPONENT_BY_KEY[key];
    if (type === undefined) continue;
    const items = raw as string[];
    if (type === 1 || type === 2) {
      const [addr, len, offset] = items[0]!.split('/');
      components.push({ type, prefix: `${addr}/${len}`, offset: Number(offset ?? 0) });
    } else if (type === 9 || type === 12) {
      components.push({ type, bitmask: bitmaskTerms(String(route.string), key) });
    } else {
      components.push({ type: type as 3, terms: numericTerms(items) });
    }
  }
  components.sort((a, b) => a.type - b.type);
  return { family, components };
}

/** exabgp's extended communities: the exact 64-bit value it stored, and its own text for it. */
export function communitiesFromExabgp(list: ReadonlyArray<{ value: string | number; string: string }>): Array<{ community: FlowspecExtCommunity; text: string }> {
  return list.map((c) => {
    const hex = BigInt(c.value).toString(16).padStart(16, '0');
    const d = decodeExtCommunity(Uint8Array.from(Buffer.from(hex, 'hex')));
    if (!d.ok) throw new Error(`exabgp community ${hex}: ${d.error.message}`);
    return { community: d.value, text: c.string };
  });
}

/** The text exabgp 4.2 prints for a community it knows ("" for those it does not). */
export function exabgpCommunityText(c: FlowspecExtCommunity): string | undefined {
  switch (c.kind) {
    case 'traffic-rate-bytes':
      return `rate-limit:${c.bytesPerSec}`;
    case 'redirect':
      return c.format === 'ipv4' ? undefined : `redirect:${c.target}`;
    case 'traffic-marking':
      return `mark ${c.dscp}`;
    case 'traffic-action':
      // exabgp names the T bit "terminal"; RFC 8955 §7.3: T set means "apply later rules too".
      return `action ${[c.sample ? 'sample' : '', c.terminal ? '' : 'terminal'].filter(Boolean).join('-')}`;
    default:
      return undefined;
  }
}
