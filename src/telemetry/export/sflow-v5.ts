// sFlow version 5 export (sflow.org sflow_version_5.txt): datagram header, compact flow samples
// (format 1) carrying a raw packet header record (format 1, header_protocol 1 = Ethernet) and
// counter samples (format 2) carrying generic interface counters (format 1). XDR: big-endian
// 32-bit words, opaque data padded to 4 bytes. SflowExporter plays an agent: sequence numbers,
// sample pool, datagrams packed up to a size and sent at least once a second. Pure.
import { ByteWriter } from '../../lib/byte-writer.js';
import { parseAddress } from '../../lib/prefix.js';

export const SFLOW_FORMAT = { flowSample: 1, counterSample: 2, rawPacketHeader: 1, genericInterfaceCounters: 1 } as const;
export const SFLOW_HEADER_PROTOCOL_ETHERNET = 1;

export interface SflowRawHeaderSpec {
  readonly kind: 'raw-header';
  readonly headerProtocol: number;
  /** Original frame length including the FCS. */
  readonly frameLength: number;
  /** Bytes removed before the header was taken (the 4-byte FCS). */
  readonly stripped: number;
  readonly header: Uint8Array;
}

export interface SflowFlowSampleSpec {
  readonly kind: 'flow';
  readonly sequence: number;
  readonly sourceIdType: number;
  readonly sourceIdIndex: number;
  readonly samplingRate: number;
  readonly samplePool: number;
  readonly drops: number;
  readonly input: number;
  readonly output: number;
  readonly records: readonly SflowRawHeaderSpec[];
}

export interface SflowInterfaceCountersSpec {
  readonly ifIndex: number;
  readonly ifType: number;
  readonly ifSpeed: number;
  readonly ifDirection: number;
  readonly ifStatus: number;
  readonly ifInOctets: number;
  readonly ifInUcastPkts: number;
  readonly ifInDiscards: number;
  readonly ifInErrors: number;
  readonly ifOutOctets: number;
  readonly ifOutUcastPkts: number;
  readonly ifOutDiscards: number;
  readonly ifOutErrors: number;
}

export interface SflowCounterSampleSpec {
  readonly kind: 'counters';
  readonly sequence: number;
  readonly sourceIdType: number;
  readonly sourceIdIndex: number;
  readonly interfaces: readonly SflowInterfaceCountersSpec[];
}

export interface SflowDatagramSpec {
  readonly agent: string;
  readonly subAgentId: number;
  readonly sequence: number;
  readonly uptimeMs: number;
  readonly samples: ReadonlyArray<SflowFlowSampleSpec | SflowCounterSampleSpec>;
}

const pad = (n: number): number => (4 - (n % 4)) % 4;

function writeFlowSample(w: ByteWriter, s: SflowFlowSampleSpec): void {
  w.u32(s.sequence >>> 0).u32(((s.sourceIdType & 0xff) << 24) | (s.sourceIdIndex & 0xffffff));
  w.u32(s.samplingRate >>> 0).u32(s.samplePool >>> 0).u32(s.drops >>> 0).u32(s.input >>> 0).u32(s.output >>> 0).u32(s.records.length);
  for (const r of s.records) {
    w.u32(SFLOW_FORMAT.rawPacketHeader).u32(16 + r.header.length + pad(r.header.length));
    w.u32(r.headerProtocol).u32(r.frameLength >>> 0).u32(r.stripped >>> 0).u32(r.header.length).bytes(r.header).bytes(new Uint8Array(pad(r.header.length)));
  }
}

function writeCounterSample(w: ByteWriter, s: SflowCounterSampleSpec): void {
  w.u32(s.sequence >>> 0).u32(((s.sourceIdType & 0xff) << 24) | (s.sourceIdIndex & 0xffffff)).u32(s.interfaces.length);
  for (const c of s.interfaces) {
    w.u32(SFLOW_FORMAT.genericInterfaceCounters).u32(88);
    w.u32(c.ifIndex).u32(c.ifType).u64(c.ifSpeed).u32(c.ifDirection).u32(c.ifStatus);
    w.u64(c.ifInOctets).u32(c.ifInUcastPkts >>> 0).u32(0).u32(0).u32(c.ifInDiscards).u32(c.ifInErrors).u32(0);
    w.u64(c.ifOutOctets).u32(c.ifOutUcastPkts >>> 0).u32(0).u32(0).u32(c.ifOutDiscards).u32(c.ifOutErrors).u32(0xffffffff); // promiscuous mode: unknown
  }
}

export function encodeSflowDatagram(d: SflowDatagramSpec): Uint8Array {
  const agent = parseAddress(d.agent);
  if (!agent) throw new Error(`agent address "${d.agent}" is not an IP address`);
  const w = new ByteWriter(1500);
  w.u32(5).u32(agent.length === 4 ? 1 : 2).bytes(agent).u32(d.subAgentId >>> 0).u32(d.sequence >>> 0).u32(d.uptimeMs >>> 0).u32(d.samples.length);
  for (const s of d.samples) {
    w.u32(s.kind === 'flow' ? SFLOW_FORMAT.flowSample : SFLOW_FORMAT.counterSample);
    const lenAt = w.reserve(4);
    const start = w.length;
    if (s.kind === 'flow') writeFlowSample(w, s);
    else writeCounterSample(w, s);
    w.setU32(lenAt, w.length - start);
  }
  return w.finish();
}

/** Encoded size of a flow sample with one raw header record of `headerBytes` (incl. its format/length words). */
export function flowSampleBytes(headerBytes: number): number {
  return 8 + 32 + 8 + 16 + headerBytes + pad(headerBytes);
}

export interface SflowExporterOptions {
  readonly agent: string;
  readonly subAgentId?: number;
  /** Agent boot time, ms since the epoch (datagram uptime origin). */
  readonly bootMs: number;
  /** Bytes of each frame copied into the sample (sFlow's default is 128). */
  readonly headerBytes?: number;
  readonly maxDatagramBytes?: number;
  /** Send a datagram at least this often while samples are pending. */
  readonly maxDelayMs?: number;
  /** Interface the sampled packets arrive on (the sample's data source) and leave by. */
  readonly inputIfIndex?: number;
  readonly outputIfIndex?: number;
  /** Interface counter samples every N ms (0: none). */
  readonly counterIntervalMs?: number;
  readonly ifSpeedBps?: number;
}

export class SflowExporter {
  private sequence = 0;
  private sampleSequence = 0;
  private counterSequence = 0;
  private samplePool = 0;
  private pending: Array<SflowFlowSampleSpec | SflowCounterSampleSpec> = [];
  private pendingBytes = 0;
  private oldestPendingMs = Number.POSITIVE_INFINITY;
  private nextCountersMs = Number.NEGATIVE_INFINITY;
  private inOctets = 0;
  private inPackets = 0;
  private readonly headerBytes: number;
  private readonly maxBytes: number;
  private readonly headerOverhead: number;

  constructor(private readonly o: SflowExporterOptions) {
    this.headerBytes = o.headerBytes ?? 128;
    this.maxBytes = o.maxDatagramBytes ?? 1400;
    this.headerOverhead = 28 + (o.agent.includes(':') ? 12 : 0);
  }

  /** Flow samples waiting for the next datagram. */
  get pendingFlowSamples(): number {
    let n = 0;
    for (const s of this.pending) if (s.kind === 'flow') n++;
    return n;
  }

  private datagram(nowMs: number): Uint8Array {
    const d = encodeSflowDatagram({ agent: this.o.agent, subAgentId: this.o.subAgentId ?? 0, sequence: ++this.sequence, uptimeMs: Math.max(0, Math.round(nowMs - this.o.bootMs)), samples: this.pending });
    this.pending = [];
    this.pendingBytes = 0;
    this.oldestPendingMs = Number.POSITIVE_INFINITY;
    return d;
  }

  private push(sample: SflowFlowSampleSpec | SflowCounterSampleSpec, bytes: number, nowMs: number, out: Uint8Array[]): void {
    if (this.pending.length > 0 && this.headerOverhead + this.pendingBytes + bytes > this.maxBytes) out.push(this.datagram(nowMs));
    this.pending.push(sample);
    this.pendingBytes += bytes;
    this.oldestPendingMs = Math.min(this.oldestPendingMs, nowMs);
  }

  /**
   * One sampled frame (Ethernet, without FCS) that stood for `sampleRate` packets. Returns the
   * datagrams that became due.
   */
  addSample(frame: Uint8Array, sampleRate: number, timestampMs: number): Uint8Array[] {
    const out = this.due(timestampMs);
    this.samplePool += sampleRate;
    this.inPackets += sampleRate;
    this.inOctets += (frame.length + 4) * sampleRate;
    const header = frame.subarray(0, Math.min(frame.length, this.headerBytes));
    const sample: SflowFlowSampleSpec = {
      kind: 'flow',
      sequence: ++this.sampleSequence,
      sourceIdType: 0,
      sourceIdIndex: this.o.inputIfIndex ?? 1,
      samplingRate: sampleRate,
      samplePool: this.samplePool >>> 0,
      drops: 0,
      input: this.o.inputIfIndex ?? 1,
      output: this.o.outputIfIndex ?? 2,
      records: [{ kind: 'raw-header', headerProtocol: SFLOW_HEADER_PROTOCOL_ETHERNET, frameLength: frame.length + 4, stripped: 4, header }],
    };
    this.push(sample, flowSampleBytes(header.length), timestampMs, out);
    return out;
  }

  /** Datagrams due by `nowMs`: pending samples older than maxDelayMs, and counter samples on their interval. */
  due(nowMs: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const interval = this.o.counterIntervalMs ?? 0;
    if (interval > 0 && nowMs >= this.nextCountersMs) {
      if (this.nextCountersMs !== Number.NEGATIVE_INFINITY) {
        const ifIndex = this.o.inputIfIndex ?? 1;
        const counters: SflowCounterSampleSpec = {
          kind: 'counters',
          sequence: ++this.counterSequence,
          sourceIdType: 0,
          sourceIdIndex: ifIndex,
          interfaces: [{ ifIndex, ifType: 6, ifSpeed: this.o.ifSpeedBps ?? 100_000_000_000, ifDirection: 1, ifStatus: 3, ifInOctets: this.inOctets, ifInUcastPkts: this.inPackets >>> 0, ifInDiscards: 0, ifInErrors: 0, ifOutOctets: 0, ifOutUcastPkts: 0, ifOutDiscards: 0, ifOutErrors: 0 }],
        };
        this.push(counters, 8 + 12 + 8 + 88, nowMs, out);
      }
      this.nextCountersMs = (this.nextCountersMs === Number.NEGATIVE_INFINITY ? nowMs : this.nextCountersMs) + interval;
    }
    if (this.pending.length > 0 && nowMs - this.oldestPendingMs >= (this.o.maxDelayMs ?? 1000)) out.push(this.datagram(nowMs));
    return out;
  }

  flush(nowMs: number): Uint8Array[] {
    return this.pending.length > 0 ? [this.datagram(nowMs)] : [];
  }
}
