// Captured packets -> FlowRecords (unsampled: each packet is one record with sampleRate 1).
import type { FlowRecord } from '../flow-record.js';
import { newPacketScratch, parseFrameInto, scratchDstAddr, scratchSrcAddr } from '../packet/parse-packet.js';
import type { CapturedPacket } from './capture-parser.js';

export interface CaptureFlows {
  readonly records: FlowRecord[];
  /** Packets that did not parse, by code. */
  readonly errors: Record<string, number>;
}

const scratch = newPacketScratch();

/** One captured packet as a FlowRecord, or the code of the reason it is not one. */
export function capturedPacketToFlow(p: CapturedPacket, exporter: string): FlowRecord | string {
  const code = parseFrameInto(p.data, 0, p.data.length, p.linkType, scratch);
  if (code !== undefined) return code;
  const x = scratch;
  return {
    timestampMs: p.timestampMs,
    source: 'pcap',
    exporter,
    family: x.family,
    srcAddr: scratchSrcAddr(p.data, x),
    dstAddr: scratchDstAddr(p.data, x),
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
    sampledBytes: p.originalLength,
    sampleRate: 1,
    estimatedPackets: 1,
    estimatedBytes: p.originalLength,
    vlan: x.vlan >= 0 ? x.vlan : undefined,
  };
}

export function captureToFlows(packets: readonly CapturedPacket[], exporter = 'pcap'): CaptureFlows {
  const records: FlowRecord[] = [];
  const errors: Record<string, number> = {};
  for (const p of packets) {
    const r = capturedPacketToFlow(p, exporter);
    if (typeof r === 'string') errors[r] = (errors[r] ?? 0) + 1;
    else records.push(r);
  }
  return { records, errors };
}
