// Template-based flow export shared by NetFlow v9 (RFC 3954) and IPFIX (RFC 7011): templates are
// lists of (field type, length); a data record is the values in template order, each written
// big-endian in exactly its field length. Field types 1-127 mean the same in both (RFC 7012 §4
// took them over from NetFlow v9); the higher ones are IANA IPFIX Information Elements.
import { ByteWriter } from '../../lib/byte-writer.js';
import { parseAddress } from '../../lib/prefix.js';
import type { ExportFlow } from './flow-meter.js';

export interface TemplateField {
  /** NetFlow v9 field type / IPFIX Information Element id. */
  readonly type: number;
  readonly length: number;
}

export interface DataTemplate {
  readonly id: number;
  readonly fields: readonly TemplateField[];
}

export interface OptionsTemplate {
  readonly id: number;
  readonly scopeFields: readonly TemplateField[];
  readonly fields: readonly TemplateField[];
}

/** A field value: unsigned integer (up to 2^53) or raw bytes (addresses). */
export type FieldValue = number | Uint8Array;

/** Field types/Information Elements used here (RFC 3954 §8, IANA "IPFIX Information Elements"). */
export const FIELD = {
  octetDeltaCount: 1, // IN_BYTES
  packetDeltaCount: 2, // IN_PKTS
  protocolIdentifier: 4, // PROTOCOL
  ipClassOfService: 5, // SRC_TOS
  tcpControlBits: 6, // TCP_FLAGS
  sourceTransportPort: 7, // L4_SRC_PORT
  sourceIPv4Address: 8, // IPV4_SRC_ADDR
  ingressInterface: 10, // INPUT_SNMP
  destinationTransportPort: 11, // L4_DST_PORT
  destinationIPv4Address: 12, // IPV4_DST_ADDR
  egressInterface: 14, // OUTPUT_SNMP
  flowEndSysUpTime: 21, // LAST_SWITCHED
  flowStartSysUpTime: 22, // FIRST_SWITCHED
  sourceIPv6Address: 27, // IPV6_SRC_ADDR
  destinationIPv6Address: 28, // IPV6_DST_ADDR
  flowLabelIPv6: 31, // IPV6_FLOW_LABEL
  icmpTypeCodeIPv4: 32, // ICMP_TYPE
  samplingInterval: 34, // SAMPLING_INTERVAL
  samplingAlgorithm: 35, // SAMPLING_ALGORITHM
  minimumTTL: 52, // MIN_TTL
  maximumTTL: 53, // MAX_TTL
  fragmentOffset: 88,
  icmpTypeCodeIPv6: 139,
  observationDomainId: 149,
  flowStartMilliseconds: 152,
  flowEndMilliseconds: 153,
  fragmentFlags: 197,
  samplingPacketInterval: 305,
  samplingPacketSpace: 306,
} as const;

/** NetFlow v9 options scope field types (RFC 3954 §6.1). */
export const V9_SCOPE = { system: 1, interface: 2, lineCard: 3, cache: 4, template: 5 } as const;

export interface FlowFieldContext {
  /** Exporter boot time (ms since the epoch): sysUpTime fields are relative to it. */
  readonly bootMs: number;
}

function addressBytes(text: string, length: number): Uint8Array {
  const a = parseAddress(text);
  return a && a.length === length ? a : new Uint8Array(length);
}

/**
 * The value of one field for a flow. IPFIX fragmentFlags (IE 197) carries DF (0x40) and MF (0x20);
 * "more fragments" is known for the flow's first packet from its RFC 8955 bits (FF set, or IsF
 * without LF).
 */
export function flowFieldValue(type: number, length: number, f: ExportFlow, ctx: FlowFieldContext): FieldValue {
  switch (type) {
    case FIELD.octetDeltaCount:
      return f.bytes;
    case FIELD.packetDeltaCount:
      return f.packets;
    case FIELD.protocolIdentifier:
      return f.protocol;
    case FIELD.ipClassOfService:
      return (f.dscp & 0x3f) << 2;
    case FIELD.tcpControlBits:
      return f.tcpFlags;
    case FIELD.sourceTransportPort:
      return f.srcPort;
    case FIELD.destinationTransportPort:
      return f.dstPort;
    case FIELD.sourceIPv4Address:
    case FIELD.sourceIPv6Address:
      return addressBytes(f.srcAddr, length);
    case FIELD.destinationIPv4Address:
    case FIELD.destinationIPv6Address:
      return addressBytes(f.dstAddr, length);
    case FIELD.ingressInterface:
      return f.inputInterface;
    case FIELD.egressInterface:
      return f.outputInterface;
    case FIELD.flowStartSysUpTime:
      return Math.max(0, Math.round(f.firstMs - ctx.bootMs)) >>> 0;
    case FIELD.flowEndSysUpTime:
      return Math.max(0, Math.round(f.lastMs - ctx.bootMs)) >>> 0;
    case FIELD.flowStartMilliseconds:
      return Math.round(f.firstMs);
    case FIELD.flowEndMilliseconds:
      return Math.round(f.lastMs);
    case FIELD.flowLabelIPv6:
      return f.flowLabel ?? 0;
    case FIELD.icmpTypeCodeIPv4:
    case FIELD.icmpTypeCodeIPv6:
      return f.icmpType !== undefined ? ((f.icmpType & 0xff) << 8) | ((f.icmpCode ?? 0) & 0xff) : 0;
    case FIELD.minimumTTL:
      return f.minTtl;
    case FIELD.maximumTTL:
      return f.maxTtl;
    case FIELD.fragmentOffset:
      return f.fragmentOffsetBytes / 8;
    case FIELD.fragmentFlags: {
      const df = f.fragmentFlags & 0x01 ? 0x40 : 0;
      const mf = f.fragmentFlags & 0x04 || (f.fragmentFlags & 0x02 && !(f.fragmentFlags & 0x08)) ? 0x20 : 0;
      return df | mf;
    }
    case FIELD.samplingInterval:
    case FIELD.samplingPacketSpace:
      return type === FIELD.samplingInterval ? f.sampleRate : f.sampleRate - 1;
    case FIELD.samplingPacketInterval:
      return 1;
    default:
      return 0;
  }
}

export function writeField(w: ByteWriter, field: TemplateField, value: FieldValue): void {
  if (typeof value === 'number') {
    if (field.length > 8) throw new Error(`field ${field.type} of ${field.length} bytes cannot hold a number`);
    w.uint(Math.max(0, Math.floor(value)), field.length);
    return;
  }
  if (value.length === field.length) {
    w.bytes(value);
    return;
  }
  const b = new Uint8Array(field.length);
  b.set(value.subarray(0, field.length));
  w.bytes(b);
}

export function recordLength(fields: readonly TemplateField[]): number {
  return fields.reduce((n, f) => n + f.length, 0);
}

export function flowRecordValues(t: DataTemplate, f: ExportFlow, ctx: FlowFieldContext): FieldValue[] {
  return t.fields.map((x) => flowFieldValue(x.type, x.length, f, ctx));
}
