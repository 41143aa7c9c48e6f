// Whole-buffer capture reading: one push through the incremental parser (capture-parser.ts).
import type { DecodeError } from '../../lib/result.js';
import { type CaptureFormat, CaptureParser, type CapturedPacket } from './capture-parser.js';

export type { CapturedPacket } from './capture-parser.js';

export interface CaptureReadResult {
  readonly format: CaptureFormat;
  readonly packets: CapturedPacket[];
  /** At most one error: the point where reading stopped. */
  readonly error?: DecodeError;
}

/** Read a pcap or pcapng capture held in memory. Packet data are views into `buf`. */
export function readCapture(buf: Uint8Array): CaptureReadResult {
  const p = new CaptureParser();
  const packets = p.push(buf);
  const error = p.finish();
  return error ? { format: p.format, packets, error } : { format: p.format, packets };
}
