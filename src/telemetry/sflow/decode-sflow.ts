// sFlow v5 datagram decoder. Never throws: a bad datagram header is an error Result; a bad
// sample or record is skipped by its length and reported, the rest of the datagram kept.
// Unknown sample and record formats (other enterprises, extended records) are skipped safely.
import { ByteReader, DecodeFailure, decodeWith } from '../../lib/byte-reader.js';
import { formatAddress } from '../../lib/prefix.js';
import type { DecodeError, Result } from '../../lib/result.js';
import type { FlowRecord } from '../flow-record.js';
import { LINK_TYPE, packetFlowFields, parsePacket } from '../packet/parse-packet.js';
import { type InterfaceCounters, SFLOW_COUNTER_RECORD, SFLOW_FLOW_RECORD, SFLOW_HEADER_PROTOCOL, SFLOW_SAMPLE, type SflowCounterSample, type SflowDatagram, type SflowFlowSample, type SflowRawHeader } from './types.js';

const MAX_SAMPLES = 1024;
const MAX_RECORDS = 256;

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

/** Compact samples pack type<<24 | index in one word; expanded samples carry two words. */
function readSourceId(r: ByteReader, expanded: boolean): { sourceIdType: number; sourceIdIndex: number } {
  if (expanded) return { sourceIdType: r.u32('source id type'), sourceIdIndex: r.u32('source id index') };
  const sid = r.u32('source id');
  return { sourceIdType: sid >>> 24, sourceIdIndex: sid & 0xffffff };
}

function readFlowSample(r: ByteReader, expanded: boolean, errors: DecodeError[]): SflowFlowSample {
  const sequence = r.u32('sample sequence');
  const { sourceIdType, sourceIdIndex } = readSourceId(r, expanded);
  const samplingRate = r.u32('sampling rate');
  const samplePool = r.u32('sample pool');
  const drops = r.u32('drops');
  let input: number;
  let output: number;
  if (expanded) {
    r.skip(4, 'input format');
    input = r.u32('input');
    r.skip(4, 'output format');
    output = r.u32('output');
  } else {
    input = r.u32('input');
    output = r.u32('output');
  }
  const n = r.u32('record count');
  if (n > MAX_RECORDS) r.fail('sflow_too_many_records', `${n} flow records in one sample (limit ${MAX_RECORDS})`);
  const records: SflowRawHeader[] = [];
  for (let i = 0; i < n; i++) {
    const format = r.u32('record format');
    const len = r.u32('record length');
    const body = r.sub(len, 'flow record');
    if (format === SFLOW_FLOW_RECORD.rawHeader) {
      try {
        records.push(readRawHeader(body));
      } catch (e) {
        if (!(e instanceof DecodeFailure)) throw e;
        errors.push(e.toDecodeError());
      }
    }
  }
  return { kind: 'flow', sequence, sourceIdType, sourceIdIndex, samplingRate, samplePool, drops, input, output, records };
}

function readCounterSample(r: ByteReader, expanded: boolean): SflowCounterSample {
  const sequence = r.u32('sample sequence');
  const { sourceIdType, sourceIdIndex } = readSourceId(r, expanded);
  const n = r.u32('record count');
  if (n > MAX_RECORDS) r.fail('sflow_too_many_records', `${n} counter records in one sample (limit ${MAX_RECORDS})`);
  const interfaces: InterfaceCounters[] = [];
  for (let i = 0; i < n; i++) {
    const format = r.u32('record format');
    const body = r.sub(r.u32('record length'), 'counter record');
    if (format !== SFLOW_COUNTER_RECORD.genericInterface) continue;
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
  }
  return { kind: 'counters', sequence, sourceIdType, sourceIdIndex, interfaces };
}

export function decodeSflowDatagram(buf: Uint8Array): Result<SflowDecoded> {
  return decodeWith(() => {
    const r = new ByteReader(buf);
    const version = r.u32('version');
    if (version !== 5) r.fail('sflow_bad_version', `sFlow version ${version}, expected 5`, 0);
    const agentType = r.u32('agent address type');
    if (agentType !== 1 && agentType !== 2) r.fail('sflow_bad_agent_address', `agent address type ${agentType}, expected 1 (IPv4) or 2 (IPv6)`, 4);
    const agent = formatAddress(r.bytes(agentType === 1 ? 4 : 16, 'agent address'));
    const subAgentId = r.u32('sub agent id');
    const sequence = r.u32('sequence');
    const uptimeMs = r.u32('uptime');
    const n = r.u32('sample count');
    if (n > MAX_SAMPLES) r.fail('sflow_too_many_samples', `${n} samples in one datagram (limit ${MAX_SAMPLES})`, r.offset - 4);
    const samples: Array<SflowFlowSample | SflowCounterSample> = [];
    const errors: DecodeError[] = [];
    for (let i = 0; i < n; i++) {
      const format = r.u32('sample format');
      const body = r.sub(r.u32('sample length'), 'sample');
      try {
        if (format === SFLOW_SAMPLE.flow || format === SFLOW_SAMPLE.expandedFlow) samples.push(readFlowSample(body, format === SFLOW_SAMPLE.expandedFlow, errors));
        else if (format === SFLOW_SAMPLE.counters || format === SFLOW_SAMPLE.expandedCounters) samples.push(readCounterSample(body, format === SFLOW_SAMPLE.expandedCounters));
      } catch (e) {
        if (!(e instanceof DecodeFailure)) throw e;
        errors.push(e.toDecodeError()); // this sample is lost; the next one starts at its own length
      }
    }
    return { datagram: { agent, subAgentId, sequence, uptimeMs, samples }, errors };
  });
}

const LINK_OF: Record<number, number> = { [SFLOW_HEADER_PROTOCOL.ethernet]: LINK_TYPE.ethernet, [SFLOW_HEADER_PROTOCOL.ipv4]: LINK_TYPE.ipv4, [SFLOW_HEADER_PROTOCOL.ipv6]: LINK_TYPE.ipv6 };

/** Flow samples -> FlowRecords (one per sampled packet header; estimated = sampled × rate). */
export function sflowToFlowRecords(d: SflowDatagram, receivedMs: number, errors: DecodeError[] = []): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const s of d.samples) {
    if (s.kind !== 'flow') continue;
    for (const rec of s.records) {
      const link = LINK_OF[rec.headerProtocol];
      if (link === undefined) {
        errors.push({ code: 'sflow_unsupported_header_protocol', offset: -1, message: `header protocol ${rec.headerProtocol}` });
        continue;
      }
      const p = parsePacket(rec.header, link);
      if (!p.ok) {
        errors.push(p.error);
        continue;
      }
      const x = p.value;
      const rate = Math.max(1, s.samplingRate);
      out.push({
        timestampMs: receivedMs,
        source: 'sflow',
        exporter: d.agent,
        observationDomain: d.subAgentId,
        inputInterface: s.input,
        outputInterface: s.output,
        ...packetFlowFields(x),
        sampledPackets: 1,
        sampledBytes: rec.frameLength,
        sampleRate: rate,
        estimatedPackets: rate,
        estimatedBytes: rec.frameLength * rate,
      });
    }
  }
  return out;
}
