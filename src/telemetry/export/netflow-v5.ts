// NetFlow version 5 export: 24-byte header and up to 30 fixed 48-byte records (Cisco's
// published v5 format). IPv4 only: IPv6 flows cannot be expressed and are counted as skipped.
// ICMP type/code go in the destination port (type << 8 | code), as Cisco exporters do. Pure.
import { ByteWriter } from '../../lib/byte-writer.js';
import { parseAddress } from '../../lib/prefix.js';
import type { ExportFlow } from './flow-meter.js';

export const NETFLOW_V5_MAX_RECORDS = 30;

export interface NetflowV5Header {
  readonly sysUptimeMs: number;
  readonly unixSecs: number;
  readonly unixNsecs: number;
  /** Flows exported before this packet. */
  readonly flowSequence: number;
  readonly engineType: number;
  readonly engineId: number;
  /** 0 none, 1 deterministic (1-in-N), 2 random. */
  readonly samplingMode: number;
  /** N of 1-in-N, 14 bits. */
  readonly samplingInterval: number;
}

export interface NetflowV5Record {
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly nextHop: string;
  readonly input: number;
  readonly output: number;
  readonly packets: number;
  readonly octets: number;
  /** sysUptime (ms) at the first and last packet. */
  readonly firstUptimeMs: number;
  readonly lastUptimeMs: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly tcpFlags: number;
  readonly protocol: number;
  readonly tos: number;
  readonly srcAs: number;
  readonly dstAs: number;
  readonly srcMask: number;
  readonly dstMask: number;
}

function v4(text: string): Uint8Array {
  const a = parseAddress(text);
  if (!a || a.length !== 4) throw new Error(`NetFlow v5 carries IPv4 only; "${text}" is not an IPv4 address`);
  return a;
}

export function encodeNetflowV5(h: NetflowV5Header, records: readonly NetflowV5Record[]): Uint8Array {
  if (records.length > NETFLOW_V5_MAX_RECORDS) throw new Error(`NetFlow v5 carries at most ${NETFLOW_V5_MAX_RECORDS} records per packet, got ${records.length}`);
  const w = new ByteWriter(24 + 48 * records.length);
  w.u16(5).u16(records.length).u32(h.sysUptimeMs >>> 0).u32(h.unixSecs >>> 0).u32(h.unixNsecs >>> 0).u32(h.flowSequence >>> 0);
  w.u8(h.engineType).u8(h.engineId).u16(((h.samplingMode & 0x3) << 14) | (h.samplingInterval & 0x3fff));
  for (const r of records) {
    w.bytes(v4(r.srcAddr)).bytes(v4(r.dstAddr)).bytes(v4(r.nextHop)).u16(r.input).u16(r.output);
    w.u32(r.packets >>> 0).u32(r.octets >>> 0).u32(r.firstUptimeMs >>> 0).u32(r.lastUptimeMs >>> 0);
    w.u16(r.srcPort).u16(r.dstPort).u8(0).u8(r.tcpFlags).u8(r.protocol).u8(r.tos).u16(r.srcAs).u16(r.dstAs).u8(r.srcMask).u8(r.dstMask).u16(0);
  }
  return w.finish();
}

export interface NetflowV5ExporterOptions {
  readonly bootMs: number;
  readonly engineId: number;
  readonly sampleRate: number;
}

export class NetflowV5Exporter {
  private flowSequence = 0;
  /** IPv6 flows that v5 cannot carry. */
  skippedFlows = 0;

  constructor(private readonly o: NetflowV5ExporterOptions) {}

  exportFlows(flows: readonly ExportFlow[], nowMs: number): Uint8Array[] {
    const records: NetflowV5Record[] = [];
    for (const f of flows) {
      if (f.family !== 4) {
        this.skippedFlows++;
        continue;
      }
      const icmp = f.protocol === 1;
      records.push({
        srcAddr: f.srcAddr,
        dstAddr: f.dstAddr,
        nextHop: '0.0.0.0',
        input: f.inputInterface,
        output: f.outputInterface,
        packets: f.packets,
        octets: f.bytes,
        firstUptimeMs: Math.max(0, Math.round(f.firstMs - this.o.bootMs)),
        lastUptimeMs: Math.max(0, Math.round(f.lastMs - this.o.bootMs)),
        srcPort: icmp ? 0 : f.srcPort,
        dstPort: icmp ? (((f.icmpType ?? 0) & 0xff) << 8) | ((f.icmpCode ?? 0) & 0xff) : f.dstPort,
        tcpFlags: f.tcpFlags & 0xff,
        protocol: f.protocol,
        tos: (f.dscp & 0x3f) << 2,
        srcAs: 0,
        dstAs: 0,
        srcMask: 0,
        dstMask: 0,
      });
    }
    const out: Uint8Array[] = [];
    const nowRounded = Math.round(nowMs);
    for (let i = 0; i < records.length; i += NETFLOW_V5_MAX_RECORDS) {
      const chunk = records.slice(i, i + NETFLOW_V5_MAX_RECORDS);
      out.push(
        encodeNetflowV5(
          {
            sysUptimeMs: Math.max(0, nowRounded - this.o.bootMs),
            unixSecs: Math.floor(nowRounded / 1000),
            unixNsecs: (nowRounded % 1000) * 1_000_000,
            flowSequence: this.flowSequence,
            engineType: 0,
            engineId: this.o.engineId & 0xff,
            samplingMode: this.o.sampleRate > 1 ? 1 : 0,
            samplingInterval: this.o.sampleRate > 1 ? Math.min(0x3fff, this.o.sampleRate) : 0,
          },
          chunk,
        ),
      );
      this.flowSequence = (this.flowSequence + chunk.length) >>> 0;
    }
    return out;
  }
}
