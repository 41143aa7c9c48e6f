// Captured packets -> FlowRecords (unsampled: each packet is one record with sampleRate 1).
import type { FlowRecord } from '../flow-record.js';
import { packetFlowFields, parsePacket } from '../packet/parse-packet.js';
import type { CapturedPacket } from './read-capture.js';

export interface CaptureFlows {
  readonly records: FlowRecord[];
  /** Packets that did not parse, by code. */
  readonly errors: Record<string, number>;
}

export function captureToFlows(packets: readonly CapturedPacket[], exporter = 'pcap'): CaptureFlows {
  const records: FlowRecord[] = [];
  const errors: Record<string, number> = {};
  for (const p of packets) {
    const r = parsePacket(p.data, p.linkType);
    if (!r.ok) {
      errors[r.error.code] = (errors[r.error.code] ?? 0) + 1;
      continue;
    }
    const x = r.value;
    records.push({
      timestampMs: p.timestampMs,
      source: 'pcap',
      exporter,
      ...packetFlowFields(x),
      sampledPackets: 1,
      sampledBytes: p.originalLength,
      sampleRate: 1,
      estimatedPackets: 1,
      estimatedBytes: p.originalLength,
    });
  }
  return { records, errors };
}
