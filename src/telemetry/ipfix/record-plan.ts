// Templates compiled once into a field plan, and data sets decoded with it straight into
// FlowRecords (NetFlow v9 RFC 3954 §5.3 and IPFIX RFC 7011 §3.4.3 share this).
//
// A plan holds, per template field, a slot number (what the value means to a FlowRecord, 0 =
// skip), its length (65535 = IPFIX variable length, RFC 7011 §7) and, when every field is fixed,
// its offset in the record. Decoding a record is one pass over typed arrays with a switch on
// the slot: no closure or object per field. Values use reduced-size encoding when shorter than
// their type (RFC 7011 §6.2): unsigned integers are read big-endian from 1..8 bytes. A field whose
// length cannot hold its type (an IPv4 address that is not 4 bytes, a counter over 8 bytes) is
// skipped and counted in `ignoredFields`. Enterprise-specific fields are skipped by length.
import type { DecodeError } from '../../lib/result.js';
import type { FlowRecord, FlowSource } from '../flow-record.js';
import { formatIpv4U32, formatIpv6At } from '../packet/format-address.js';
import type { ExporterScope, TemplateCache } from '../template-cache.js';
import { IE, VARIABLE_LENGTH } from './information-elements.js';

export interface TemplateField {
  /** Information Element id / NetFlow v9 field type (without the IPFIX enterprise bit). */
  readonly id: number;
  /** Field length in bytes; 65535 = variable (IPFIX). */
  readonly length: number;
  /** IPFIX private enterprise number; 0 for IANA elements and NetFlow v9. */
  readonly enterprise: number;
}

export interface TemplatePlan {
  readonly id: number;
  readonly kind: 'data' | 'options';
  readonly scopeFieldCount: number;
  readonly fields: readonly TemplateField[];
  readonly slots: Uint8Array;
  readonly lengths: Uint16Array;
  /** Offsets of each field in the record; meaningful when fixedLength >= 0. */
  readonly offsets: Uint32Array;
  /** Record length when no field is variable-length, else -1. */
  readonly fixedLength: number;
  /** Shortest possible record (a variable-length field counts 1 byte). */
  readonly minLength: number;
  /** Fields skipped because their length does not fit their type. */
  readonly ignoredFields: number;
  readonly variableLength: boolean;
  /** Fixed-length data templates: the generated reader of one record (see recordReaderFor). */
  readonly read?: RecordReader;
}

/** Most fields a template may declare (RFC 7011 allows 65535; nothing real comes close). */
export const MAX_TEMPLATE_FIELDS = 512;

// Slots: what a field means to a FlowRecord or to the sampling state.
const SKIP = 0;
const OCTETS = 1;
const PACKETS = 2;
const OCTETS_TOTAL = 3;
const PACKETS_TOTAL = 4;
const PROTOCOL = 5;
const TOS = 6;
const TCP_FLAGS = 7;
const SRC_PORT = 8;
const DST_PORT = 9;
const SRC_V4 = 10;
const DST_V4 = 11;
const SRC_V6 = 12;
const DST_V6 = 13;
const IN_IF = 14;
const OUT_IF = 15;
const END_UPTIME = 16;
const START_UPTIME = 17;
const FLOW_LABEL = 18;
const ICMP_TYPE_CODE = 19;
const ICMP_TYPE = 20;
const ICMP_CODE = 21;
const SAMPLING_INTERVAL = 22;
const SAMPLER_ID = 23;
const PACKET_INTERVAL = 24;
const PACKET_SPACE = 25;
const SAMPLING_SIZE = 26;
const SAMPLING_POPULATION = 27;
const IP_VERSION = 28;
const DIRECTION = 29;
const END_SEC = 30;
const END_MS = 31;
const END_NTP = 32;
const END_DELTA_US = 33;
const START_SEC = 34;
const START_MS = 35;
const START_NTP = 36;
const START_DELTA_US = 37;
const SYSTEM_INIT_MS = 38;
const TTL = 39;
const MIN_TTL = 40;
const DSCP = 41;
const FRAGMENT_FLAGS = 42;
const FRAGMENT_OFFSET = 43;
const VLAN = 44;

/** IE -> slot, and the length rule of the slot: 'u' 1..8 bytes, 4/16 addresses, 8 NTP time. */
const SLOT_OF = new Map<number, readonly [number, 'u' | 4 | 16 | 8]>([
  [IE.octetDeltaCount, [OCTETS, 'u']],
  [IE.packetDeltaCount, [PACKETS, 'u']],
  [IE.octetTotalCount, [OCTETS_TOTAL, 'u']],
  [IE.packetTotalCount, [PACKETS_TOTAL, 'u']],
  [IE.protocolIdentifier, [PROTOCOL, 'u']],
  [IE.ipClassOfService, [TOS, 'u']],
  [IE.tcpControlBits, [TCP_FLAGS, 'u']],
  [IE.sourceTransportPort, [SRC_PORT, 'u']],
  [IE.udpSourcePort, [SRC_PORT, 'u']],
  [IE.tcpSourcePort, [SRC_PORT, 'u']],
  [IE.destinationTransportPort, [DST_PORT, 'u']],
  [IE.udpDestinationPort, [DST_PORT, 'u']],
  [IE.tcpDestinationPort, [DST_PORT, 'u']],
  [IE.sourceIPv4Address, [SRC_V4, 4]],
  [IE.destinationIPv4Address, [DST_V4, 4]],
  [IE.sourceIPv6Address, [SRC_V6, 16]],
  [IE.destinationIPv6Address, [DST_V6, 16]],
  [IE.ingressInterface, [IN_IF, 'u']],
  [IE.egressInterface, [OUT_IF, 'u']],
  [IE.flowEndSysUpTime, [END_UPTIME, 'u']],
  [IE.flowStartSysUpTime, [START_UPTIME, 'u']],
  [IE.flowLabelIPv6, [FLOW_LABEL, 'u']],
  [IE.icmpTypeCodeIPv4, [ICMP_TYPE_CODE, 'u']],
  [IE.icmpTypeCodeIPv6, [ICMP_TYPE_CODE, 'u']],
  [IE.icmpTypeIPv4, [ICMP_TYPE, 'u']],
  [IE.icmpTypeIPv6, [ICMP_TYPE, 'u']],
  [IE.icmpCodeIPv4, [ICMP_CODE, 'u']],
  [IE.icmpCodeIPv6, [ICMP_CODE, 'u']],
  [IE.samplingInterval, [SAMPLING_INTERVAL, 'u']],
  [IE.samplerRandomInterval, [SAMPLING_INTERVAL, 'u']],
  [IE.samplerId, [SAMPLER_ID, 'u']],
  [IE.selectorId, [SAMPLER_ID, 'u']],
  [IE.samplingPacketInterval, [PACKET_INTERVAL, 'u']],
  [IE.samplingPacketSpace, [PACKET_SPACE, 'u']],
  [IE.samplingSize, [SAMPLING_SIZE, 'u']],
  [IE.samplingPopulation, [SAMPLING_POPULATION, 'u']],
  [IE.ipVersion, [IP_VERSION, 'u']],
  [IE.flowDirection, [DIRECTION, 'u']],
  [IE.flowEndSeconds, [END_SEC, 'u']],
  [IE.flowEndMilliseconds, [END_MS, 'u']],
  [IE.flowEndMicroseconds, [END_NTP, 8]],
  [IE.flowEndNanoseconds, [END_NTP, 8]],
  [IE.flowEndDeltaMicroseconds, [END_DELTA_US, 'u']],
  [IE.flowStartSeconds, [START_SEC, 'u']],
  [IE.flowStartMilliseconds, [START_MS, 'u']],
  [IE.flowStartMicroseconds, [START_NTP, 8]],
  [IE.flowStartNanoseconds, [START_NTP, 8]],
  [IE.flowStartDeltaMicroseconds, [START_DELTA_US, 'u']],
  [IE.systemInitTimeMilliseconds, [SYSTEM_INIT_MS, 'u']],
  [IE.ipTTL, [TTL, 'u']],
  [IE.minimumTTL, [MIN_TTL, 'u']],
  [IE.maximumTTL, [MIN_TTL, 'u']],
  [IE.ipDiffServCodePoint, [DSCP, 'u']],
  [IE.fragmentFlags, [FRAGMENT_FLAGS, 'u']],
  [IE.fragmentOffset, [FRAGMENT_OFFSET, 'u']],
  [IE.vlanId, [VLAN, 'u']],
  [IE.dot1qVlanId, [VLAN, 'u']],
]);

export interface TemplateProblem {
  readonly code: string;
  readonly message: string;
}

/**
 * Compile a template definition. `ipfix` enables variable-length fields; `mapScopeFields`
 * is false for NetFlow v9 options templates, whose scope field types (System, Interface, ...)
 * are not Information Elements (RFC 3954 §6.1).
 */
export function compileTemplate(id: number, kind: 'data' | 'options', fields: readonly TemplateField[], scopeFieldCount: number, ipfix: boolean, mapScopeFields = ipfix): TemplatePlan | TemplateProblem {
  const n = fields.length;
  if (n === 0) return { code: 'template_bad_field_count', message: `template ${id} has no fields` };
  if (n > MAX_TEMPLATE_FIELDS) return { code: 'template_bad_field_count', message: `template ${id} has ${n} fields (limit ${MAX_TEMPLATE_FIELDS})` };
  const slots = new Uint8Array(n);
  const lengths = new Uint16Array(n);
  const offsets = new Uint32Array(n);
  let fixed = 0;
  let min = 0;
  let variable = false;
  let ignored = 0;
  for (let i = 0; i < n; i++) {
    const f = fields[i]!;
    if (f.length === 0) return { code: 'template_field_zero_length', message: `template ${id} field ${i} (element ${f.id}) has length 0` };
    lengths[i] = f.length;
    offsets[i] = fixed;
    const isVariable = ipfix && f.length === VARIABLE_LENGTH;
    if (isVariable) {
      variable = true;
      min += 1;
    } else {
      fixed += f.length;
      min += f.length;
    }
    if (f.enterprise !== 0 || isVariable || (i < scopeFieldCount && !mapScopeFields)) continue;
    const m = SLOT_OF.get(f.id);
    if (!m) continue;
    const [slot, rule] = m;
    const fits = rule === 'u' ? f.length >= 1 && f.length <= 8 : f.length === rule;
    if (fits) slots[i] = slot;
    else ignored++;
  }
  const read = variable ? undefined : recordReaderFor(slots, lengths, offsets);
  return { id, kind, scopeFieldCount, fields, slots, lengths, offsets, fixedLength: variable ? -1 : fixed, minLength: min, ignoredFields: ignored, variableLength: variable, ...(read ? { read } : {}) };
}

/** Stores one record's fields, at `at` in `b`, into the accumulator `r`. */
export type RecordReader = (b: Uint8Array, at: number, r: typeof R) => void;

/**
 * Generated straight-line readers for fixed-length templates: one statement per field the
 * template maps, with its offset and length as constants, so a record costs no per-field
 * dispatch. The generated source holds only numeric constants and accumulator names taken from
 * the fixed table below, never text from a datagram. Readers are shared by every template with
 * the same layout (exporters resend their templates every few seconds) in a bounded cache.
 * Semantics are store()'s, field for field; a property test compares the two.
 */
const readerCache = new Map<string, RecordReader>();
const MAX_CACHED_READERS = 1024;

/** Accumulator field and mask of the slots that are a plain unsigned read; others are special below. */
const PLAIN: Readonly<Record<number, readonly [keyof typeof R, number | undefined]>> = {
  [OCTETS]: ['octets', undefined],
  [PACKETS]: ['packets', undefined],
  [OCTETS_TOTAL]: ['octetsTotal', undefined],
  [PACKETS_TOTAL]: ['packetsTotal', undefined],
  [PROTOCOL]: ['protocol', 0xff],
  [TOS]: ['tos', 0xff],
  [TCP_FLAGS]: ['tcpFlags', 0xff],
  [SRC_PORT]: ['srcPort', 0xffff],
  [DST_PORT]: ['dstPort', 0xffff],
  [IN_IF]: ['inIf', undefined],
  [OUT_IF]: ['outIf', undefined],
  [END_UPTIME]: ['endUptime', undefined],
  [START_UPTIME]: ['startUptime', undefined],
  [FLOW_LABEL]: ['flowLabel', 0xfffff],
  [ICMP_TYPE_CODE]: ['icmpTypeCode', 0xffff],
  [ICMP_TYPE]: ['icmpType', 0xff],
  [ICMP_CODE]: ['icmpCode', 0xff],
  [SAMPLING_INTERVAL]: ['samplingInterval', undefined],
  [SAMPLER_ID]: ['samplerId', undefined],
  [PACKET_INTERVAL]: ['packetInterval', undefined],
  [PACKET_SPACE]: ['packetSpace', undefined],
  [SAMPLING_SIZE]: ['samplingSize', undefined],
  [SAMPLING_POPULATION]: ['samplingPopulation', undefined],
  [IP_VERSION]: ['ipVersion', undefined],
  [DIRECTION]: ['direction', undefined],
  [END_SEC]: ['endSec', undefined],
  [END_MS]: ['endMs', undefined],
  [END_DELTA_US]: ['endDeltaUs', undefined],
  [START_SEC]: ['startSec', undefined],
  [START_MS]: ['startMs', undefined],
  [START_DELTA_US]: ['startDeltaUs', undefined],
  [SYSTEM_INIT_MS]: ['systemInitMs', undefined],
  [TTL]: ['ttl', 0xff],
  [DSCP]: ['dscp', 0x3f],
  [FRAGMENT_FLAGS]: ['fragmentFlags', 0xff],
  [FRAGMENT_OFFSET]: ['fragmentOffset', 0x1fff],
  [VLAN]: ['vlan', 0x0fff],
};

/** readUint(b, at + off, len) as an expression. */
function uintExpr(off: number, len: number): string {
  const at = (k: number): string => `b[at + ${off + k}]`;
  if (len === 1) return at(0);
  if (len === 2) return `((${at(0)} << 8) | ${at(1)})`;
  if (len === 4) return `(((${at(0)} << 24) >>> 0) + ((${at(1)} << 16) | (${at(2)} << 8) | ${at(3)}))`;
  let e = '0';
  for (let k = 0; k < len; k++) e = `(${e} * 256 + ${at(k)})`;
  return e;
}

function recordReaderFor(slots: Uint8Array, lengths: Uint16Array, offsets: Uint32Array): RecordReader | undefined {
  const key = `${slots.join(',')}|${lengths.join(',')}`;
  const cached = readerCache.get(key);
  if (cached) return cached;
  const lines: string[] = [];
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if (slot === SKIP) continue;
    const off = offsets[i]!;
    const len = lengths[i]!;
    const plain = PLAIN[slot];
    if (plain) {
      const [name, mask] = plain;
      lines.push(`r.${name} = ${mask === undefined ? uintExpr(off, len) : `${uintExpr(off, len)} & ${mask}`};`);
      continue;
    }
    switch (slot) {
      case SRC_V4:
        lines.push(`r.src4 = ${uintExpr(off, 4)};`);
        break;
      case DST_V4:
        lines.push(`r.dst4 = ${uintExpr(off, 4)};`);
        break;
      case SRC_V6:
        lines.push(`r.src6 = at + ${off};`);
        break;
      case DST_V6:
        lines.push(`r.dst6 = at + ${off};`);
        break;
      case END_NTP:
        lines.push(`r.endNtpSec = ${uintExpr(off, 4)};`, `r.endNtpFrac = ${uintExpr(off + 4, 4)};`);
        break;
      case START_NTP:
        lines.push(`r.startNtpSec = ${uintExpr(off, 4)};`, `r.startNtpFrac = ${uintExpr(off + 4, 4)};`);
        break;
      case MIN_TTL:
        lines.push(`if (r.minTtl < 0) r.minTtl = ${uintExpr(off, len)} & 0xff;`);
        break;
      default:
        return undefined; // a slot without generated code: the interpreter decodes it
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- source built from constants only (see above)
  const read = new Function('b', 'at', 'r', lines.join('\n')) as RecordReader;
  if (readerCache.size >= MAX_CACHED_READERS) readerCache.clear();
  readerCache.set(key, read);
  return read;
}

export function isTemplateProblem(x: TemplatePlan | TemplateProblem): x is TemplateProblem {
  return 'code' in x;
}

/** Where decoded records go, and the datagram context they are decoded in. */
export interface DataSetContext {
  readonly source: Extract<FlowSource, 'netflow9' | 'ipfix'>;
  readonly exporter: string;
  readonly domain: number;
  /** Datagram export time, ms since the epoch. */
  readonly exportMs: number;
  /** NetFlow v9 header sysUptime (ms); -1 for IPFIX. */
  readonly sysUptimeMs: number;
  readonly scope: ExporterScope;
  readonly cache: TemplateCache;
  readonly records: FlowRecord[];
  readonly errors: DecodeError[];
  /** Counters the decoder reports. */
  readonly counts: { recordsWithoutAddresses: number; optionsRecords: number };
}

/** Per-record accumulator: one, reused; -1 means absent. */
const R = {
  octets: -1,
  packets: -1,
  octetsTotal: -1,
  packetsTotal: -1,
  protocol: -1,
  tos: -1,
  tcpFlags: -1,
  srcPort: -1,
  dstPort: -1,
  src4: -1,
  dst4: -1,
  src6: -1,
  dst6: -1,
  inIf: -1,
  outIf: -1,
  endUptime: -1,
  startUptime: -1,
  flowLabel: -1,
  icmpTypeCode: -1,
  icmpType: -1,
  icmpCode: -1,
  samplingInterval: -1,
  samplerId: -1,
  packetInterval: -1,
  packetSpace: -1,
  samplingSize: -1,
  samplingPopulation: -1,
  ipVersion: -1,
  direction: -1,
  endSec: -1,
  endMs: -1,
  endNtpSec: -1,
  endNtpFrac: 0,
  endDeltaUs: -1,
  startSec: -1,
  startMs: -1,
  startNtpSec: -1,
  startNtpFrac: 0,
  startDeltaUs: -1,
  systemInitMs: -1,
  ttl: -1,
  minTtl: -1,
  dscp: -1,
  fragmentFlags: -1,
  fragmentOffset: -1,
  vlan: -1,
};

function resetAccumulator(): void {
  R.octets = R.packets = R.octetsTotal = R.packetsTotal = R.protocol = R.tos = R.tcpFlags = R.srcPort = R.dstPort = -1;
  R.src4 = R.dst4 = R.src6 = R.dst6 = R.inIf = R.outIf = R.endUptime = R.startUptime = R.flowLabel = -1;
  R.icmpTypeCode = R.icmpType = R.icmpCode = R.samplingInterval = R.samplerId = R.packetInterval = R.packetSpace = -1;
  R.samplingSize = R.samplingPopulation = R.ipVersion = R.direction = R.endSec = R.endMs = R.endNtpSec = R.endDeltaUs = -1;
  R.startSec = R.startMs = R.startNtpSec = R.startDeltaUs = R.systemInitMs = R.ttl = R.minTtl = R.dscp = -1;
  R.fragmentFlags = R.fragmentOffset = R.vlan = -1;
}

/** Unsigned big-endian integer of 1..8 bytes (exact to 2^53). */
function readUint(b: Uint8Array, at: number, len: number): number {
  switch (len) {
    case 1:
      return b[at]!;
    case 2:
      return (b[at]! << 8) | b[at + 1]!;
    case 4:
      return ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
    default: {
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + b[at + i]!;
      return v;
    }
  }
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

/** Seconds between the NTP era 0 epoch (1900) and the Unix epoch (RFC 7011 §6.1.9/§6.1.10). */
const NTP_UNIX_OFFSET_SEC = 2_208_988_800;

function ntpToMs(sec: number, frac: number): number {
  return (sec - NTP_UNIX_OFFSET_SEC) * 1000 + Math.floor((frac * 1000) / 0x1_0000_0000);
}

function store(slot: number, b: Uint8Array, at: number, len: number): void {
  switch (slot) {
    case OCTETS:
      R.octets = readUint(b, at, len);
      break;
    case PACKETS:
      R.packets = readUint(b, at, len);
      break;
    case OCTETS_TOTAL:
      R.octetsTotal = readUint(b, at, len);
      break;
    case PACKETS_TOTAL:
      R.packetsTotal = readUint(b, at, len);
      break;
    case PROTOCOL:
      R.protocol = readUint(b, at, len) & 0xff;
      break;
    case TOS:
      R.tos = readUint(b, at, len) & 0xff;
      break;
    case TCP_FLAGS:
      R.tcpFlags = readUint(b, at, len) & 0xff; // the low byte holds CWR..FIN (RFC 7125)
      break;
    case SRC_PORT:
      R.srcPort = readUint(b, at, len) & 0xffff;
      break;
    case DST_PORT:
      R.dstPort = readUint(b, at, len) & 0xffff;
      break;
    case SRC_V4:
      R.src4 = u32(b, at);
      break;
    case DST_V4:
      R.dst4 = u32(b, at);
      break;
    case SRC_V6:
      R.src6 = at;
      break;
    case DST_V6:
      R.dst6 = at;
      break;
    case IN_IF:
      R.inIf = readUint(b, at, len);
      break;
    case OUT_IF:
      R.outIf = readUint(b, at, len);
      break;
    case END_UPTIME:
      R.endUptime = readUint(b, at, len);
      break;
    case START_UPTIME:
      R.startUptime = readUint(b, at, len);
      break;
    case FLOW_LABEL:
      R.flowLabel = readUint(b, at, len) & 0xfffff;
      break;
    case ICMP_TYPE_CODE:
      R.icmpTypeCode = readUint(b, at, len) & 0xffff;
      break;
    case ICMP_TYPE:
      R.icmpType = readUint(b, at, len) & 0xff;
      break;
    case ICMP_CODE:
      R.icmpCode = readUint(b, at, len) & 0xff;
      break;
    case SAMPLING_INTERVAL:
      R.samplingInterval = readUint(b, at, len);
      break;
    case SAMPLER_ID:
      R.samplerId = readUint(b, at, len);
      break;
    case PACKET_INTERVAL:
      R.packetInterval = readUint(b, at, len);
      break;
    case PACKET_SPACE:
      R.packetSpace = readUint(b, at, len);
      break;
    case SAMPLING_SIZE:
      R.samplingSize = readUint(b, at, len);
      break;
    case SAMPLING_POPULATION:
      R.samplingPopulation = readUint(b, at, len);
      break;
    case IP_VERSION:
      R.ipVersion = readUint(b, at, len);
      break;
    case DIRECTION:
      R.direction = readUint(b, at, len);
      break;
    case END_SEC:
      R.endSec = readUint(b, at, len);
      break;
    case END_MS:
      R.endMs = readUint(b, at, len);
      break;
    case END_NTP:
      R.endNtpSec = u32(b, at);
      R.endNtpFrac = u32(b, at + 4);
      break;
    case END_DELTA_US:
      R.endDeltaUs = readUint(b, at, len);
      break;
    case START_SEC:
      R.startSec = readUint(b, at, len);
      break;
    case START_MS:
      R.startMs = readUint(b, at, len);
      break;
    case START_NTP:
      R.startNtpSec = u32(b, at);
      R.startNtpFrac = u32(b, at + 4);
      break;
    case START_DELTA_US:
      R.startDeltaUs = readUint(b, at, len);
      break;
    case SYSTEM_INIT_MS:
      R.systemInitMs = readUint(b, at, len);
      break;
    case TTL:
      R.ttl = readUint(b, at, len) & 0xff;
      break;
    case MIN_TTL:
      if (R.minTtl < 0) R.minTtl = readUint(b, at, len) & 0xff;
      break;
    case DSCP:
      R.dscp = readUint(b, at, len) & 0x3f;
      break;
    case FRAGMENT_FLAGS:
      R.fragmentFlags = readUint(b, at, len) & 0xff;
      break;
    case FRAGMENT_OFFSET:
      R.fragmentOffset = readUint(b, at, len) & 0x1fff;
      break;
    case VLAN:
      R.vlan = readUint(b, at, len) & 0x0fff;
      break;
    default:
      break;
  }
}

/** 1-in-N rate a record itself states (0 when it states none, or one below 1 that cannot be a rate). */
function statedRate(): number {
  if (R.samplingInterval > 0) return R.samplingInterval;
  if (R.packetInterval > 0 && R.packetSpace >= 0) return (R.packetInterval + R.packetSpace) / R.packetInterval;
  if (R.samplingSize > 0 && R.samplingPopulation >= R.samplingSize) return R.samplingPopulation / R.samplingSize;
  return 0;
}

/** Flow end (else start, else export) time of the record in ms since the epoch. */
function recordTimeMs(ctx: DataSetContext): number {
  if (R.endMs >= 0) return R.endMs;
  if (R.endSec >= 0) return R.endSec * 1000;
  if (R.endNtpSec >= 0) return ntpToMs(R.endNtpSec, R.endNtpFrac);
  if (R.endDeltaUs >= 0) return ctx.exportMs - Math.round(R.endDeltaUs / 1000);
  if (R.endUptime >= 0) return uptimeToMs(ctx, R.endUptime);
  if (R.startMs >= 0) return R.startMs;
  if (R.startSec >= 0) return R.startSec * 1000;
  if (R.startNtpSec >= 0) return ntpToMs(R.startNtpSec, R.startNtpFrac);
  if (R.startDeltaUs >= 0) return ctx.exportMs - Math.round(R.startDeltaUs / 1000);
  if (R.startUptime >= 0) return uptimeToMs(ctx, R.startUptime);
  return ctx.exportMs;
}

function uptimeToMs(ctx: DataSetContext, uptimeMs: number): number {
  // NetFlow v9: the header's sysUptime is "now" on the exporter (RFC 3954 §5.1); 32-bit wrap.
  if (ctx.sysUptimeMs >= 0) return ctx.exportMs - ((ctx.sysUptimeMs - uptimeMs) >>> 0);
  // IPFIX flowEndSysUpTime is relative to systemInitTimeMilliseconds (RFC 7012 IE 21).
  const init = R.systemInitMs >= 0 ? R.systemInitMs : ctx.scope.systemInitMs;
  return init >= 0 ? init + uptimeMs : ctx.exportMs;
}

function rfc8955FragmentBits(): number {
  if (R.fragmentFlags < 0 && R.fragmentOffset < 0) return 0;
  const df = R.fragmentFlags >= 0 && (R.fragmentFlags & 0x40) !== 0;
  let bits = df ? 0x01 : 0;
  if (R.fragmentOffset >= 0) {
    const mf = R.fragmentFlags >= 0 && (R.fragmentFlags & 0x20) !== 0;
    if (R.fragmentOffset !== 0) bits |= 0x02;
    if (mf && R.fragmentOffset === 0) bits |= 0x04;
    if (!mf && R.fragmentOffset !== 0) bits |= 0x08;
  }
  return bits;
}

function finishRecord(b: Uint8Array, plan: TemplatePlan, ctx: DataSetContext): void {
  if (plan.kind === 'options') {
    ctx.counts.optionsRecords++;
    const rate = statedRate();
    if (rate > 0) {
      if (R.samplerId >= 0) ctx.cache.setSamplerRate(ctx.scope, R.samplerId, rate);
      else ctx.scope.defaultSampleRate = rate;
    }
    if (R.systemInitMs >= 0) ctx.scope.systemInitMs = R.systemInitMs;
    return;
  }
  const has4 = R.src4 >= 0 && R.dst4 >= 0;
  const has6 = R.src6 >= 0 && R.dst6 >= 0;
  let family: 4 | 6;
  if (R.ipVersion === 6 && has6) family = 6;
  else if (R.ipVersion === 4 && has4) family = 4;
  else if (has4) family = 4;
  else if (has6) family = 6;
  else {
    ctx.counts.recordsWithoutAddresses++;
    return;
  }
  let rate = statedRate();
  if (rate === 0 && R.samplerId >= 0) rate = ctx.scope.samplers.get(R.samplerId) ?? 0;
  if (rate === 0) rate = ctx.scope.defaultSampleRate;
  if (rate <= 0) rate = 1;
  const packets = R.packets >= 0 ? R.packets : R.packetsTotal >= 0 ? R.packetsTotal : 0;
  const octets = R.octets >= 0 ? R.octets : R.octetsTotal >= 0 ? R.octetsTotal : 0;
  const protocol = R.protocol >= 0 ? R.protocol : 0;
  const isIcmp = protocol === 1 || protocol === 58;
  let icmpType: number | undefined;
  let icmpCode: number | undefined;
  if (isIcmp) {
    if (R.icmpTypeCode >= 0) {
      icmpType = R.icmpTypeCode >> 8;
      icmpCode = R.icmpTypeCode & 0xff;
    } else if (R.icmpType >= 0 || R.icmpCode >= 0) {
      icmpType = R.icmpType >= 0 ? R.icmpType : 0;
      icmpCode = R.icmpCode >= 0 ? R.icmpCode : 0;
    } else if (R.dstPort >= 0) {
      // Exporters without an ICMP element put type * 256 + code in the destination port
      // (NetFlow v5 practice, softflowd).
      icmpType = R.dstPort >> 8;
      icmpCode = R.dstPort & 0xff;
    }
  }
  const rec: FlowRecord = {
    timestampMs: recordTimeMs(ctx),
    source: ctx.source,
    exporter: ctx.exporter,
    observationDomain: ctx.domain,
    inputInterface: R.inIf >= 0 ? R.inIf : undefined,
    outputInterface: R.outIf >= 0 ? R.outIf : undefined,
    family,
    srcAddr: family === 4 ? formatIpv4U32(R.src4) : formatIpv6At(b, R.src6),
    dstAddr: family === 4 ? formatIpv4U32(R.dst4) : formatIpv6At(b, R.dst6),
    protocol,
    srcPort: isIcmp || R.srcPort < 0 ? 0 : R.srcPort,
    dstPort: isIcmp || R.dstPort < 0 ? 0 : R.dstPort,
    icmpType,
    icmpCode,
    tcpFlags: R.tcpFlags >= 0 ? R.tcpFlags : 0,
    ttl: R.ttl >= 0 ? R.ttl : R.minTtl >= 0 ? R.minTtl : undefined,
    dscp: R.dscp >= 0 ? R.dscp : R.tos >= 0 ? R.tos >> 2 : 0,
    fragmentFlags: rfc8955FragmentBits(),
    flowLabel: family === 6 && R.flowLabel >= 0 ? R.flowLabel : undefined,
    packetLengthBytes: packets > 0 ? Math.round(octets / packets) : 0,
    sampledPackets: packets,
    sampledBytes: octets,
    sampleRate: rate,
    estimatedPackets: packets * rate,
    estimatedBytes: octets * rate,
    direction: R.direction === 0 ? 'ingress' : R.direction === 1 ? 'egress' : undefined,
    vlan: R.vlan >= 0 ? R.vlan : undefined,
  };
  ctx.records.push(rec);
}

/**
 * Decode the records of one data set, buf[start, end) (after the set header), with `plan`.
 * Trailing bytes shorter than the shortest record are padding (RFC 7011 §3.3.1). A variable
 * length that overruns the set ends the set with a `truncated` error; the records before stay.
 */
export function decodeDataSet(b: Uint8Array, start: number, end: number, plan: TemplatePlan, ctx: DataSetContext): void {
  const n = plan.slots.length;
  const slots = plan.slots;
  const lengths = plan.lengths;
  let at = start;
  if (plan.fixedLength >= 0) {
    const offsets = plan.offsets;
    const len = plan.fixedLength;
    const read = plan.read;
    for (; end - at >= len; at += len) {
      resetAccumulator();
      if (read) read(b, at, R);
      else {
        for (let i = 0; i < n; i++) {
          const slot = slots[i]!;
          if (slot !== SKIP) store(slot, b, at + offsets[i]!, lengths[i]!);
        }
      }
      finishRecord(b, plan, ctx);
    }
    return;
  }
  while (end - at >= plan.minLength) {
    resetAccumulator();
    const recordStart = at;
    for (let i = 0; i < n; i++) {
      let len = lengths[i]!;
      if (len === VARIABLE_LENGTH) {
        // RFC 7011 §7: one length byte, or 255 followed by a two-byte length.
        if (at >= end) return truncatedRecord(ctx, at, recordStart, plan);
        len = b[at++]!;
        if (len === 255) {
          if (at + 2 > end) return truncatedRecord(ctx, at, recordStart, plan);
          len = (b[at]! << 8) | b[at + 1]!;
          at += 2;
        }
      }
      if (at + len > end) return truncatedRecord(ctx, at, recordStart, plan);
      const slot = slots[i]!;
      if (slot !== SKIP) store(slot, b, at, len);
      at += len;
    }
    finishRecord(b, plan, ctx);
  }
}

function truncatedRecord(ctx: DataSetContext, at: number, recordStart: number, plan: TemplatePlan): void {
  ctx.errors.push({ code: 'truncated', offset: at, message: `a variable-length field of the record at ${recordStart} (template ${plan.id}) runs past its set` });
}
