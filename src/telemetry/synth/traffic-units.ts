// Traffic "units": the smallest things the generator draws — a client's TCP connection, a QUIC
// session, a DNS query, a reflector's burst of amplified responses, one spoofed SYN. A unit is a
// list of datagrams at offsets from its start; each datagram puts one packet on the wire, or
// several when it is fragmented. Pure: everything comes from the Random handed in.
import { formatAddress, parsePrefix } from '../../lib/prefix.js';
import type { Random } from '../../lib/random.js';
import { datagramLength, fragmentCount } from '../export/packet-builder.js';
import { type DatagramSpec, type PayloadSpec, TCP_FLAG, type TcpSpec, type TransportSpec } from '../export/packet-spec.js';
import type { ScenarioName } from './scenarios.js';

export interface UnitDatagram {
  readonly offsetMs: number;
  readonly datagram: DatagramSpec;
  /** First fragment put on the wire (1 = the first fragment never arrives: bogus-fragment floods). */
  readonly fromFragment: number;
}

export interface TrafficUnit {
  readonly datagrams: readonly UnitDatagram[];
  /** PoP the unit's source reaches; undefined = pick one. */
  readonly pop?: string;
}

/** Wire packets of a unit at a link MTU. */
export function unitWirePackets(u: TrafficUnit, mtuBytes: number): number {
  let n = 0;
  for (const d of u.datagrams) n += Math.max(0, fragmentCount(d.datagram, mtuBytes) - d.fromFragment);
  return n;
}

// ---- addresses -------------------------------------------------------------------------------

const CLIENT_NETS_V4 = [24, 31, 37, 49, 62, 78, 81, 86, 92, 101, 109, 151, 176, 188, 201];
const REFLECTOR_NETS_V4 = [5, 27, 36, 45, 58, 91, 103, 112, 118, 122, 177, 185, 190, 200, 212];
const NETS_V6 = [0x2a00, 0x2a01, 0x2a02, 0x2a03, 0x2600, 0x2601, 0x2604, 0x2400, 0x2401, 0x2800, 0x2c0f];

function randomV4(r: Random, firstOctets: readonly number[]): string {
  return `${r.pick(firstOctets)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}

function randomV6(r: Random): string {
  const h = (): string => r.int(0, 0xffff).toString(16);
  return `${r.pick(NETS_V6).toString(16)}:${h()}:${h()}:${h()}::${r.int(1, 0xffff).toString(16)}`;
}

/** A routable-looking unicast IPv4 address (spoofed floods): not 0/8, 10/8, 127/8, 224/3. */
function spoofedV4(r: Random): string {
  let a = r.int(1, 223);
  while (a === 10 || a === 127) a = r.int(1, 223);
  return `${a}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}

export function clientAddress(r: Random, family: 4 | 6): string {
  return family === 4 ? randomV4(r, CLIENT_NETS_V4) : randomV6(r);
}

const targets = new Map<string, { bytes: Uint8Array; length: number; text: string }>();

/** A host drawn uniformly inside a prefix (or the address itself when it is a host). */
export function hostIn(r: Random, target: string): string {
  let p = targets.get(target);
  if (!p) {
    const parsed = parsePrefix(target, { allowHostBits: true });
    if (!parsed.ok) throw new Error(`attack target "${target}" is not an address or prefix`);
    p = { bytes: parsed.value.bytes, length: parsed.value.length, text: formatAddress(parsed.value.bytes) };
    if (targets.size < 1024) targets.set(target, p);
  }
  const hostBits = p.bytes.length * 8 - p.length;
  if (hostBits === 0) return p.text;
  const bytes = Uint8Array.from(p.bytes);
  for (let bit = 0; bit < hostBits; bit++) {
    if (r.next() < 0.5) {
      const i = bytes.length - 1 - (bit >> 3);
      bytes[i] = bytes[i]! | (1 << (bit & 7));
    }
  }
  // Avoid the network and broadcast addresses of IPv4 /31-and-wider prefixes.
  if (bytes.length === 4 && hostBits >= 2) {
    const last = bytes[3]!;
    const mask = (1 << Math.min(8, hostBits)) - 1;
    if ((last & mask) === 0) bytes[3] = last | 1;
    else if ((last & mask) === mask) bytes[3] = last & ~1;
  }
  return formatAddress(bytes);
}

export function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** A fixed pool of sources (reflectors, bots), each with a stable port, TTL and PoP. */
export interface SourcePool {
  readonly addresses: readonly string[];
  readonly ports: readonly number[];
  readonly ttls: readonly number[];
  readonly pops: readonly string[];
}

export function buildSourcePool(r: Random, size: number, family: 4 | 6, pops: readonly string[], reflectors: boolean): SourcePool {
  const addresses: string[] = [];
  const ports: number[] = [];
  const ttls: number[] = [];
  const at: string[] = [];
  for (let i = 0; i < Math.max(1, size); i++) {
    addresses.push(family === 4 ? randomV4(r, reflectors ? REFLECTOR_NETS_V4 : CLIENT_NETS_V4) : randomV6(r));
    ports.push(r.int(1024, 65_535));
    ttls.push(r.int(40, 60));
    at.push(r.pick(pops));
  }
  return { addresses, ports, ttls, pops: at };
}

// ---- datagram helpers ------------------------------------------------------------------------

const ephemeral = (r: Random): number => r.int(32_768, 60_999);
const seedOf = (r: Random): number => r.int(0, 0x7fffffff);

function datagram(family: 4 | 6, src: string, dst: string, ttl: number, r: Random, transport: TransportSpec, payload: PayloadSpec, df = true): DatagramSpec {
  return { family, srcAddr: src, dstAddr: dst, ttl, dscp: 0, ipId: r.int(0, 0xffff), dontFragment: df, ...(family === 6 ? { flowLabel: r.int(0, 0xfffff) } : {}), transport, payload };
}

function tcp(srcPort: number, dstPort: number, seq: number, ack: number, flags: number, options: TcpSpec['options'], window = 502): TcpSpec {
  return { kind: 'tcp', srcPort, dstPort, seq: seq >>> 0, ack: ack >>> 0, flags, window, options };
}

const udp = (srcPort: number, dstPort: number): TransportSpec => ({ kind: 'udp', srcPort, dstPort });

/** UDP payload bytes that give an IP datagram of `ipBytes` (IPv4 or IPv6). */
function udpPayloadFor(ipBytes: number, family: 4 | 6): number {
  return Math.max(0, ipBytes - (family === 4 ? 20 : 40) - 8);
}

const NAMES = ['www.example.net', 'cdn.example.net', 'api.example.net', 'mail.example.org', 'static.example.com', 'img.example.com', 'example.org'];
const AMPLIFIED_NAMES = ['isc.org', 'ripe.net', 'sl.', 'cpsc.gov', 'example-dnssec.org'];

// ---- benign units ----------------------------------------------------------------------------

export const BENIGN_KINDS = ['https', 'http', 'quic', 'dns', 'ntp', 'icmp'] as const;
export type BenignKind = (typeof BENIGN_KINDS)[number];
/** Share of background packets per kind. NTP is not a share: see NTP_POLL_INTERVAL_MS. */
export const BENIGN_SHARES: Readonly<Record<BenignKind, number>> = { https: 0.5, http: 0.06, quic: 0.3, dns: 0.11, ntp: 0, icmp: 0.03 };
/** Each victim host's NTP client polls a server every 64 s (ntpd's minimum poll): one answer per host per interval. */
export const NTP_POLL_INTERVAL_MS = 64_000;

/**
 * A client's TCP connection as the server's edge sees it (client -> server only): SYN; ACK;
 * requests (PSH|ACK) each followed by ACKs for the response; FIN|ACK, ACK (or a RST).
 */
function tcpConnection(r: Random, dst: string, dstPort: 443 | 80): TrafficUnit {
  const family = familyOf(dst);
  const src = clientAddress(r, family);
  const sport = ephemeral(r);
  const ttl = r.int(48, 120);
  const rttMs = r.int(8, 160);
  let seq = r.int(0, 0xffffffff);
  let ack = r.int(0, 0xffffffff) + 1;
  const out: UnitDatagram[] = [];
  let t = 0;
  const push = (flags: number, payload: PayloadSpec, options: TcpSpec['options'], payloadBytes: number): void => {
    out.push({ offsetMs: t, datagram: datagram(family, src, dst, ttl, r, tcp(sport, dstPort, seq, flags & TCP_FLAG.ACK ? ack : 0, flags, options, flags === TCP_FLAG.SYN ? 64_240 : 502), payload), fromFragment: 0 });
    seq += payloadBytes + (flags & (TCP_FLAG.SYN | TCP_FLAG.FIN) ? 1 : 0);
  };
  push(TCP_FLAG.SYN, { kind: 'none' }, 'syn', 0);
  t += rttMs;
  push(TCP_FLAG.ACK, { kind: 'none' }, 'timestamps', 0);
  if (dstPort === 443) {
    t += 1;
    push(TCP_FLAG.PSH | TCP_FLAG.ACK, { kind: 'tls', lengthBytes: 517, seed: seedOf(r) }, 'timestamps', 517); // ClientHello-sized
    ack += 4000;
    t += rttMs;
    push(TCP_FLAG.ACK, { kind: 'none' }, 'timestamps', 0);
  }
  const requests = r.int(1, 4);
  for (let q = 0; q < requests; q++) {
    t += r.int(1, 300);
    const host = `www${r.int(1, 9)}.example.net`;
    const payload: PayloadSpec = dstPort === 80 ? { kind: 'http-request', host, path: `/${r.int(1, 99_999)}` } : { kind: 'tls', lengthBytes: r.int(60, 900), seed: seedOf(r) };
    const bytes = dstPort === 80 ? 0 : payload.kind === 'tls' ? payload.lengthBytes : 0;
    push(TCP_FLAG.PSH | TCP_FLAG.ACK, payload, 'timestamps', bytes);
    // Server response of a few kB to a few hundred kB: one client ACK per two full segments.
    const responseBytes = Math.round(1_000 * 2 ** (r.next() * 8));
    const acks = Math.min(12, Math.ceil(responseBytes / 2_896));
    t += rttMs;
    for (let a = 0; a < acks; a++) {
      ack += Math.min(2_896, responseBytes);
      push(TCP_FLAG.ACK, { kind: 'none' }, 'timestamps', 0);
      t += r.int(0, 3);
    }
  }
  t += r.int(5, 2_000);
  if (r.next() < 0.05) {
    push(TCP_FLAG.RST | TCP_FLAG.ACK, { kind: 'none' }, 'none', 0);
  } else {
    push(TCP_FLAG.FIN | TCP_FLAG.ACK, { kind: 'none' }, 'timestamps', 0);
    t += rttMs;
    ack += 1;
    push(TCP_FLAG.ACK, { kind: 'none' }, 'timestamps', 0);
  }
  return { datagrams: out };
}

function quicSession(r: Random, dst: string): TrafficUnit {
  const family = familyOf(dst);
  const src = clientAddress(r, family);
  const sport = ephemeral(r);
  const ttl = r.int(48, 120);
  const rttMs = r.int(8, 160);
  const connection = seedOf(r);
  const out: UnitDatagram[] = [];
  let t = 0;
  out.push({ offsetMs: t, datagram: datagram(family, src, dst, ttl, r, udp(sport, 443), { kind: 'quic-initial', lengthBytes: 1_250, seed: seedOf(r) }), fromFragment: 0 });
  const packets = r.int(3, 25);
  for (let i = 0; i < packets; i++) {
    t += i === 0 ? rttMs : r.int(0, 80);
    const len = r.next() < 0.7 ? r.int(30, 60) : r.int(80, 1_200);
    out.push({ offsetMs: t, datagram: datagram(family, src, dst, ttl, r, udp(sport, 443), { kind: 'quic-short', lengthBytes: len, connection, seed: seedOf(r) }), fromFragment: 0 });
  }
  return { datagrams: out };
}

function dnsUnit(r: Random, dst: string, resolvers: SourcePool, authoritative: SourcePool): TrafficUnit {
  const family = familyOf(dst);
  if (r.next() < 0.7) {
    // A resolver asks our authoritative server.
    const i = r.int(0, resolvers.addresses.length - 1);
    const payload: PayloadSpec = { kind: 'dns-query', id: r.int(0, 0xffff), name: r.pick(NAMES), qtype: r.pick([1, 28, 65]) };
    return { datagrams: [{ offsetMs: 0, datagram: datagram(family, resolvers.addresses[i]!, dst, resolvers.ttls[i]!, r, udp(ephemeral(r), 53), payload, false), fromFragment: 0 }] };
  }
  // An answer to one of our own lookups (source port 53: what a naive rule would also drop).
  const i = r.int(0, authoritative.addresses.length - 1);
  const payload: PayloadSpec = { kind: 'dns-response', id: r.int(0, 0xffff), name: r.pick(NAMES), qtype: 1, lengthBytes: r.int(60, 480) };
  return { datagrams: [{ offsetMs: 0, datagram: datagram(family, authoritative.addresses[i]!, dst, authoritative.ttls[i]!, r, udp(53, ephemeral(r)), payload, false), fromFragment: 0 }] };
}

function ntpUnit(r: Random, dst: string, servers: SourcePool): TrafficUnit {
  const i = r.int(0, servers.addresses.length - 1);
  return { datagrams: [{ offsetMs: 0, datagram: datagram(familyOf(dst), servers.addresses[i]!, dst, servers.ttls[i]!, r, udp(123, 123), { kind: 'ntp', mode: 4, seed: seedOf(r) }), fromFragment: 0 }] };
}

function icmpUnit(r: Random, dst: string, monitors: SourcePool): TrafficUnit {
  const family = familyOf(dst);
  const i = r.int(0, monitors.addresses.length - 1);
  const id = r.int(0, 0xffff);
  const n = r.int(1, 5);
  const type = family === 4 ? 8 : 128; // echo request
  return {
    datagrams: Array.from({ length: n }, (_, s) => ({
      offsetMs: s * 1_000,
      datagram: datagram(family, monitors.addresses[i]!, dst, monitors.ttls[i]!, r, { kind: 'icmp', type, code: 0, identifier: id, sequence: s + 1 }, { kind: 'echo-data', lengthBytes: 56 }),
      fromFragment: 0,
    })),
  };
}

export interface BenignContext {
  readonly destinations: readonly string[];
  /** Pools per family: DNS resolvers, authoritative servers, NTP servers, monitoring probes. */
  readonly pools: Readonly<Record<4 | 6, { resolvers: SourcePool; authoritative: SourcePool; ntp: SourcePool; monitors: SourcePool }>>;
}

export function buildBenignContext(r: Random, destinations: readonly string[], pops: readonly string[]): BenignContext {
  const pools = (family: 4 | 6) => ({
    resolvers: buildSourcePool(r, 400, family, pops, false),
    authoritative: buildSourcePool(r, 200, family, pops, true),
    ntp: buildSourcePool(r, 40, family, pops, true),
    monitors: buildSourcePool(r, 30, family, pops, false),
  });
  return { destinations, pools: { 4: pools(4), 6: pools(6) } };
}

export function drawBenignUnit(kind: BenignKind, r: Random, ctx: BenignContext): TrafficUnit {
  const dst = r.pick(ctx.destinations);
  const p = ctx.pools[familyOf(dst)];
  switch (kind) {
    case 'https':
      return tcpConnection(r, dst, 443);
    case 'http':
      return tcpConnection(r, dst, 80);
    case 'quic':
      return quicSession(r, dst);
    case 'dns':
      return dnsUnit(r, dst, p.resolvers, p.authoritative);
    case 'ntp':
      return ntpUnit(r, dst, p.ntp);
    case 'icmp':
      return icmpUnit(r, dst, p.monitors);
  }
}

/** Largest unit (wire packets) worth size-biasing against when sampling; bigger ones always accept. */
export const BENIGN_MAX_PACKETS: Readonly<Record<BenignKind, number>> = { https: 60, http: 56, quic: 26, dns: 1, ntp: 1, icmp: 5 };

// ---- attack units ----------------------------------------------------------------------------

export interface AttackContext {
  readonly kind: ScenarioName;
  readonly target: string;
  readonly family: 4 | 6;
  readonly pool: SourcePool;
  /** Service port a SYN flood aims at. */
  readonly servicePort: number;
}

export function buildAttackContext(r: Random, kind: ScenarioName, target: string, pops: readonly string[], sources?: number): AttackContext {
  const family = familyOf(target.split('/')[0]!);
  const defaults: Record<ScenarioName, number> = {
    'dns-amplification': 3_000,
    'ntp-amplification': 1_500,
    memcached: 400,
    ssdp: 5_000,
    'syn-flood': 1,
    'udp-flood': 800,
    'carpet-bombing': 3_000,
    fragments: 1,
  };
  const size = sources ?? defaults[kind];
  const reflect = kind !== 'udp-flood';
  return { kind, target, family, pool: buildSourcePool(r, size, family, pops, reflect), servicePort: r.pick([80, 443]) };
}

/** Amplified responses from one reflector: `count` datagrams a few ms apart. */
function reflectorBurst(r: Random, c: AttackContext, srcPort: number, count: number, payloadOf: (i: number) => PayloadSpec, df = false): TrafficUnit {
  const i = r.int(0, c.pool.addresses.length - 1);
  const dst = hostIn(r, c.target);
  const out: UnitDatagram[] = [];
  let t = 0;
  for (let k = 0; k < count; k++) {
    out.push({ offsetMs: t, datagram: datagram(c.family, c.pool.addresses[i]!, dst, c.pool.ttls[i]!, r, udp(srcPort, c.pool.ports[i]!), payloadOf(k), df), fromFragment: 0 });
    t += r.next() * 20;
  }
  return { datagrams: out, pop: c.pool.pops[i]! };
}

export function drawAttackUnit(r: Random, c: AttackContext): TrafficUnit {
  switch (c.kind) {
    case 'dns-amplification':
      // ANY / DNSSEC answers: mostly 2,000-4,000 bytes (IP-fragmented at a 1500 MTU), some smaller.
      return reflectorBurst(r, c, 53, r.int(1, 4), () => {
        const size = r.next() < 0.7 ? r.int(2_000, 4_000) : r.int(512, 1_400);
        return { kind: 'dns-response', id: r.int(0, 0xffff), name: r.pick(AMPLIFIED_NAMES), qtype: 255, lengthBytes: size };
      });
    case 'ntp-amplification':
      // monlist: up to 100 responses of 6 entries each, 468 bytes on the wire.
      return reflectorBurst(r, c, 123, r.int(1, 10), () => ({ kind: 'ntp-monlist', items: 6, seed: seedOf(r) }));
    case 'memcached': {
      const total = r.int(1, 20);
      const requestId = r.int(0, 0x7fff); // (tshark reads a first byte of 0x80/0x81 as the binary protocol)
      return reflectorBurst(r, c, 11211, total, (k) => ({ kind: 'memcached-response', lengthBytes: r.next() < 0.85 ? 1_400 : r.int(2_800, 4_200), requestId, sequence: k, total }));
    }
    case 'ssdp':
      return reflectorBurst(r, c, 1900, r.int(1, 8), () => ({ kind: 'ssdp-response', lengthBytes: udpPayloadFor(r.int(290, 330), c.family), seed: seedOf(r) }));
    case 'carpet-bombing':
      // DNS reflection spread over every host of the prefix: each host sees little.
      return reflectorBurst(r, c, 53, r.int(1, 3), () => ({ kind: 'dns-response', id: r.int(0, 0xffff), name: r.pick(AMPLIFIED_NAMES), qtype: 255, lengthBytes: r.next() < 0.7 ? r.int(900, 1_400) : r.int(2_000, 3_000) }));
    case 'syn-flood': {
      // Spoofed sources, SYN only, 40-60 bytes (no options, MSS only, or a full SYN option set).
      const src = c.family === 4 ? spoofedV4(r) : randomV6(r);
      const options = r.pick(['none', 'mss', 'syn'] as const);
      const d = datagram(c.family, src, hostIn(r, c.target), r.int(30, 250), r, tcp(r.int(1_024, 65_535), c.servicePort, r.int(0, 0xffffffff), 0, TCP_FLAG.SYN, options, r.int(1_024, 65_535)), { kind: 'none' }, r.next() < 0.5);
      return { datagrams: [{ offsetMs: 0, datagram: d, fromFragment: 0 }] };
    }
    case 'udp-flood': {
      // Botnet UDP: random source and destination ports and sizes.
      const i = r.int(0, c.pool.addresses.length - 1);
      const dst = hostIn(r, c.target);
      const n = r.int(1, 5);
      return {
        datagrams: Array.from({ length: n }, (_, k) => ({
          offsetMs: k * r.next() * 5,
          datagram: datagram(c.family, c.pool.addresses[i]!, dst, c.pool.ttls[i]!, r, udp(r.int(1_024, 65_535), r.int(1, 65_535)), { kind: 'filler', lengthBytes: r.int(20, 1_400), seed: seedOf(r) }, false),
          fromFragment: 0,
        })),
        pop: c.pool.pops[i]!,
      };
    }
    case 'fragments': {
      // Large UDP datagrams from spoofed sources; most arrive without their first fragment.
      const src = c.family === 4 ? spoofedV4(r) : randomV6(r);
      const d = datagram(c.family, src, hostIn(r, c.target), r.int(30, 250), r, udp(r.int(1_024, 65_535), r.int(1, 65_535)), { kind: 'filler', lengthBytes: r.int(3_000, 8_000), seed: seedOf(r) }, false);
      return { datagrams: [{ offsetMs: 0, datagram: d, fromFragment: r.next() < 0.7 ? 1 : 0 }] };
    }
  }
}

export const ATTACK_MAX_PACKETS: Readonly<Record<ScenarioName, number>> = {
  'dns-amplification': 12,
  'ntp-amplification': 10,
  memcached: 30,
  ssdp: 8,
  'syn-flood': 1,
  'udp-flood': 5,
  'carpet-bombing': 6,
  fragments: 6,
};

/** Sanity bound used by tests: no datagram the units produce exceeds the IP length field. */
export function maxDatagramBytes(u: TrafficUnit): number {
  return Math.max(0, ...u.datagrams.map((d) => datagramLength(d.datagram)));
}
