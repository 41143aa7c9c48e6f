// Packet builder: a DatagramSpec -> real bytes. Ethernet II (+ optional 802.1Q), IPv4 (RFC 791)
// or IPv6 (RFC 8200), TCP (RFC 9293) / UDP (RFC 768) / ICMP (RFC 792) / ICMPv6 (RFC 4443), with
// correct lengths and checksums (RFC 1071; pseudo headers RFC 9293 §3.1, RFC 8200 §8.1).
// Datagrams larger than the link MTU are fragmented as a host would (RFC 791 §3.2; RFC 8200
// §4.5 fragment header); the first fragment's transport checksum covers the whole datagram.
// Pure: same spec, same bytes.
import { parseAddress } from '../../lib/prefix.js';
import { unreachable } from '../../lib/assert.js';
import { buildPayload, payloadLength } from './payloads.js';
import { type DatagramSpec, IP_PROTOCOL, type LinkSpec, type TransportSpec, type WirePacketSpec } from './packet-spec.js';

export const DEFAULT_LINK: LinkSpec = { srcMac: '02:00:5e:00:53:01', dstMac: '02:00:5e:00:53:02' };
const ETHERTYPE = { ipv4: 0x0800, ipv6: 0x86dd, vlan: 0x8100 } as const;
const IPV6_FRAGMENT_HEADER = 44;
/** Ethernet frames shorter than 60 bytes (64 with FCS) are padded (IEEE 802.3 minimum frame). */
const MIN_FRAME_BYTES = 60;

const TCP_OPTION_BYTES = { syn: 20, mss: 4, timestamps: 12, none: 0 } as const;

export function ipHeaderLength(family: 4 | 6): number {
  return family === 4 ? 20 : 40;
}

export function transportHeaderLength(t: TransportSpec): number {
  switch (t.kind) {
    case 'tcp':
      return 20 + TCP_OPTION_BYTES[t.options];
    case 'udp':
    case 'icmp':
      return 8;
    default:
      return unreachable(t, 'transport kind');
  }
}

export function ipProtocol(d: DatagramSpec): number {
  switch (d.transport.kind) {
    case 'tcp':
      return IP_PROTOCOL.tcp;
    case 'udp':
      return IP_PROTOCOL.udp;
    case 'icmp':
      return d.family === 4 ? IP_PROTOCOL.icmp : IP_PROTOCOL.icmpv6;
    default:
      return unreachable(d.transport, 'transport kind');
  }
}

/** Bytes after the IP header: transport header + application payload. */
export function ipPayloadLength(d: DatagramSpec): number {
  return transportHeaderLength(d.transport) + payloadLength(d.payload);
}

/** Unfragmented datagram length (IPv4 total length / IPv6 40 + payload length). */
export function datagramLength(d: DatagramSpec): number {
  return ipHeaderLength(d.family) + ipPayloadLength(d);
}

/** Fragment data bytes per packet: a multiple of 8 that fits the MTU after the (fragment) headers. */
function fragmentDataBytes(family: 4 | 6, mtuBytes: number): number {
  const room = mtuBytes - ipHeaderLength(family) - (family === 6 ? 8 : 0);
  return Math.max(8, Math.floor(room / 8) * 8);
}

export function fragmentCount(d: DatagramSpec, mtuBytes: number): number {
  if (datagramLength(d) <= mtuBytes) return 1;
  return Math.ceil(ipPayloadLength(d) / fragmentDataBytes(d.family, mtuBytes));
}

export interface WirePacketInfo {
  /** IP length of this packet (IPv4 total length; IPv6 40 + payload length incl. any fragment header). */
  readonly ipLengthBytes: number;
  /** Ethernet frame length without FCS (after minimum-size padding). */
  readonly frameLengthBytes: number;
  readonly fragmented: boolean;
  readonly offsetBytes: number;
  readonly moreFragments: boolean;
  /** Whether this packet carries the transport header (unfragmented or first fragment). */
  readonly hasTransportHeader: boolean;
  /** RFC 8955 fragment bits: 0x01 DF, 0x02 IsF, 0x04 FF, 0x08 LF. */
  readonly fragmentFlags: number;
}

/** Lengths and fragment position of one wire packet, without building its bytes. */
export function describeWirePacket(w: WirePacketSpec): WirePacketInfo {
  const d = w.datagram;
  const n = fragmentCount(d, w.mtuBytes);
  const linkBytes = 14 + (w.link?.vlan !== undefined ? 4 : 0);
  const df = d.family === 4 && d.dontFragment && n === 1;
  if (n === 1) {
    const ip = datagramLength(d);
    return { ipLengthBytes: ip, frameLengthBytes: Math.max(MIN_FRAME_BYTES, linkBytes + ip), fragmented: false, offsetBytes: 0, moreFragments: false, hasTransportHeader: true, fragmentFlags: df ? 0x01 : 0 };
  }
  const per = fragmentDataBytes(d.family, w.mtuBytes);
  const total = ipPayloadLength(d);
  const i = Math.max(0, Math.min(n - 1, w.fragmentIndex));
  const offsetBytes = i * per;
  const data = Math.min(per, total - offsetBytes);
  const ip = ipHeaderLength(d.family) + (d.family === 6 ? 8 : 0) + data;
  const moreFragments = i < n - 1;
  const flags = (offsetBytes !== 0 ? 0x02 : 0) | (moreFragments && offsetBytes === 0 ? 0x04 : 0) | (!moreFragments && offsetBytes !== 0 ? 0x08 : 0);
  return { ipLengthBytes: ip, frameLengthBytes: Math.max(MIN_FRAME_BYTES, linkBytes + ip), fragmented: true, offsetBytes, moreFragments, hasTransportHeader: i === 0, fragmentFlags: flags };
}

/** RFC 1071 one's-complement sum of 16-bit words, continuing from `sum`. */
function addChecksum(sum: number, b: Uint8Array, start: number, end: number): number {
  let s = sum;
  let i = start;
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  return s;
}

function foldChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

export function internetChecksum(b: Uint8Array, start = 0, end = b.length): number {
  return foldChecksum(addChecksum(0, b, start, end));
}

/** Dotted-quad IPv4 without a general parser (the hot path); anything else goes to parseAddress. */
function parseV4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3 || value > 255) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else return undefined;
  }
  return part === 4 ? out : undefined;
}

function address(text: string, family: 4 | 6): Uint8Array {
  const a = (family === 4 ? parseV4(text) : undefined) ?? parseAddress(text);
  if (!a || a.length !== (family === 4 ? 4 : 16)) throw new Error(`"${text}" is not an IPv${family} address`);
  return a;
}

const macs = new Map<string, Uint8Array>();

function macBytes(text: string): Uint8Array {
  const known = macs.get(text);
  if (known) return known;
  const parts = text.split(/[:-]/).map((x) => Number.parseInt(x, 16));
  if (parts.length !== 6 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`"${text}" is not a MAC address`);
  const out = Uint8Array.from(parts);
  if (macs.size < 1024) macs.set(text, out);
  return out;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}
function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

function writeTcpOptions(b: Uint8Array, at: number, t: Extract<TransportSpec, { kind: 'tcp' }>, family: 4 | 6): void {
  const mss = family === 4 ? 1460 : 1440;
  const tsval = (t.seq ^ 0x5a5a5a5a) >>> 0;
  switch (t.options) {
    case 'syn':
      b.set([2, 4, mss >> 8, mss & 0xff, 4, 2, 8, 10], at); // MSS, SACK permitted, timestamps kind/len
      put32(b, at + 8, tsval);
      put32(b, at + 12, t.ack === 0 ? 0 : (t.ack ^ 0x5a5a5a5a) >>> 0);
      b.set([1, 3, 3, 7], at + 16); // NOP, window scale 7
      return;
    case 'mss':
      b.set([2, 4, mss >> 8, mss & 0xff], at);
      return;
    case 'timestamps':
      b.set([1, 1, 8, 10], at);
      put32(b, at + 4, tsval);
      put32(b, at + 8, (t.ack ^ 0x5a5a5a5a) >>> 0);
      return;
    case 'none':
      return;
    default:
      return unreachable(t.options, 'tcp options');
  }
}

/**
 * The whole (unfragmented) IP datagram with its checksums. IPv4 total length is capped by the
 * 16-bit field: datagrams over 65535 bytes are a spec error and throw (a bug in the caller).
 */
export function buildIpDatagram(d: DatagramSpec): Uint8Array {
  const ipHeader = ipHeaderLength(d.family);
  const transportHeader = transportHeaderLength(d.transport);
  const payload = buildPayload(d.payload);
  const l4Length = transportHeader + payload.length;
  const total = ipHeader + l4Length;
  if ((d.family === 4 && total > 65_535) || (d.family === 6 && l4Length > 65_535)) throw new Error(`datagram of ${total} bytes exceeds the IP length field`);
  const b = new Uint8Array(total);
  const src = address(d.srcAddr, d.family);
  const dst = address(d.dstAddr, d.family);
  const proto = ipProtocol(d);
  if (d.family === 4) {
    b[0] = 0x45;
    b[1] = (d.dscp & 0x3f) << 2;
    put16(b, 2, total);
    put16(b, 4, d.ipId & 0xffff);
    put16(b, 6, d.dontFragment ? 0x4000 : 0);
    b[8] = d.ttl & 0xff;
    b[9] = proto;
    b.set(src, 12);
    b.set(dst, 16);
    put16(b, 10, internetChecksum(b, 0, 20));
  } else {
    put32(b, 0, (6 << 28) | ((d.dscp & 0x3f) << 22) | ((d.flowLabel ?? 0) & 0xfffff));
    put16(b, 4, l4Length);
    b[6] = proto;
    b[7] = d.ttl & 0xff;
    b.set(src, 8);
    b.set(dst, 24);
  }
  const t = d.transport;
  const at = ipHeader;
  switch (t.kind) {
    case 'tcp':
      put16(b, at, t.srcPort);
      put16(b, at + 2, t.dstPort);
      put32(b, at + 4, t.seq >>> 0);
      put32(b, at + 8, t.ack >>> 0);
      b[at + 12] = (transportHeader / 4) << 4;
      b[at + 13] = t.flags & 0xff;
      put16(b, at + 14, t.window);
      writeTcpOptions(b, at + 20, t, d.family);
      break;
    case 'udp':
      put16(b, at, t.srcPort);
      put16(b, at + 2, t.dstPort);
      put16(b, at + 4, l4Length);
      break;
    case 'icmp':
      b[at] = t.type;
      b[at + 1] = t.code;
      put16(b, at + 4, t.identifier);
      put16(b, at + 6, t.sequence);
      break;
    default:
      unreachable(t, 'transport kind');
  }
  b.set(payload, at + transportHeader);
  // Transport checksum: ICMPv4 covers its message only; the others add the pseudo header.
  let sum = 0;
  if (!(t.kind === 'icmp' && d.family === 4)) {
    sum = addChecksum(sum, src, 0, src.length);
    sum = addChecksum(sum, dst, 0, dst.length);
    sum += proto + (d.family === 4 ? l4Length : (l4Length & 0xffff) + Math.floor(l4Length / 0x10000));
  }
  sum = addChecksum(sum, b, at, total);
  let checksum = foldChecksum(sum);
  if (t.kind === 'udp' && checksum === 0) checksum = 0xffff; // RFC 768: 0 means "no checksum"
  put16(b, at + (t.kind === 'tcp' ? 16 : t.kind === 'udp' ? 6 : 2), checksum);
  return b;
}

function frame(ip: Uint8Array, family: 4 | 6, link: LinkSpec): Uint8Array {
  const tag = link.vlan !== undefined ? 4 : 0;
  const len = Math.max(MIN_FRAME_BYTES, 14 + tag + ip.length);
  const b = new Uint8Array(len);
  b.set(macBytes(link.dstMac), 0);
  b.set(macBytes(link.srcMac), 6);
  if (link.vlan !== undefined) {
    put16(b, 12, ETHERTYPE.vlan);
    put16(b, 14, link.vlan & 0x0fff);
  }
  put16(b, 12 + tag, family === 4 ? ETHERTYPE.ipv4 : ETHERTYPE.ipv6);
  b.set(ip, 14 + tag);
  return b;
}

/** IP packets on the wire for a datagram: itself, or its fragments in order. */
export function buildIpPackets(d: DatagramSpec, mtuBytes: number): Uint8Array[] {
  const whole = buildIpDatagram(d);
  const n = fragmentCount(d, mtuBytes);
  if (n === 1) return [whole];
  const ipHeader = ipHeaderLength(d.family);
  const body = whole.subarray(ipHeader);
  const per = fragmentDataBytes(d.family, mtuBytes);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const off = i * per;
    const data = body.subarray(off, Math.min(body.length, off + per));
    const more = i < n - 1;
    if (d.family === 4) {
      const p = new Uint8Array(20 + data.length);
      p.set(whole.subarray(0, 20), 0);
      put16(p, 2, p.length);
      put16(p, 6, (more ? 0x2000 : 0) | (off / 8)); // DF cleared: the datagram is being fragmented
      put16(p, 10, 0);
      put16(p, 10, internetChecksum(p, 0, 20));
      p.set(data, 20);
      out.push(p);
    } else {
      const p = new Uint8Array(48 + data.length);
      p.set(whole.subarray(0, 40), 0);
      put16(p, 4, 8 + data.length);
      p[6] = IPV6_FRAGMENT_HEADER;
      p[40] = whole[6]!; // next header of the fragmentable part
      p[41] = 0;
      put16(p, 42, ((off / 8) << 3) | (more ? 1 : 0));
      put32(p, 44, d.ipId >>> 0);
      p.set(data, 48);
      out.push(p);
    }
  }
  return out;
}

/** The Ethernet frame of one wire packet (padded to the 60-byte minimum; no FCS). */
export function buildWirePacket(w: WirePacketSpec): Uint8Array {
  const packets = buildIpPackets(w.datagram, w.mtuBytes);
  const ip = packets[Math.max(0, Math.min(packets.length - 1, w.fragmentIndex))]!;
  return frame(ip, w.datagram.family, w.link ?? DEFAULT_LINK);
}

/** Every frame of a datagram (one per fragment). */
export function buildFrames(d: DatagramSpec, mtuBytes: number, link: LinkSpec = DEFAULT_LINK): Uint8Array[] {
  return buildIpPackets(d, mtuBytes).map((ip) => frame(ip, d.family, link));
}
