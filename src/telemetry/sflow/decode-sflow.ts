// sFlow v5 datagram decoder (sflow.org sflow_version_5.txt). Never throws: a bad datagram
// header is an error Result; a bad sample or record is skipped by its length and reported, the
// rest of the datagram kept. Every sample and record length is bounded by its enclosing length.
// Unknown sample and record formats (other enterprises, other extended records) are skipped.
import { ByteReader, DecodeFailure, decodeWith } from '../../lib/byte-reader.js';
import type { DecodeError, Result } from '../../lib/result.js';
import type { FlowRecord } from '../flow-record.js';
import { formatIpv4At, formatIpv6At } from '../packet/format-address.js';
import { LINK_TYPE, flowRecordFromScratch, newPacketScratch, parseFrameInto, scratchError } from '../packet/parse-packet.js';
import { type InterfaceCounters, SFLOW_COUNTER_RECORD, SFLOW_FLOW_RECORD, SFLOW_HEADER_PROTOCOL, SFLOW_SAMPLE, type SflowCounterSample, type SflowDatagram, type SflowFlowData, type SflowFlowSample, type SflowRawHeader, type SflowSampledIp } from './types.js';

export const SFLOW_MAX_SAMPLES = 1024;
export const SFLOW_MAX_RECORDS = 256;

export interface SflowDecoded {
  readonly datagram: SflowDatagram;
  /** Samples or records that were skipped, with where and why. */
  readonly errors: readonly DecodeError[];
}

function readRawHeader(r: ByteReader): SflowRawHeader {
  const headerProtocol = r.u32('header protocol');
  const frameLength = r.u32('frame length');
  const stripped = r.u32('stripped');
  const len = r.u32('header length');
  const header = r.bytes(len, 'header');
  r.skip((4 - (len % 4)) % 4, 'header padding');
  return { kind: 'raw-header', headerProtocol, frameLength, stripped, header };
}

function readSampledIp(r: ByteReader, v6: boolean): SflowSampledIp {
  const length = r.u32('length');
  const protocol = r.u32('protocol');
  const at = r.offset;
  r.skip(v6 ? 32 : 8, 'addresses');
  const srcAddr = v6 ? formatIpv6At(r.buf, at) : formatIpv4At(r.buf, at);
  const dstAddr = v6 ? formatIpv6At(r.buf, at + 16) : formatIpv4At(r.buf, at + 4);
  return { kind: v6 ? 'sampled-ipv6' : 'sampled-ipv4', length, protocol, srcAddr, dstAddr, srcPort: r.u32('src port'), dstPort: r.u32('dst port'), tcpFlags: r.u32('tcp flags'), tos: r.u32(v6 ? 'priority' : 'tos') };
}

function readFlowSample(r: ByteReader, expanded: boolean, errors: DecodeError[]): SflowFlowSample {
  const sequence = r.u32('sample sequence');
  let sourceIdType: number;
  let sourceIdIndex: number;
  if (expanded) {
    sourceIdType = r.u32('source id type');
    sourceIdIndex = r.u32('source id index');
  } else {
    const sid = r.u32('source id'); // type << 24 | index
    sourceIdType = sid >>> 24;
    sourceIdIndex = sid & 0xffffff;
  }
  const samplingRate = r.u32('sampling rate');
  const samplePool = r.u32('sample pool');
  const drops = r.u32('drops');
  let input: number;
  let output: number;
  let inputFormat: number | undefined;
  let outputFormat: number | undefined;
  if (expanded) {
    inputFormat = r.u32('input format');
    input = r.u32('input');
    outputFormat = r.u32('output format');
    output = r.u32('output');
  } else {
    input = r.u32('input');
    output = r.u32('output');
  }
  const n = r.u32('record count');
  if (n > SFLOW_MAX_RECORDS) r.fail('sflow_too_many_records', `${n} flow records in one sample (limit ${SFLOW_MAX_RECORDS})`, r.offset - 4);
  const records: SflowFlowData[] = [];
  for (let i = 0; i < n; i++) {
    const format = r.u32('record format');
    const body = r.sub(r.u32('record length'), 'flow record');
    try {
      if (format === SFLOW_FLOW_RECORD.rawHeader) records.push(readRawHeader(body));
      else if (format === SFLOW_FLOW_RECORD.sampledIpv4) records.push(readSampledIp(body, false));
      else if (format === SFLOW_FLOW_RECORD.sampledIpv6) records.push(readSampledIp(body, true));
      else if (format === SFLOW_FLOW_RECORD.extendedSwitch) records.push({ kind: 'extended-switch', srcVlan: body.u32('src vlan'), srcPriority: body.u32('src priority'), dstVlan: body.u32('dst vlan'), dstPriority: body.u32('dst priority') });
    } catch (e) {
      if (!(e instanceof DecodeFailure)) throw e;
      errors.push(e.toDecodeError()); // this record is lost; its length says where the next starts
    }
  }
  const base = { kind: 'flow' as const, ...(expanded ? { expanded: true } : {}), sequence, sourceIdType, sourceIdIndex, samplingRate, samplePool, drops, input, output };
  return expanded ? { ...base, inputFormat, outputFormat, records } : { ...base, records };
}

function readCounterSample(r: ByteReader, expanded: boolean, errors: DecodeError[]): SflowCounterSample {
  const sequence = r.u32('sample sequence');
  let sourceIdType: number;
  let sourceIdIndex: number;
  if (expanded) {
    sourceIdType = r.u32('source id type');
    sourceIdIndex = r.u32('source id index');
  } else {
    const sid = r.u32('source id');
    sourceIdType = sid >>> 24;
    sourceIdIndex = sid & 0xffffff;
  }
  const n = r.u32('record count');
  if (n > SFLOW_MAX_RECORDS) r.fail('sflow_too_many_records', `${n} counter records in one sample (limit ${SFLOW_MAX_RECORDS})`, r.offset - 4);
  const interfaces: InterfaceCounters[] = [];
  for (let i = 0; i < n; i++) {
    const format = r.u32('record format');
    const body = r.sub(r.u32('record length'), 'counter record');
    if (format !== SFLOW_COUNTER_RECORD.genericInterface) continue;
    try {
      const ifIndex = body.u32('ifIndex');
      const ifType = body.u32('ifType');
      const ifSpeed = body.u64('ifSpeed');
      const ifDirection = body.u32('ifDirection');
      const ifStatus = body.u32('ifStatus');
      const ifInOctets = body.u64('ifInOctets');
      const ifInUcastPkts = body.u32('ifInUcastPkts');
      body.skip(8, 'in multicast/broadcast');
      const ifInDiscards = body.u32('ifInDiscards');
      const ifInErrors = body.u32('ifInErrors');
      body.skip(4, 'ifInUnknownProtos');
      const ifOutOctets = body.u64('ifOutOctets');
      const ifOutUcastPkts = body.u32('ifOutUcastPkts');
      body.skip(8, 'out multicast/broadcast');
      const ifOutDiscards = body.u32('ifOutDiscards');
      const ifOutErrors = body.u32('ifOutErrors');
      interfaces.push({ ifIndex, ifType, ifSpeed, ifDirection, ifStatus, ifInOctets, ifInUcastPkts, ifInDiscards, ifInErrors, ifOutOctets, ifOutUcastPkts, ifOutDiscards, ifOutErrors });
    } catch (e) {
      if (!(e instanceof DecodeFailure)) throw e;
      errors.push(e.toDecodeError());
    }
  }
  return { kind: 'counters', ...(expanded ? { expanded: true } : {}), sequence, sourceIdType, sourceIdIndex, interfaces };
}

export function decodeSflowDatagram(buf: Uint8Array): Result<SflowDecoded> {
  return decodeWith(() => {
    const r = new ByteReader(buf);
    const version = r.u32('version');
    if (version !== 5) r.fail('sflow_bad_version', `sFlow version ${version}, expected 5`, 0);
    const agentType = r.u32('agent address type');
    if (agentType !== 1 && agentType !== 2) r.fail('sflow_bad_agent_address', `agent address type ${agentType}, expected 1 (IPv4) or 2 (IPv6)`, 4);
    const agentAt = r.offset;
    r.skip(agentType === 1 ? 4 : 16, 'agent address');
    const agent = agentType === 1 ? formatIpv4At(buf, agentAt) : formatIpv6At(buf, agentAt);
    const subAgentId = r.u32('sub agent id');
    const sequence = r.u32('sequence');
    const uptimeMs = r.u32('uptime');
    const n = r.u32('sample count');
    if (n > SFLOW_MAX_SAMPLES) r.fail('sflow_too_many_samples', `${n} samples in one datagram (limit ${SFLOW_MAX_SAMPLES})`, r.offset - 4);
    const samples: Array<SflowFlowSample | SflowCounterSample> = [];
    const errors: DecodeError[] = [];
    for (let i = 0; i < n; i++) {
      let format: number;
      let body: ByteReader;
      try {
        format = r.u32('sample format');
        body = r.sub(r.u32('sample length'), 'sample');
      } catch (e) {
        if (!(e instanceof DecodeFailure)) throw e;
        errors.push(e.toDecodeError()); // the samples after this one cannot be found; keep those before
        break;
      }
      try {
        if (format === SFLOW_SAMPLE.flow || format === SFLOW_SAMPLE.expandedFlow) samples.push(readFlowSample(body, format === SFLOW_SAMPLE.expandedFlow, errors));
        else if (format === SFLOW_SAMPLE.counters || format === SFLOW_SAMPLE.expandedCounters) samples.push(readCounterSample(body, format === SFLOW_SAMPLE.expandedCounters, errors));
      } catch (e) {
        if (!(e instanceof DecodeFailure)) throw e;
        errors.push(e.toDecodeError()); // this sample is lost; the next one starts at its own length
      }
    }
    return { datagram: { agent, subAgentId, sequence, uptimeMs, samples }, errors };
  });
}

const LINK_OF: Record<number, number> = { [SFLOW_HEADER_PROTOCOL.ethernet]: LINK_TYPE.ethernet, [SFLOW_HEADER_PROTOCOL.ipv4]: LINK_TYPE.ipv4, [SFLOW_HEADER_PROTOCOL.ipv6]: LINK_TYPE.ipv6 };
const scratch = newPacketScratch();

/** The interface index an sFlow interface word names, unless it is a discard or multi-port code. */
function interfaceIndex(s: SflowFlowSample, which: 'input' | 'output'): number | undefined {
  return which === 'input' ? interfaceOf(s.expanded === true, s.inputFormat, s.input) : interfaceOf(s.expanded === true, s.outputFormat, s.output);
}

/** Compact form: format in the top 2 bits of the word; expanded form: a separate format word. */
function interfaceOf(expanded: boolean, format: number | undefined, word: number): number | undefined {
  if (expanded) return format === 0 ? word : undefined;
  return word >>> 30 === 0 ? word & 0x3fffffff : undefined;
}

function recordFromRawHeader(d: SflowDatagram, s: SflowFlowSample, h: SflowRawHeader, receivedMs: number, vlan: number | undefined, errors: DecodeError[]): FlowRecord | undefined {
  const link = LINK_OF[h.headerProtocol];
  if (link === undefined) {
    errors.push({ code: 'sflow_unsupported_header_protocol', offset: -1, message: `header protocol ${h.headerProtocol}` });
    return undefined;
  }
  const code = parseFrameInto(h.header, 0, h.header.length, link, scratch);
  if (code !== undefined) {
    errors.push(scratchError(code, scratch));
    return undefined;
  }
  return flowRecordFromScratch(h.header, scratch, 'sflow', receivedMs, d.agent, d.subAgentId, interfaceIndex(s, 'input'), interfaceIndex(s, 'output'), h.frameLength, Math.max(1, s.samplingRate), vlan);
}


function recordFromSampledIp(d: SflowDatagram, s: SflowFlowSample, ip: SflowSampledIp, receivedMs: number, vlan: number | undefined): FlowRecord {
  return sampledIpRecord(d.agent, d.subAgentId, interfaceIndex(s, 'input'), interfaceIndex(s, 'output'), s.samplingRate, ip, receivedMs, vlan);
}

function sampledIpRecord(agent: string, subAgentId: number, input: number | undefined, output: number | undefined, samplingRate: number, ip: SflowSampledIp, receivedMs: number, vlan: number | undefined): FlowRecord {
  const rate = Math.max(1, samplingRate);
  const icmp = ip.protocol === 1 || ip.protocol === 58;
  return {
    timestampMs: receivedMs,
    source: 'sflow',
    exporter: agent,
    observationDomain: subAgentId,
    inputInterface: input,
    outputInterface: output,
    family: ip.kind === 'sampled-ipv4' ? 4 : 6,
    srcAddr: ip.srcAddr,
    dstAddr: ip.dstAddr,
    protocol: ip.protocol & 0xff,
    // The spec says only "port number or equivalent" for ICMP, so no ports and no type/code.
    srcPort: icmp ? 0 : ip.srcPort & 0xffff,
    dstPort: icmp ? 0 : ip.dstPort & 0xffff,
    icmpType: undefined,
    icmpCode: undefined,
    tcpFlags: ip.tcpFlags & 0xff,
    ttl: undefined,
    dscp: (ip.tos >> 2) & 0x3f,
    fragmentFlags: 0,
    flowLabel: undefined,
    packetLengthBytes: ip.length,
    sampledPackets: 1,
    sampledBytes: ip.length,
    sampleRate: rate,
    estimatedPackets: rate,
    estimatedBytes: ip.length * rate,
    direction: undefined,
    vlan,
  };
}

/**
 * Flow samples -> FlowRecords: one per sampled packet, from its raw header (parsed with the
 * packet parser) or, when there is none that parses, its sampled IPv4/IPv6 record. Estimated
 * counts are sampled × sampling rate. sFlow carries no wall-clock time, so records take
 * `receivedMs`. Header problems are appended to `errors`.
 */
export function sflowToFlowRecords(d: SflowDatagram, receivedMs: number, errors: DecodeError[] = []): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const s of d.samples) {
    if (s.kind !== 'flow') continue;
    let vlan: number | undefined;
    let sampled: SflowSampledIp | undefined;
    let done = false;
    for (const rec of s.records) if (rec.kind === 'extended-switch') vlan = rec.srcVlan & 0xfff;
    for (const rec of s.records) {
      if (rec.kind === 'raw-header') {
        if (done) continue;
        const f = recordFromRawHeader(d, s, rec, receivedMs, vlan, errors);
        if (f) {
          out.push(f);
          done = true;
        }
      } else if (rec.kind !== 'extended-switch') sampled ??= rec;
    }
    if (!done && sampled) out.push(recordFromSampledIp(d, s, sampled, receivedMs, vlan));
  }
  return out;
}

/** Generic interface counters of a datagram's counter samples, with the agent they came from. */
export interface InterfaceCounterRecord {
  readonly timestampMs: number;
  readonly exporter: string;
  readonly observationDomain: number;
  readonly sourceIdType: number;
  readonly sourceIdIndex: number;
  readonly sequence: number;
  readonly counters: InterfaceCounters;
}

export function sflowCounterRecords(d: SflowDatagram, receivedMs: number): InterfaceCounterRecord[] {
  const out: InterfaceCounterRecord[] = [];
  for (const s of d.samples) {
    if (s.kind !== 'counters') continue;
    for (const c of s.interfaces) out.push({ timestampMs: receivedMs, exporter: d.agent, observationDomain: d.subAgentId, sourceIdType: s.sourceIdType, sourceIdIndex: s.sourceIdIndex, sequence: s.sequence, counters: c });
  }
  return out;
}

/**
 * The collector's fast path for a well-formed datagram of flow samples: bytes straight to
 * FlowRecords, without the intermediate sample and record objects. Returns undefined, so the
 * caller takes the structured path (decodeSflowDatagram + sflowToFlowRecords), for anything else:
 * a length that does not fit, a counter sample, a header that does not parse, too many samples or
 * records. The two paths give equal records for every input (a property test holds them together).
 */
export function decodeSflowFlowsFast(buf: Uint8Array, receivedMs: number): FlowRecord[] | undefined {
  const end = buf.length;
  const u32 = (o: number): number => ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
  if (end < 28 || u32(0) !== 5) return undefined;
  const agentType = u32(4);
  if (agentType !== 1 && agentType !== 2) return undefined;
  let o = agentType === 1 ? 12 : 24;
  if (o + 16 > end) return undefined;
  const agent = agentType === 1 ? formatIpv4At(buf, 8) : formatIpv6At(buf, 8);
  const subAgentId = u32(o);
  const n = u32(o + 12);
  o += 16;
  if (n > SFLOW_MAX_SAMPLES) return undefined;
  const out: FlowRecord[] = [];
  for (let i = 0; i < n; i++) {
    if (o + 8 > end) return undefined;
    const format = u32(o);
    const length = u32(o + 4);
    const body = o + 8;
    const bodyEnd = body + length;
    if (bodyEnd > end) return undefined;
    o = bodyEnd;
    if (format === SFLOW_SAMPLE.counters || format === SFLOW_SAMPLE.expandedCounters) return undefined;
    if (format !== SFLOW_SAMPLE.flow && format !== SFLOW_SAMPLE.expandedFlow) continue;
    const expanded = format === SFLOW_SAMPLE.expandedFlow;
    let p = body + (expanded ? 12 : 8); // sequence, source id
    if (p + (expanded ? 32 : 24) > bodyEnd) return undefined;
    const samplingRate = u32(p);
    p += 12; // rate, pool, drops
    let input: number | undefined;
    let output: number | undefined;
    if (expanded) {
      input = interfaceOf(true, u32(p), u32(p + 4));
      output = interfaceOf(true, u32(p + 8), u32(p + 12));
      p += 16;
    } else {
      input = interfaceOf(false, undefined, u32(p));
      output = interfaceOf(false, undefined, u32(p + 4));
      p += 8;
    }
    const records = u32(p);
    p += 4;
    if (records > SFLOW_MAX_RECORDS) return undefined;
    let vlan: number | undefined;
    let rawAt = -1;
    let rawLink = 0;
    let rawLength = 0;
    let rawFrameLength = 0;
    let ipAt = -1;
    let ipV6 = false;
    for (let k = 0; k < records; k++) {
      if (p + 8 > bodyEnd) return undefined;
      const rf = u32(p);
      const rl = u32(p + 4);
      const r = p + 8;
      if (r + rl > bodyEnd) return undefined;
      p = r + rl;
      if (rf === SFLOW_FLOW_RECORD.rawHeader) {
        if (rl < 16) return undefined;
        const hl = u32(r + 12);
        if (16 + hl + ((4 - (hl % 4)) % 4) > rl) return undefined;
        if (rawAt >= 0) continue; // the first raw header is the one used
        const link = LINK_OF[u32(r)];
        if (link === undefined) return undefined;
        rawAt = r + 16;
        rawLink = link;
        rawLength = hl;
        rawFrameLength = u32(r + 4);
      } else if (rf === SFLOW_FLOW_RECORD.sampledIpv4 || rf === SFLOW_FLOW_RECORD.sampledIpv6) {
        const v6 = rf === SFLOW_FLOW_RECORD.sampledIpv6;
        if (rl < (v6 ? 56 : 32)) return undefined;
        if (ipAt < 0) {
          ipAt = r;
          ipV6 = v6;
        }
      } else if (rf === SFLOW_FLOW_RECORD.extendedSwitch) {
        if (rl < 16) return undefined;
        vlan = u32(r) & 0xfff;
      }
    }
    if (rawAt >= 0) {
      if (parseFrameInto(buf, rawAt, rawAt + rawLength, rawLink, scratch) !== undefined) return undefined;
      out.push(flowRecordFromScratch(buf, scratch, 'sflow', receivedMs, agent, subAgentId, input, output, rawFrameLength, Math.max(1, samplingRate), vlan));
    } else if (ipAt >= 0) {
      const a = ipAt + 8;
      const ports = a + (ipV6 ? 32 : 8);
      const ip: SflowSampledIp = {
        kind: ipV6 ? 'sampled-ipv6' : 'sampled-ipv4',
        length: u32(ipAt),
        protocol: u32(ipAt + 4),
        srcAddr: ipV6 ? formatIpv6At(buf, a) : formatIpv4At(buf, a),
        dstAddr: ipV6 ? formatIpv6At(buf, a + 16) : formatIpv4At(buf, a + 4),
        srcPort: u32(ports),
        dstPort: u32(ports + 4),
        tcpFlags: u32(ports + 8),
        tos: u32(ports + 12),
      };
      out.push(sampledIpRecord(agent, subAgentId, input, output, samplingRate, ip, receivedMs, vlan));
    }
  }
  return out;
}
