// Link, network and transport headers of one captured frame -> the fields a FlowRecord needs.
//
// Link: Ethernet II (802.1Q / 802.1ad / 0x9100 tags, MPLS label stacks), Linux SLL and SLL2,
// BSD loopback, raw IP. Network: IPv4 with options and fragments (RFC 791), IPv6 with
// extension headers (RFC 8200 §4: hop-by-hop, routing, fragment, destination options, AH
// (RFC 4302), mobility, HIP, shim6, experimental) and the fragment header. Transport: TCP, UDP,
// UDP-Lite, SCTP, DCCP ports, TCP flags, ICMP/ICMPv6 type and code. Non-first fragments carry no
// transport header, so their ports are 0; RFC 8955 §4.2.2.12 fragment bits are derived here.
//
// Hot path: parseFrameInto() reads with explicit bounds checks into a caller-owned scratch
// object, allocates nothing, keeps the addresses as offsets and never throws; it returns an
// error code (offset in scratch.errorOffset) or undefined. parsePacket() is the Result wrapper.
import { type DecodeError, type Result, err, ok } from '../../lib/result.js';
import type { FlowRecord } from '../flow-record.js';
import { formatIpv4At, formatIpv6At } from './format-address.js';

/** Capture link types (tcpdump.org LINKTYPE_*). */
export const LINK_TYPE = { null: 0, ethernet: 1, raw: 101, linuxSll: 113, ipv4: 228, ipv6: 229, linuxSll2: 276 } as const;

/** EtherTypes (IEEE registry). */
export const ETHERTYPE = { ipv4: 0x0800, ipv6: 0x86dd, vlan: 0x8100, qinq: 0x88a8, qinqOld: 0x9100, mplsUnicast: 0x8847, mplsMulticast: 0x8848 } as const;

/** IP protocol numbers the parser reads beyond (IANA protocol-numbers). */
export const IP_PROTOCOL = { icmp: 1, tcp: 6, dccp: 33, udp: 17, fragment: 44, esp: 50, ah: 51, icmpv6: 58, noNext: 59, sctp: 132, udpLite: 136 } as const;

/** Most VLAN tags / MPLS labels / IPv6 extension headers followed before packet_too_many_headers. */
export const MAX_LINK_TAGS = 8;
export const MAX_IPV6_EXTENSIONS = 8;

export interface ParsedPacket {
  readonly family: 4 | 6;
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly protocol: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly tcpFlags: number;
  readonly ttl: number;
  readonly dscp: number;
  /** RFC 8955 bits: 0x01 DF, 0x02 IsF (not the first fragment), 0x04 FF (first fragment), 0x08 LF (last fragment). */
  readonly fragmentFlags: number;
  readonly flowLabel?: number;
  /** IPv4 total length / IPv6 40 + payload length. */
  readonly ipLengthBytes: number;
  /** Outer 802.1Q/802.1ad VLAN id. */
  readonly vlan?: number;
}

/** Mutable scratch filled by parseFrameInto (reuse one per decoder). Absent values are -1. */
export interface PacketScratch {
  family: 4 | 6;
  /** Offset of the source address in the buffer; the destination follows it (4 or 16 bytes on). */
  addrOffset: number;
  protocol: number;
  srcPort: number;
  dstPort: number;
  icmpType: number;
  icmpCode: number;
  tcpFlags: number;
  ttl: number;
  dscp: number;
  fragmentFlags: number;
  flowLabel: number;
  ipLengthBytes: number;
  vlan: number;
  errorOffset: number;
  errorMessage: string;
}

export function newPacketScratch(): PacketScratch {
  return { family: 4, addrOffset: 0, protocol: 0, srcPort: 0, dstPort: 0, icmpType: -1, icmpCode: -1, tcpFlags: 0, ttl: 0, dscp: 0, fragmentFlags: 0, flowLabel: -1, ipLengthBytes: 0, vlan: -1, errorOffset: 0, errorMessage: '' };
}

function fragmentBits(df: boolean, moreFragments: boolean, offset: number): number {
  let bits = df ? 0x01 : 0;
  if (offset !== 0) bits |= 0x02;
  if (moreFragments && offset === 0) bits |= 0x04;
  if (!moreFragments && offset !== 0) bits |= 0x08;
  return bits;
}

function fail(s: PacketScratch, code: string, offset: number, message: string): string {
  s.errorOffset = offset;
  s.errorMessage = message;
  return code;
}

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/**
 * Parse the frame in buf[start, end) captured with `linkType` into `s`. Returns undefined on
 * success or an error code (`truncated`, `packet_*`) with s.errorOffset / s.errorMessage set.
 */
export function parseFrameInto(buf: Uint8Array, start: number, end: number, linkType: number, s: PacketScratch): string | undefined {
  s.icmpType = -1;
  s.icmpCode = -1;
  s.tcpFlags = 0;
  s.srcPort = 0;
  s.dstPort = 0;
  s.fragmentFlags = 0;
  s.flowLabel = -1;
  s.vlan = -1;
  if (end > buf.length || start > end) return fail(s, 'truncated', start, `frame window ${start}..${end} exceeds buffer of ${buf.length} bytes`);
  let at = start;
  let etherType = -1; // -1: decide by the IP version nibble
  let etherTypeAt = start;
  switch (linkType) {
    case LINK_TYPE.ethernet: {
      if (at + 14 > end) return fail(s, 'truncated', at, 'need 14 bytes for the Ethernet header');
      etherType = u16(buf, at + 12);
      etherTypeAt = at + 12;
      at += 14;
      for (let tags = 0; ; tags++) {
        if (etherType === ETHERTYPE.vlan || etherType === ETHERTYPE.qinq || etherType === ETHERTYPE.qinqOld) {
          if (tags >= MAX_LINK_TAGS) return fail(s, 'packet_too_many_headers', at, `more than ${MAX_LINK_TAGS} VLAN tags or MPLS labels`);
          if (at + 4 > end) return fail(s, 'truncated', at, 'need 4 bytes for a VLAN tag');
          if (s.vlan < 0) s.vlan = u16(buf, at) & 0x0fff;
          etherType = u16(buf, at + 2);
          etherTypeAt = at + 2;
          at += 4;
        } else if (etherType === ETHERTYPE.mplsUnicast || etherType === ETHERTYPE.mplsMulticast) {
          // RFC 3032 label stack: 4 bytes each, bottom-of-stack bit 0x100 in the third byte; IP is
          // recognised by its version nibble after the last label.
          if (tags >= MAX_LINK_TAGS) return fail(s, 'packet_too_many_headers', at, `more than ${MAX_LINK_TAGS} VLAN tags or MPLS labels`);
          if (at + 4 > end) return fail(s, 'truncated', at, 'need 4 bytes for an MPLS label');
          const bottom = (buf[at + 2]! & 0x01) !== 0;
          at += 4;
          if (bottom) {
            etherType = -1;
            break;
          }
        } else break;
      }
      break;
    }
    case LINK_TYPE.linuxSll:
      if (at + 16 > end) return fail(s, 'truncated', at, 'need 16 bytes for the Linux SLL header');
      etherType = u16(buf, at + 14);
      etherTypeAt = at + 14;
      at += 16;
      break;
    case LINK_TYPE.linuxSll2:
      if (at + 20 > end) return fail(s, 'truncated', at, 'need 20 bytes for the Linux SLL2 header');
      etherType = u16(buf, at);
      etherTypeAt = at;
      at += 20;
      break;
    case LINK_TYPE.null: {
      // BSD loopback: address family in host byte order (2 = AF_INET; 24, 28, 30 = AF_INET6).
      if (at + 4 > end) return fail(s, 'truncated', at, 'need 4 bytes for the loopback header');
      const af = buf[at]! !== 0 ? buf[at]! : buf[at + 3]!;
      etherType = af === 2 ? ETHERTYPE.ipv4 : af === 24 || af === 28 || af === 30 ? ETHERTYPE.ipv6 : -2;
      if (etherType === -2) return fail(s, 'packet_not_ip', at, `loopback address family ${af} is not IP`);
      at += 4;
      break;
    }
    case LINK_TYPE.raw:
    case 12: // DLT_RAW on OpenBSD-era captures
    case 14:
      break;
    case LINK_TYPE.ipv4:
      etherType = ETHERTYPE.ipv4;
      break;
    case LINK_TYPE.ipv6:
      etherType = ETHERTYPE.ipv6;
      break;
    default:
      return fail(s, 'packet_unsupported_link_type', start, `link type ${linkType} is not supported`);
  }
  if (etherType !== -1 && etherType !== ETHERTYPE.ipv4 && etherType !== ETHERTYPE.ipv6) return fail(s, 'packet_not_ip', etherTypeAt, `ethertype 0x${etherType.toString(16)} is not IP`);
  if (at >= end) return fail(s, 'truncated', at, 'no IP header');
  const ipStart = at;
  const version = buf[at]! >> 4;
  const expected = etherType === ETHERTYPE.ipv4 ? 4 : etherType === ETHERTYPE.ipv6 ? 6 : version;
  if (version !== expected || (version !== 4 && version !== 6)) return fail(s, 'packet_bad_ip_version', ipStart, `IP version ${version}, expected ${expected === 4 || expected === 6 ? expected : '4 or 6'}`);

  let protocol: number;
  let nonFirstFragment = false;
  if (version === 4) {
    if (at + 20 > end) return fail(s, 'truncated', at, 'need 20 bytes for the IPv4 header');
    const ihl = (buf[at]! & 0x0f) * 4;
    const total = u16(buf, at + 2);
    if (ihl < 20) return fail(s, 'packet_bad_ip_header_length', ipStart, `IPv4 header length ${ihl} < 20`);
    if (total !== 0 && ihl > total) return fail(s, 'packet_bad_ip_header_length', ipStart, `IPv4 header length ${ihl} exceeds total length ${total}`);
    if (at + ihl > end) return fail(s, 'truncated', at + 20, `need ${ihl - 20} bytes of IPv4 options`);
    s.family = 4;
    s.dscp = buf[at + 1]! >> 2;
    s.ipLengthBytes = total !== 0 ? total : end - ipStart; // 0: segmentation offload captured before the NIC filled it in
    const ff = u16(buf, at + 6);
    const fragOffset = ff & 0x1fff;
    s.fragmentFlags = fragmentBits((ff & 0x4000) !== 0, (ff & 0x2000) !== 0, fragOffset);
    nonFirstFragment = fragOffset !== 0;
    s.ttl = buf[at + 8]!;
    protocol = buf[at + 9]!;
    s.addrOffset = at + 12;
    at += ihl;
  } else {
    if (at + 40 > end) return fail(s, 'truncated', at, 'need 40 bytes for the IPv6 header');
    s.family = 6;
    const w = ((buf[at]! << 24) >>> 0) + ((buf[at + 1]! << 16) | u16(buf, at + 2));
    s.dscp = (w >>> 22) & 0x3f;
    s.flowLabel = w & 0xfffff;
    s.ipLengthBytes = 40 + u16(buf, at + 4);
    protocol = buf[at + 6]!;
    s.ttl = buf[at + 7]!;
    s.addrOffset = at + 8;
    at += 40;
    for (let n = 0; ; n++) {
      let len: number;
      if (protocol === 0 || protocol === 43 || protocol === 60 || protocol === 135 || protocol === 139 || protocol === 140 || protocol === 253 || protocol === 254) {
        if (at + 2 > end) return fail(s, 'truncated', at, 'need 2 bytes for an IPv6 extension header');
        len = (buf[at + 1]! + 1) * 8;
      } else if (protocol === IP_PROTOCOL.ah) {
        if (at + 2 > end) return fail(s, 'truncated', at, 'need 2 bytes for an authentication header');
        len = (buf[at + 1]! + 2) * 4;
      } else if (protocol === IP_PROTOCOL.fragment) {
        if (at + 8 > end) return fail(s, 'truncated', at, 'need 8 bytes for the IPv6 fragment header');
        const fo = u16(buf, at + 2);
        const fragOffset = fo >> 3;
        s.fragmentFlags = fragmentBits(false, (fo & 1) !== 0, fragOffset);
        nonFirstFragment = fragOffset !== 0;
        len = 8;
      } else break;
      if (n >= MAX_IPV6_EXTENSIONS) return fail(s, 'packet_too_many_headers', at, `more than ${MAX_IPV6_EXTENSIONS} IPv6 extension headers`);
      if (at + len > end) return fail(s, 'truncated', at, `need ${len} bytes for IPv6 extension header ${protocol}`);
      protocol = buf[at]!;
      at += len;
      if (nonFirstFragment) break; // what follows is payload of the fragmented packet
    }
  }
  s.protocol = protocol;
  if (!nonFirstFragment) {
    if (protocol === IP_PROTOCOL.tcp) {
      if (at + 14 > end) return fail(s, 'truncated', at, 'need 14 bytes of the TCP header for ports and flags');
      s.srcPort = u16(buf, at);
      s.dstPort = u16(buf, at + 2);
      s.tcpFlags = buf[at + 13]!;
    } else if (protocol === IP_PROTOCOL.udp || protocol === IP_PROTOCOL.sctp || protocol === IP_PROTOCOL.udpLite || protocol === IP_PROTOCOL.dccp) {
      if (at + 4 > end) return fail(s, 'truncated', at, 'need 4 bytes for the transport ports');
      s.srcPort = u16(buf, at);
      s.dstPort = u16(buf, at + 2);
    } else if (protocol === IP_PROTOCOL.icmp || protocol === IP_PROTOCOL.icmpv6) {
      if (at + 2 > end) return fail(s, 'truncated', at, 'need 2 bytes for the ICMP type and code');
      s.icmpType = buf[at]!;
      s.icmpCode = buf[at + 1]!;
    }
  }
  return undefined;
}

/** Source / destination address text of a parsed frame. */
export function scratchSrcAddr(buf: Uint8Array, s: PacketScratch): string {
  return s.family === 4 ? formatIpv4At(buf, s.addrOffset) : formatIpv6At(buf, s.addrOffset);
}
export function scratchDstAddr(buf: Uint8Array, s: PacketScratch): string {
  return s.family === 4 ? formatIpv4At(buf, s.addrOffset + 4) : formatIpv6At(buf, s.addrOffset + 16);
}

const scratch = newPacketScratch();

export function parsePacket(frame: Uint8Array, linkType: number): Result<ParsedPacket> {
  let code: string | undefined;
  try {
    code = parseFrameInto(frame, 0, frame.length, linkType, scratch);
  } catch (e) {
    return err({ code: 'decoder_bug', offset: -1, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
  if (code !== undefined) return err(scratchError(code, scratch));
  const s = scratch;
  return ok({
    family: s.family,
    srcAddr: scratchSrcAddr(frame, s),
    dstAddr: scratchDstAddr(frame, s),
    protocol: s.protocol,
    srcPort: s.srcPort,
    dstPort: s.dstPort,
    ...(s.icmpType >= 0 ? { icmpType: s.icmpType, icmpCode: s.icmpCode } : {}),
    tcpFlags: s.tcpFlags,
    ttl: s.ttl,
    dscp: s.dscp,
    fragmentFlags: s.fragmentFlags,
    ...(s.flowLabel >= 0 ? { flowLabel: s.flowLabel } : {}),
    ipLengthBytes: s.ipLengthBytes,
    ...(s.vlan >= 0 ? { vlan: s.vlan } : {}),
  });
}

/**
 * The FlowRecord of one packet that parseFrameInto has just parsed from `buf` into `x`: the packet's
 * own fields from the scratch, the rest from where it was seen (a capture, or an sFlow sample of
 * 1 in `sampleRate` packets whose frame was `frameBytes` long). `vlan` is used when the frame
 * carries no tag of its own.
 */
export function flowRecordFromScratch(buf: Uint8Array, x: PacketScratch, source: 'pcap' | 'sflow', timestampMs: number, exporter: string, observationDomain: number | undefined, inputInterface: number | undefined, outputInterface: number | undefined, frameBytes: number, sampleRate: number, vlan: number | undefined): FlowRecord {
  return {
    timestampMs,
    source,
    exporter,
    observationDomain,
    inputInterface,
    outputInterface,
    family: x.family,
    srcAddr: scratchSrcAddr(buf, x),
    dstAddr: scratchDstAddr(buf, x),
    protocol: x.protocol,
    srcPort: x.srcPort,
    dstPort: x.dstPort,
    icmpType: x.icmpType >= 0 ? x.icmpType : undefined,
    icmpCode: x.icmpCode >= 0 ? x.icmpCode : undefined,
    tcpFlags: x.tcpFlags,
    ttl: x.ttl,
    dscp: x.dscp,
    fragmentFlags: x.fragmentFlags,
    flowLabel: x.flowLabel >= 0 ? x.flowLabel : undefined,
    packetLengthBytes: x.ipLengthBytes,
    sampledPackets: 1,
    sampledBytes: frameBytes,
    sampleRate,
    estimatedPackets: sampleRate,
    estimatedBytes: frameBytes * sampleRate,
    direction: undefined,
    vlan: x.vlan >= 0 ? x.vlan : vlan,
  };
}

export function scratchError(code: string, s: PacketScratch): DecodeError {
  return { code, offset: s.errorOffset, message: s.errorMessage };
}

/** The FlowRecord fields a parsed packet determines (addresses, ports, flags, lengths). */
export function packetFlowFields(x: ParsedPacket): Pick<FlowRecord, 'family' | 'srcAddr' | 'dstAddr' | 'protocol' | 'srcPort' | 'dstPort' | 'icmpType' | 'icmpCode' | 'tcpFlags' | 'ttl' | 'dscp' | 'fragmentFlags' | 'flowLabel' | 'packetLengthBytes' | 'vlan'> {
  return {
    family: x.family,
    srcAddr: x.srcAddr,
    dstAddr: x.dstAddr,
    protocol: x.protocol,
    srcPort: x.srcPort,
    dstPort: x.dstPort,
    icmpType: x.icmpType,
    icmpCode: x.icmpCode,
    tcpFlags: x.tcpFlags,
    ttl: x.ttl,
    dscp: x.dscp,
    fragmentFlags: x.fragmentFlags,
    flowLabel: x.flowLabel,
    packetLengthBytes: x.ipLengthBytes,
    vlan: x.vlan,
  };
}
