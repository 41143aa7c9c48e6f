// A flow meter like a router's flow cache: wire packets in, flows out when they end (TCP FIN or
// RST), go idle (inactive timeout) or have lasted too long (active timeout). Flows are keyed by
// exporter (PoP), addresses, protocol, ports (ICMP type/code), DSCP and fragment position (non-first
// fragments carry no ports). Pure: time comes from the packets and from expire(nowMs).
import { describeWirePacket, ipProtocol } from './packet-builder.js';
import { TCP_FLAG, type WirePacketSpec } from './packet-spec.js';

/** A wire packet as the meter sees it; `sampleRate` is the sampling that selected it. */
export interface MeteredPacket extends WirePacketSpec {
  readonly timestampMs: number;
  readonly pop: string;
  readonly label: string;
  readonly sampleRate: number;
}

/** One exported flow: what NetFlow v5/v9 and IPFIX records carry, plus ground truth. */
export interface ExportFlow {
  readonly pop: string;
  /** Ground-truth label of the flow's first packet (labels do not travel on the wire). */
  readonly label: string;
  readonly family: 4 | 6;
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly protocol: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** OR of the TCP flags of its packets. */
  readonly tcpFlags: number;
  readonly dscp: number;
  readonly minTtl: number;
  readonly maxTtl: number;
  readonly flowLabel?: number;
  /** RFC 8955 fragment bits of the first packet (0x01 DF, 0x02 IsF, 0x04 FF, 0x08 LF). */
  readonly fragmentFlags: number;
  /** Fragment offset in bytes of the first packet (0 unless a non-first fragment). */
  readonly fragmentOffsetBytes: number;
  /** Sampled packets and their IP bytes. */
  readonly packets: number;
  readonly bytes: number;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly inputInterface: number;
  readonly outputInterface: number;
  readonly sampleRate: number;
}

export interface FlowMeterOptions {
  readonly activeTimeoutMs?: number;
  readonly inactiveTimeoutMs?: number;
  /** Flow cache size; when full the oldest flow is exported early. */
  readonly maxFlows?: number;
  /** ifIndex the packets arrive on / leave by. */
  readonly inputInterface?: number;
  readonly outputInterface?: number;
}

interface Entry {
  flow: { -readonly [K in keyof ExportFlow]: ExportFlow[K] };
  ended: boolean;
}

function keyOf(p: MeteredPacket): { key: string; fields: Pick<ExportFlow, 'family' | 'srcAddr' | 'dstAddr' | 'protocol' | 'srcPort' | 'dstPort' | 'icmpType' | 'icmpCode' | 'dscp'>; flags: number; info: ReturnType<typeof describeWirePacket> } {
  const d = p.datagram;
  const info = describeWirePacket(p);
  const protocol = ipProtocol(d);
  const t = d.transport;
  let srcPort = 0;
  let dstPort = 0;
  let icmp: { icmpType: number; icmpCode: number } | undefined;
  let flags = 0;
  if (info.hasTransportHeader) {
    if (t.kind === 'tcp' || t.kind === 'udp') {
      srcPort = t.srcPort;
      dstPort = t.dstPort;
      if (t.kind === 'tcp') flags = t.flags;
    } else if (t.kind === 'icmp') {
      icmp = { icmpType: t.type, icmpCode: t.code };
    }
  }
  const nonFirst = info.offsetBytes !== 0 ? 1 : 0;
  const key = `${p.pop}|${d.srcAddr}|${d.dstAddr}|${protocol}|${srcPort}|${dstPort}|${icmp ? `${icmp.icmpType}/${icmp.icmpCode}` : ''}|${d.dscp}|${nonFirst}`;
  return { key, fields: { family: d.family, srcAddr: d.srcAddr, dstAddr: d.dstAddr, protocol, srcPort, dstPort, ...icmp, dscp: d.dscp }, flags, info };
}

export class FlowMeter {
  private readonly flows = new Map<string, Entry>();
  private readonly activeMs: number;
  private readonly inactiveMs: number;
  private readonly maxFlows: number;
  private readonly evicted: ExportFlow[] = [];

  constructor(private readonly o: FlowMeterOptions = {}) {
    this.activeMs = o.activeTimeoutMs ?? 60_000;
    this.inactiveMs = o.inactiveTimeoutMs ?? 15_000;
    this.maxFlows = o.maxFlows ?? 65_536;
  }

  get size(): number {
    return this.flows.size;
  }

  add(p: MeteredPacket): void {
    const { key, fields, flags, info } = keyOf(p);
    const d = p.datagram;
    let e = this.flows.get(key);
    if (e && (e.ended || p.timestampMs - e.flow.firstMs >= this.activeMs || p.timestampMs - e.flow.lastMs >= this.inactiveMs)) {
      this.evicted.push(e.flow);
      this.flows.delete(key);
      e = undefined;
    }
    if (!e) {
      if (this.flows.size >= this.maxFlows) {
        const oldest = this.flows.keys().next().value;
        if (oldest !== undefined) {
          this.evicted.push(this.flows.get(oldest)!.flow);
          this.flows.delete(oldest);
        }
      }
      e = {
        flow: {
          pop: p.pop,
          label: p.label,
          ...fields,
          tcpFlags: 0,
          minTtl: d.ttl,
          maxTtl: d.ttl,
          ...(d.family === 6 ? { flowLabel: d.flowLabel ?? 0 } : {}),
          fragmentFlags: info.fragmentFlags,
          fragmentOffsetBytes: info.offsetBytes,
          packets: 0,
          bytes: 0,
          firstMs: p.timestampMs,
          lastMs: p.timestampMs,
          inputInterface: this.o.inputInterface ?? 1,
          outputInterface: this.o.outputInterface ?? 2,
          sampleRate: p.sampleRate,
        },
        ended: false,
      };
      this.flows.set(key, e);
    }
    const f = e.flow;
    f.packets += 1;
    f.bytes += info.ipLengthBytes;
    f.tcpFlags |= flags;
    f.minTtl = Math.min(f.minTtl, d.ttl);
    f.maxTtl = Math.max(f.maxTtl, d.ttl);
    f.lastMs = Math.max(f.lastMs, p.timestampMs);
    if (flags & (TCP_FLAG.FIN | TCP_FLAG.RST)) e.ended = true;
  }

  /** Flows due at `nowMs` (ended, idle, or past the active timeout), in start order. */
  expire(nowMs: number): ExportFlow[] {
    const out = this.evicted.splice(0, this.evicted.length);
    for (const [key, e] of this.flows) {
      if (e.ended || nowMs - e.flow.lastMs >= this.inactiveMs || nowMs - e.flow.firstMs >= this.activeMs) {
        out.push(e.flow);
        this.flows.delete(key);
      }
    }
    return out.sort((a, b) => a.firstMs - b.firstMs);
  }

  /** Every flow still in the cache (end of stream). */
  flush(): ExportFlow[] {
    const out = this.evicted.splice(0, this.evicted.length);
    for (const e of this.flows.values()) out.push(e.flow);
    this.flows.clear();
    return out.sort((a, b) => a.firstMs - b.firstMs);
  }
}
