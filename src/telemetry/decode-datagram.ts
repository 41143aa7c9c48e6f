// One entry point for a collector: a datagram of a known (or sniffed) export format -> flow
// records, sFlow interface counters and every problem found, with the template state passed in.
// Never throws: a problem in the datagram header leaves records empty and one error; any
// exception that escapes a decoder is reported as decoder_bug.
import type { DecodeError } from '../lib/result.js';
import type { FlowRecord } from './flow-record.js';
import { decodeIpfix } from './ipfix/ipfix.js';
import { decodeNetflow5Flows } from './netflow/netflow5.js';
import { decodeNetflow9 } from './netflow/netflow9.js';
import { type InterfaceCounterRecord, decodeSflowDatagram, decodeSflowFlowsFast, sflowCounterRecords, sflowToFlowRecords } from './sflow/decode-sflow.js';
import type { TemplateCache } from './template-cache.js';

export const FLOW_DATAGRAM_FORMATS = ['sflow', 'netflow5', 'netflow9', 'ipfix'] as const;
export type FlowDatagramFormat = (typeof FLOW_DATAGRAM_FORMATS)[number];

export interface DatagramDecodeContext {
  /** Exporter address text (the UDP source address): FlowRecord.exporter for NetFlow/IPFIX. */
  readonly exporter: string;
  /** Template scope key for NetFlow v9/IPFIX, e.g. "address:port" (defaults to exporter). */
  readonly session?: string;
  /** Receive time, ms since the epoch: sFlow record time, template expiry. */
  readonly receivedMs: number;
  /** NetFlow v9 / IPFIX template and sampling state; keep one per collector. */
  readonly templates: TemplateCache;
}

export interface DatagramDecodeResult {
  readonly format: FlowDatagramFormat;
  /** False when the datagram header itself was bad (then records are empty). */
  readonly ok: boolean;
  readonly records: FlowRecord[];
  /** sFlow generic interface counters (empty for other formats). */
  readonly counters: InterfaceCounterRecord[];
  readonly errors: DecodeError[];
}

/**
 * The export format a datagram's version field names: sFlow has a 32-bit 5, NetFlow/IPFIX a
 * 16-bit 5, 9 or 10. Undefined when none matches.
 */
export function sniffFlowFormat(buf: Uint8Array): FlowDatagramFormat | undefined {
  if (buf.length < 4) return undefined;
  const v16 = (buf[0]! << 8) | buf[1]!;
  if (v16 === 5) return 'netflow5';
  if (v16 === 9) return 'netflow9';
  if (v16 === 10) return 'ipfix';
  if (v16 === 0 && buf[2] === 0 && buf[3] === 5) return 'sflow';
  return undefined;
}

export function decodeFlowDatagram(format: FlowDatagramFormat, buf: Uint8Array, ctx: DatagramDecodeContext): DatagramDecodeResult {
  try {
    switch (format) {
      case 'sflow': {
        const fast = decodeSflowFlowsFast(buf, ctx.receivedMs);
        if (fast) return { format, ok: true, records: fast, counters: [], errors: [] };
        const r = decodeSflowDatagram(buf);
        if (!r.ok) return { format, ok: false, records: [], counters: [], errors: [r.error] };
        const errors = [...r.value.errors];
        const records = sflowToFlowRecords(r.value.datagram, ctx.receivedMs, errors);
        return { format, ok: true, records, counters: sflowCounterRecords(r.value.datagram, ctx.receivedMs), errors };
      }
      case 'netflow5': {
        const r = decodeNetflow5Flows(buf, ctx.exporter);
        if (!r.ok) return { format, ok: false, records: [], counters: [], errors: [r.error] };
        return { format, ok: true, records: r.value, counters: [], errors: [] };
      }
      case 'netflow9':
      case 'ipfix': {
        const c = { templates: ctx.templates, exporter: ctx.exporter, nowMs: ctx.receivedMs, session: ctx.session };
        const r = format === 'netflow9' ? decodeNetflow9(buf, c) : decodeIpfix(buf, c);
        if (!r.ok) return { format, ok: false, records: [], counters: [], errors: [r.error] };
        return { format, ok: true, records: r.value.records, counters: [], errors: r.value.errors };
      }
    }
  } catch (e) {
    return { format, ok: false, records: [], counters: [], errors: [{ code: 'decoder_bug', offset: -1, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }] };
  }
}
