// In-process decode rate per format on one core: the seeded `mixed` scenario exported as sFlow v5,
// NetFlow v5, NetFlow v9 and IPFIX (templates refreshed as an exporter would), decoded by the
// collector's entry point with one template cache, then aggregated per destination / protocol /
// source port (what a detector keys on). Medians of several runs after a warm-up.
// Run: npx tsx benchmarks/telemetry-decode.ts [datagrams per format = 20000] [runs = 7]
import { type FlowDatagramFormat, decodeFlowDatagram, TemplateCache } from '../src/telemetry/index.js';
import { EXPORT_FORMATS } from '../src/telemetry/export/index.js';
import { buildStream, median } from './support/telemetry-streams.js';

const datagrams = Number(process.argv[2] ?? 20_000);
const runs = Number(process.argv[3] ?? 7);

interface Row {
  format: string;
  datagrams: number;
  records: number;
  decodeRecordsPerSec: number;
  aggregateRecordsPerSec: number;
  mbPerSec: number;
}

function decodeAll(format: FlowDatagramFormat, stream: ReturnType<typeof buildStream>, aggregate: boolean): { ms: number; records: number } {
  const templates = new TemplateCache();
  const agg = new Map<string, { packets: number; bytes: number }>();
  let records = 0;
  const t = performance.now();
  for (const b of stream.batches) {
    for (const d of b.datagrams) {
      const r = decodeFlowDatagram(format, d, { exporter: b.exporter, receivedMs: b.timestampMs, templates });
      records += r.records.length;
      if (!aggregate) continue;
      for (const f of r.records) {
        const key = `${f.dstAddr}|${f.protocol}|${f.srcPort}`;
        const a = agg.get(key);
        if (a) {
          a.packets += f.estimatedPackets;
          a.bytes += f.estimatedBytes;
        } else agg.set(key, { packets: f.estimatedPackets, bytes: f.estimatedBytes });
      }
    }
  }
  return { ms: performance.now() - t, records };
}

const rows: Row[] = [];
for (const format of EXPORT_FORMATS) {
  const stream = buildStream(format, datagrams);
  decodeAll(format, stream, true); // warm-up
  const decodeMs: number[] = [];
  const aggregateMs: number[] = [];
  let records = 0;
  for (let i = 0; i < runs; i++) {
    const a = decodeAll(format, stream, false);
    const b = decodeAll(format, stream, true);
    if (a.records !== stream.records || b.records !== stream.records) throw new Error(`${format}: decoded ${a.records}/${b.records} records, the stream carries ${stream.records}`);
    decodeMs.push(a.ms);
    aggregateMs.push(b.ms);
    records = a.records;
  }
  rows.push({
    format,
    datagrams: stream.datagrams,
    records,
    decodeRecordsPerSec: records / (median(decodeMs) / 1000),
    aggregateRecordsPerSec: records / (median(aggregateMs) / 1000),
    mbPerSec: stream.bytes / 1e6 / (median(decodeMs) / 1000),
  });
}

const base = rows.find((r) => r.format === 'netflow5')!;
console.log(`Decode on one core (node ${process.version}), medians of ${runs} runs; stream: seeded "mixed" scenario, 1:1000 sampled, ${datagrams} datagrams per format`);
console.log('format     datagrams  records   decode rec/s   decode+aggregate rec/s   MB/s   vs netflow5');
for (const r of rows) {
  console.log(
    `${r.format.padEnd(11)}${String(r.datagrams).padEnd(11)}${String(r.records).padEnd(10)}${Math.round(r.decodeRecordsPerSec).toLocaleString('en-US').padStart(12)}   ${Math.round(r.aggregateRecordsPerSec).toLocaleString('en-US').padStart(22)}   ${r.mbPerSec.toFixed(1).padStart(5)}   ${(r.decodeRecordsPerSec / base.decodeRecordsPerSec).toFixed(2)}x`,
  );
}
