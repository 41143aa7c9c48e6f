// Captured packets -> FlowRecords (unsampled: each packet is one record with sampleRate 1).
import type { FlowRecord } from '../flow-record.js';
import { flowRecordFromScratch, newPacketScratch, parseFrameInto } from '../packet/parse-packet.js';
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
  return flowRecordFromScratch(p.data, scratch, 'pcap', p.timestampMs, exporter, undefined, undefined, undefined, p.originalLength, 1, undefined);
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
