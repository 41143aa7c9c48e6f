// Deterministic export streams for the telemetry benchmarks: the seeded `mixed` scenario at edge
// rates (400 k pps background, 3 M pps attack, 1:1000 sampling by default), exported by one
// exporter per PoP in each format, cut after whole batches once `minDatagrams` are reached.
import { seededRandom } from '../../src/lib/random.js';
import { type ExportBatch, type ExportFormat, exportStream } from '../../src/telemetry/export/index.js';
import { defaultTrafficPlan, generatePackets } from '../../src/telemetry/synth/index.js';

export interface BenchStream {
  readonly format: ExportFormat;
  readonly batches: ExportBatch[];
  readonly datagrams: number;
  readonly bytes: number;
  /** Flow records (NetFlow/IPFIX) or flow samples (sFlow) the datagrams carry. */
  readonly records: number;
  /** Sampled packets the records account for. */
  readonly packets: number;
}

export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

export function buildStream(format: ExportFormat, minDatagrams: number, o: { seed?: number; sampleRate?: number; startMs?: number } = {}): BenchStream {
  const sampleRate = o.sampleRate ?? 1000;
  const startMs = o.startMs ?? T0;
  const batches: ExportBatch[] = [];
  let datagrams = 0;
  let bytes = 0;
  let records = 0;
  let packets = 0;
  // Long enough for any count asked for: the generator is lazy, the loop stops early.
  const plan = defaultTrafficPlan('mixed', { durationMs: 3_600_000, backgroundPps: 400_000, attackPps: 3_000_000, sampleRate, attackStartOffsetMs: 10_000, attackEndOffsetMs: 3_600_000, destinations: ['173.245.53.10', '173.245.49.7', '173.245.50.20', '2606:4700::10'] });
  for (const b of exportStream(generatePackets(plan, seededRandom(o.seed ?? 1), startMs), { format, bootMs: startMs - 3_600_000, pops: plan.background.pops, sampleRate })) {
    batches.push(b);
    datagrams += b.datagrams.length;
    for (const d of b.datagrams) bytes += d.length;
    records += format === 'sflow' ? b.samples.length : b.flows.length;
    packets += format === 'sflow' ? b.samples.length : b.flows.reduce((n, f) => n + f.packets, 0);
    if (datagrams >= minDatagrams) break;
  }
  return { format, batches, datagrams, bytes, records, packets };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
