// Link, network and transport headers of one captured frame -> the fields a FlowRecord needs.
// Never throws: returns Result with {code, offset}. Non-first fragments carry no transport
// header, so their ports are 0 (RFC 8955 §4.2.2.12 fragment bits are derived here).
import { ByteReader, decodeWith } from '../../lib/byte-reader.js';
import { formatAddress } from '../../lib/prefix.js';
import type { Result } from '../../lib/result.js';
import type { FlowRecord } from '../flow-record.js';

/** Capture link types (tcpdump.org LINKTYPE_*). */
export const LINK_TYPE = { ethernet: 1, raw: 101, linuxSll: 113, ipv4: 228, ipv6: 229 } as const;

const ETHERTYPE = { ipv4: 0x0800, ipv6: 0x86dd, vlan: 0x8100, qinq: 0x88a8 } as const;
const IPV6_EXTENSION = new Set([0, 43, 60, 51, 44]);

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
  readonly vlan?: number;
}

function fragmentBits(df: boolean, moreFragments: boolean, offset: number): number {
  let bits = df ? 0x01 : 0;
  if (offset !== 0) bits |= 0x02;
  if (moreFragments && offset === 0) bits |= 0x04;
  if (!moreFragments && offset !== 0) bits |= 0x08;
  return bits;
}

export function parsePacket(frame: Uint8Array, linkType: number): Result<ParsedPacket> {
  return decodeWith(() => {
    const r = new ByteReader(frame);
    let etherType: number | undefined;
    let vlan: number | undefined;
    switch (linkType) {
      case LINK_TYPE.ethernet: {
        r.skip(12, 'ethernet addresses');
        etherType = r.u16('ethertype');
        for (let tags = 0; etherType === ETHERTYPE.vlan || etherType === ETHERTYPE.qinq; tags++) {
          if (tags >= 4) r.fail('packet_too_many_headers', 'more than 4 VLAN tags');
          const tci = r.u16('vlan tci');
          vlan ??= tci & 0x0fff;
          etherType = r.u16('ethertype');
        }
        break;
      }
      case LINK_TYPE.linuxSll:
        r.skip(14, 'linux sll header');
        etherType = r.u16('sll protocol');
        break;
      case LINK_TYPE.raw:
      case LINK_TYPE.ipv4:
      case LINK_TYPE.ipv6:
        break;
      default:
        r.fail('packet_unsupported_link_type', `link type ${linkType} is not supported`, 0);
    }
    const ipStart = r.offset;
    const version = (r.peekU8() ?? 0) >> 4;
    if (etherType !== undefined && etherType !== ETHERTYPE.ipv4 && etherType !== ETHERTYPE.ipv6) r.fail('packet_not_ip', `ethertype 0x${etherType.toString(16)} is not IP`, ipStart - 2);
    const expected = etherType === ETHERTYPE.ipv4 || linkType === LINK_TYPE.ipv4 ? 4 : etherType === ETHERTYPE.ipv6 || linkType === LINK_TYPE.ipv6 ? 6 : version;
    if (version !== expected || (version !== 4 && version !== 6)) r.fail('packet_bad_ip_version', `IP version ${version}, expected ${expected}`, ipStart);

    let family: 4 | 6;
    let src: Uint8Array;
    let dst: Uint8Array;
    let protocol: number;
    let ttl: number;
    let dscp: number;
    let ipLengthBytes: number;
    let fragmentFlags = 0;
    let nonFirstFragment = false;
    let flowLabel: number | undefined;
    if (version === 4) {
      family = 4;
      const vihl = r.u8('version/ihl');
      const ihl = (vihl & 0x0f) * 4;
      if (ihl < 20) r.fail('packet_bad_ip_header_length', `IPv4 header length ${ihl} < 20`, ipStart);
      dscp = r.u8('tos') >> 2;
      ipLengthBytes = r.u16('total length');
      r.skip(2, 'identification');
      const ff = r.u16('flags/fragment offset');
      const offset = ff & 0x1fff;
      fragmentFlags = fragmentBits((ff & 0x4000) !== 0, (ff & 0x2000) !== 0, offset);
      nonFirstFragment = offset !== 0;
      ttl = r.u8('ttl');
      protocol = r.u8('protocol');
      r.skip(2, 'checksum');
      src = r.bytes(4, 'source address');
      dst = r.bytes(4, 'destination address');
      r.skip(ihl - 20, 'ipv4 options');
    } else {
      family = 6;
      const w = r.u32('version/class/flow label');
      dscp = (w >>> 22) & 0x3f;
      flowLabel = w & 0xfffff;
      ipLengthBytes = 40 + r.u16('payload length');
      protocol = r.u8('next header');
      ttl = r.u8('hop limit');
      src = r.bytes(16, 'source address');
      dst = r.bytes(16, 'destination address');
      for (let n = 0; IPV6_EXTENSION.has(protocol); n++) {
        if (n >= 8) r.fail('packet_too_many_headers', 'more than 8 IPv6 extension headers');
        const next = r.u8('extension next header');
        const len = r.u8('extension length');
        if (protocol === 44) {
          const fo = r.u16('fragment offset/flags');
          r.skip(4, 'fragment identification');
          const offset = fo >> 3;
          fragmentFlags = fragmentBits(false, (fo & 1) !== 0, offset);
          nonFirstFragment = offset !== 0;
        } else {
          r.skip(protocol === 51 ? (len + 2) * 4 - 2 : (len + 1) * 8 - 2, 'extension header');
        }
        protocol = next;
        if (nonFirstFragment) break;
      }
    }
    let srcPort = 0;
    let dstPort = 0;
    let tcpFlags = 0;
    let icmpType: number | undefined;
    let icmpCode: number | undefined;
    if (!nonFirstFragment) {
      if (protocol === 6 || protocol === 17 || protocol === 132) {
        srcPort = r.u16('source port');
        dstPort = r.u16('destination port');
        if (protocol === 6) {
          r.skip(9, 'tcp sequence/ack/offset');
          tcpFlags = r.u8('tcp flags');
        }
      } else if (protocol === 1 || protocol === 58) {
        icmpType = r.u8('icmp type');
        icmpCode = r.u8('icmp code');
      }
    }
    return {
      family,
      srcAddr: formatAddress(src),
      dstAddr: formatAddress(dst),
      protocol,
      srcPort,
      dstPort,
      ...(icmpType !== undefined ? { icmpType, icmpCode: icmpCode! } : {}),
      tcpFlags,
      ttl,
      dscp,
      fragmentFlags,
      ...(flowLabel !== undefined ? { flowLabel } : {}),
      ipLengthBytes,
      ...(vlan !== undefined ? { vlan } : {}),
    };
  });
}

/** The FlowRecord fields a parsed packet determines (addresses, ports, flags, lengths). */
export function packetFlowFields(x: ParsedPacket): Pick<FlowRecord, 'family' | 'srcAddr' | 'dstAddr' | 'protocol' | 'srcPort' | 'dstPort' | 'icmpType' | 'icmpCode' | 'tcpFlags' | 'ttl' | 'dscp' | 'fragmentFlags' | 'flowLabel' | 'packetLengthBytes'> {
  return {
    family: x.family,
    srcAddr: x.srcAddr,
    dstAddr: x.dstAddr,
    protocol: x.protocol,
    srcPort: x.srcPort,
    dstPort: x.dstPort,
    ...(x.icmpType !== undefined ? { icmpType: x.icmpType, icmpCode: x.icmpCode! } : {}),
    tcpFlags: x.tcpFlags,
    ttl: x.ttl,
    dscp: x.dscp,
    fragmentFlags: x.fragmentFlags,
    ...(x.flowLabel !== undefined ? { flowLabel: x.flowLabel } : {}),
    packetLengthBytes: x.ipLengthBytes,
  };
}
