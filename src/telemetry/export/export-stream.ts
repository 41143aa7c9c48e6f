// Labelled wire packets -> the datagrams one exporter per PoP would send, in time order: sFlow
// samples every packet handed in (each already stands for its sampleRate), the flow formats meter
// packets into flows per PoP and export them as they expire. Pure: the caller paces and sends.
import { FlowMeter, type ExportFlow, type MeteredPacket } from './flow-meter.js';
import { IpfixExporter } from './ipfix.js';
import { NetflowV5Exporter } from './netflow-v5.js';
import { NetflowV9Exporter } from './netflow-v9.js';
import { buildWirePacket } from './packet-builder.js';
import { SflowExporter } from './sflow-v5.js';

export const EXPORT_FORMATS = ['sflow', 'netflow5', 'netflow9', 'ipfix'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What one exporter sends at one moment, with the ground truth it carries. */
export interface ExportBatch {
  readonly timestampMs: number;
  readonly pop: string;
  /** Exporter address (sFlow agent address; the UDP source a sender binds for NetFlow/IPFIX). */
  readonly exporter: string;
  readonly datagrams: readonly Uint8Array[];
  /** Flow formats: the flows these datagrams carry (NetFlow v5 leaves IPv6 flows out). */
  readonly flows: readonly ExportFlow[];
  /** sFlow: the sampled packets these datagrams carry, in order. */
  readonly samples: readonly MeteredPacket[];
}

export interface ExportStreamOptions {
  readonly format: ExportFormat;
  /** Exporter boot time (uptime origin), ms since the epoch. */
  readonly bootMs: number;
  /** PoPs in a fixed order: exporter i serves pops[i]. Packets of other PoPs get exporters after them. */
  readonly pops: readonly string[];
  /** Exporter address of the i-th PoP; default 127.0.1.(i+1) (loopback, so a sender can bind it). */
  readonly exporterAddress?: (pop: string, index: number) => string;
  /** 1-in-N sampling of the packets handed in (announced by the flow formats). */
  readonly sampleRate: number;
  readonly activeTimeoutMs?: number;
  readonly inactiveTimeoutMs?: number;
  /** How often (stream time) the flow caches are swept. */
  readonly sweepMs?: number;
  readonly templateRefreshPackets?: number;
  readonly templateRefreshMs?: number;
  readonly maxDatagramBytes?: number;
  readonly sflowHeaderBytes?: number;
  readonly sflowCounterIntervalMs?: number;
}

interface FlowExporter {
  exportFlows(flows: readonly ExportFlow[], nowMs: number): Uint8Array[];
}

interface PopState {
  readonly pop: string;
  readonly exporter: string;
  readonly meter?: FlowMeter;
  readonly flowExporter?: FlowExporter;
  readonly v5?: NetflowV5Exporter;
  readonly sflow?: SflowExporter;
  readonly pendingSamples: MeteredPacket[];
}

export const defaultExporterAddress = (_pop: string, index: number): string => `127.0.1.${(index % 254) + 1}`;

export function* exportStream(packets: Iterable<MeteredPacket>, o: ExportStreamOptions): Generator<ExportBatch> {
  const states = new Map<string, PopState>();
  const order: PopState[] = [];
  const addressOf = o.exporterAddress ?? defaultExporterAddress;
  const stateOf = (pop: string): PopState => {
    let s = states.get(pop);
    if (s) return s;
    const known = o.pops.indexOf(pop);
    const index = known >= 0 ? known : o.pops.length + order.filter((x) => !o.pops.includes(x.pop)).length;
    const exporter = addressOf(pop, index);
    const common = { domainId: index + 1, bootMs: o.bootMs, sampleRate: o.sampleRate, ...(o.templateRefreshPackets !== undefined ? { templateRefreshPackets: o.templateRefreshPackets } : {}), ...(o.templateRefreshMs !== undefined ? { templateRefreshMs: o.templateRefreshMs } : {}), ...(o.maxDatagramBytes !== undefined ? { maxDatagramBytes: o.maxDatagramBytes } : {}) };
    const meter = o.format === 'sflow' ? undefined : new FlowMeter({ activeTimeoutMs: o.activeTimeoutMs ?? 10_000, inactiveTimeoutMs: o.inactiveTimeoutMs ?? 5_000 });
    const v5 = o.format === 'netflow5' ? new NetflowV5Exporter({ bootMs: o.bootMs, engineId: index + 1, sampleRate: o.sampleRate }) : undefined;
    s = {
      pop,
      exporter,
      ...(meter ? { meter } : {}),
      ...(v5 ? { v5, flowExporter: v5 } : {}),
      ...(o.format === 'netflow9' ? { flowExporter: new NetflowV9Exporter(common) } : {}),
      ...(o.format === 'ipfix' ? { flowExporter: new IpfixExporter(common) } : {}),
      ...(o.format === 'sflow'
        ? { sflow: new SflowExporter({ agent: exporter, subAgentId: 0, bootMs: o.bootMs, ...(o.sflowHeaderBytes !== undefined ? { headerBytes: o.sflowHeaderBytes } : {}), ...(o.maxDatagramBytes !== undefined ? { maxDatagramBytes: o.maxDatagramBytes } : {}), counterIntervalMs: o.sflowCounterIntervalMs ?? 0 }) }
        : {}),
      pendingSamples: [],
    };
    states.set(pop, s);
    order.push(s);
    return s;
  };
  for (const p of o.pops) stateOf(p);

  const sweepMs = o.sweepMs ?? 1_000;
  let nextSweep = Number.NaN;

  function* exportFlows(s: PopState, flows: ExportFlow[], nowMs: number): Generator<ExportBatch> {
    const datagrams = s.flowExporter!.exportFlows(flows, nowMs);
    const sent = o.format === 'netflow5' ? flows.filter((f) => f.family === 4) : flows;
    if (datagrams.length > 0) yield { timestampMs: nowMs, pop: s.pop, exporter: s.exporter, datagrams, flows: sent, samples: [] };
  }

  /** sFlow datagrams carry the oldest pending samples first; hand them out with the datagrams. */
  function sflowBatch(s: PopState, datagrams: Uint8Array[], nowMs: number, flushAll: boolean): ExportBatch | undefined {
    if (datagrams.length === 0) return undefined;
    // Samples still pending inside the exporter stay; everything before them went out.
    const inside = flushAll ? 0 : s.sflow!.pendingFlowSamples;
    const gone = s.pendingSamples.splice(0, s.pendingSamples.length - inside);
    return { timestampMs: nowMs, pop: s.pop, exporter: s.exporter, datagrams, flows: [], samples: gone };
  }

  for (const p of packets) {
    const now = p.timestampMs;
    if (Number.isNaN(nextSweep)) nextSweep = now + sweepMs;
    const s = stateOf(p.pop);
    if (s.sflow) {
      s.pendingSamples.push(p);
      const b = sflowBatch(s, s.sflow.addSample(buildWirePacket(p), p.sampleRate, now), now, false);
      if (b) yield b;
    } else {
      s.meter!.add(p);
    }
    while (now >= nextSweep) {
      for (const x of order) {
        if (x.sflow) {
          const b = sflowBatch(x, x.sflow.due(nextSweep), nextSweep, false);
          if (b) yield b;
        } else {
          const due = x.meter!.expire(nextSweep);
          if (due.length > 0 || o.format !== 'netflow5') yield* exportFlows(x, due, nextSweep);
        }
      }
      nextSweep += sweepMs;
    }
  }
  const end = Number.isNaN(nextSweep) ? o.bootMs : nextSweep;
  for (const x of order) {
    if (x.sflow) {
      const b = sflowBatch(x, x.sflow.flush(end), end, true);
      if (b) yield b;
    } else {
      yield* exportFlows(x, x.meter!.flush(), end);
    }
  }
}
