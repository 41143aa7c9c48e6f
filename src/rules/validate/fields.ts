// Packet-field facts the validator checks against. Field widths: RFC 8955 §4.2.2 (IPv4) and
// RFC 8956 §3 (IPv6); header sizes: RFC 791, RFC 8200, RFC 9293, RFC 768, RFC 792, RFC 4443.
import type { RuleFamily, RuleMatch } from '../model.js';

export type NumericComponent = 'protocols' | 'ports' | 'destinationPorts' | 'sourcePorts' | 'icmpTypes' | 'icmpCodes' | 'packetLengths' | 'dscp' | 'flowLabel';
export type BitmaskComponent = 'tcpFlags' | 'fragment';

export interface NumericField {
  readonly component: NumericComponent;
  readonly label: string;
  /** Width of the packet field in bits (TCAM expansion domain). */
  readonly widthBits: number;
  /** Largest value the field can hold (packet length: see maxPacketLength). */
  readonly max: number;
  readonly ipv6Only?: boolean;
}

export const NUMERIC_FIELDS: readonly NumericField[] = [
  { component: 'protocols', label: 'protocol', widthBits: 8, max: 0xff },
  { component: 'ports', label: 'port', widthBits: 16, max: 0xffff },
  { component: 'destinationPorts', label: 'destination port', widthBits: 16, max: 0xffff },
  { component: 'sourcePorts', label: 'source port', widthBits: 16, max: 0xffff },
  { component: 'icmpTypes', label: 'ICMP type', widthBits: 8, max: 0xff },
  { component: 'icmpCodes', label: 'ICMP code', widthBits: 8, max: 0xff },
  { component: 'packetLengths', label: 'packet length', widthBits: 16, max: 0xffff },
  // DSCP is the upper 6 bits of the TOS / traffic class octet (RFC 2474).
  { component: 'dscp', label: 'DSCP', widthBits: 6, max: 0x3f },
  // RFC 8956 §3.7 / RFC 8200 §6: 20-bit flow label, IPv6 only.
  { component: 'flowLabel', label: 'flow label', widthBits: 20, max: 0xfffff, ipv6Only: true },
];

export const BITMASK_FIELDS: ReadonlyArray<{ component: BitmaskComponent; label: string; widthBits: number }> = [
  // RFC 8955 §4.2.2.9: 1- or 2-octet values over the TCP header word holding data offset and flags.
  { component: 'tcpFlags', label: 'TCP flags', widthBits: 16 },
  // RFC 8955 §4.2.2.12: only the low 4 bits (DF, IsF, FF, LF) are defined; the rest MUST be 0.
  { component: 'fragment', label: 'fragment', widthBits: 4 },
];

export const PROTOCOL = { icmp: 1, tcp: 6, udp: 17, dccp: 33, icmpv6: 58, sctp: 132, udplite: 136 } as const;
/** Protocols whose header starts with 16-bit source and destination ports. */
export const PORT_PROTOCOLS: readonly number[] = [PROTOCOL.tcp, PROTOCOL.udp, PROTOCOL.dccp, PROTOCOL.sctp, PROTOCOL.udplite];

export function icmpProtocol(family: RuleFamily): number {
  return family === 'ipv4' ? PROTOCOL.icmp : PROTOCOL.icmpv6;
}

/**
 * Largest packet length a rule can match. RFC 8955 §4.2.2.10 matches the total IP packet length
 * including the IP header: IPv4 total length is 16 bits (65535). RFC 8956 keeps the component
 * for IPv6, where the 16-bit payload length excludes the 40-byte fixed header: 65575.
 * Jumbograms (RFC 2675) are not carried by Flowspec-filtered networks and are not modelled.
 */
export function maxPacketLength(family: RuleFamily): number {
  return family === 'ipv4' ? 65535 : 65535 + 40;
}

/** IP header bytes (without options / extension headers). */
export function ipHeaderBytes(family: RuleFamily): number {
  return family === 'ipv4' ? 20 : 40;
}

/** Smallest transport header the protocol has, bytes (0 when unknown). */
export function minTransportHeaderBytes(protocol: number): number {
  switch (protocol) {
    case PROTOCOL.tcp:
      return 20; // RFC 9293 §3.1: data offset >= 5 words
    case PROTOCOL.udp:
    case PROTOCOL.udplite:
    case PROTOCOL.icmp:
    case PROTOCOL.icmpv6:
      return 8; // RFC 768; RFC 792 / RFC 4443 type, code, checksum + 4 bytes
    case PROTOCOL.sctp:
      return 12; // RFC 9260 common header
    case PROTOCOL.dccp:
      return 12; // RFC 4340 generic header with X=0
    default:
      return 0;
  }
}

export const MATCH_COMPONENT_LABEL: Readonly<Record<keyof RuleMatch, string>> = {
  destination: 'destination prefix',
  destinationOffset: 'destination prefix offset',
  source: 'source prefix',
  sourceOffset: 'source prefix offset',
  protocols: 'protocol',
  ports: 'port',
  destinationPorts: 'destination port',
  sourcePorts: 'source port',
  icmpTypes: 'ICMP type',
  icmpCodes: 'ICMP code',
  tcpFlags: 'TCP flags',
  packetLengths: 'packet length',
  dscp: 'DSCP',
  fragment: 'fragment',
  flowLabel: 'flow label',
};
