// The UDP collector on loopback. A seeded scenario is exported as sFlow, NetFlow v5, NetFlow v9
// and IPFIX by one exporter per PoP (each from its own 127.0.1.x address), sent over UDP, and
// the collector's FlowRecords must be exactly what was sent (labels do not travel on the wire:
// 5-tuples, lengths and counts are compared). Also: bad datagrams are counted by code and the
// good ones kept, a late start counts template misses, a full queue drops and counts.
import { createSocket } from 'node:dgram';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import { type ExportBatch, type ExportFormat, describeWirePacket, encodeSflowDatagram, exportStream, ipProtocol } from '../../src/telemetry/export/index.js';
import { type CollectorFormat, type FlowRecord, UdpCollector } from '../../src/telemetry/index.js';
import { ExporterSender } from '../../src/telemetry/io/exporter-sender.js';
import { defaultTrafficPlan, generatePackets } from '../../src/telemetry/synth/index.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LISTENER: Record<ExportFormat, CollectorFormat> = { sflow: 'sflow', netflow5: 'netflow', netflow9: 'netflow', ipfix: 'ipfix' };

function batches(format: ExportFormat, seed: number, sampleRate: number): ExportBatch[] {
  const plan = defaultTrafficPlan('mixed', { durationMs: 8_000, backgroundPps: 400 * sampleRate, attackPps: 1_600 * sampleRate, sampleRate, attackStartOffsetMs: 1_000, attackEndOffsetMs: 7_000, destinations: ['173.245.53.10', '173.245.49.7', '2606:4700::10'] });
  return [...exportStream(generatePackets(plan, seededRandom(seed), T0), { format, bootMs: T0 - 3_600_000, pops: plan.background.pops, sampleRate })];
}

async function collect(format: ExportFormat, sent: ExportBatch[], o: { queueCapacity?: number } = {}): Promise<{ records: FlowRecord[]; c: UdpCollector; registry: Registry }> {
  const registry = new Registry();
  const records: FlowRecord[] = [];
  const c = new UdpCollector({ listeners: [{ format: LISTENER[format], host: '127.0.0.1', port: 0 }], registry, nowMs: () => Date.now(), onRecords: (r) => records.push(...r), ...o });
  await c.start();
  const sender = new ExporterSender({ host: '127.0.0.1', port: c.ports.get(LISTENER[format])!, pace: 4_000 });
  try {
    const total = sent.reduce((n, b) => n + b.datagrams.length, 0);
    const stats = await sender.send(sent);
    expect(stats.datagrams).toBe(total);
    for (let i = 0; i < 200 && c.stats.datagrams + 0 < total; i++) await sleep(10);
    await sleep(50);
  } finally {
    await sender.close();
    await c.stop();
  }
  return { records, c, registry };
}

const tuple = (r: { srcAddr: string; dstAddr: string; protocol: number; srcPort: number; dstPort: number }): string => `${r.srcAddr}|${r.dstAddr}|${r.protocol}|${r.srcPort}|${r.dstPort}`;
const sorted = (xs: string[]): string[] => [...xs].sort();

describe('UdpCollector on loopback: what was sent is what is collected', () => {
  for (const format of ['netflow5', 'netflow9', 'ipfix'] as const) {
    it(`${format}: flows with 5-tuples, packets and bytes, per exporter`, async () => {
      const sent = batches(format, 31, 10);
      const flows = sent.flatMap((b) => b.flows);
      expect(flows.length).toBeGreaterThan(1_000);
      const { records, c, registry } = await collect(format, sent);
      expect(c.stats).toMatchObject({ queueDrops: 0, decodeErrors: 0, templateMisses: 0 });
      expect(records.length).toBe(flows.length);
      expect(sorted(records.map((r) => `${tuple(r)}|${r.sampledPackets}|${r.sampledBytes}|${r.sampleRate}|${r.exporter}`))).toEqual(
        sorted(flows.map((f) => `${tuple(f)}|${f.packets}|${f.bytes}|10|${sent.find((b) => b.flows.includes(f))!.exporter}`)),
      );
      expect(records.every((r) => r.source === format)).toBe(true);
      const text = await registry.metrics();
      for (const b of new Set(sent.map((x) => x.exporter))) {
        const n = sent.filter((x) => x.exporter === b).reduce((k, x) => k + x.datagrams.length, 0);
        expect(text).toContain(`failsmall_collector_datagrams_total{format="${format}",exporter="${b}"} ${n}`);
      }
    });
  }

  it('sflow: every sampled packet header becomes a record with its lengths and the agent address', async () => {
    const sent = batches('sflow', 32, 1_000);
    const samples = sent.flatMap((b) => b.samples);
    expect(samples.length).toBeGreaterThan(1_500);
    const { records, c } = await collect('sflow', sent);
    expect(c.stats).toMatchObject({ queueDrops: 0, decodeErrors: 0 });
    expect(records.length).toBe(samples.length);
    const want = samples.map((p) => {
      const info = describeWirePacket(p);
      const t = p.datagram.transport;
      const ports = info.hasTransportHeader && t.kind !== 'icmp' ? [t.srcPort, t.dstPort] : [0, 0];
      return `${p.datagram.srcAddr}|${p.datagram.dstAddr}|${ipProtocol(p.datagram)}|${ports[0]}|${ports[1]}|${info.ipLengthBytes}|${info.frameLengthBytes + 4}|1000`;
    });
    expect(sorted(records.map((r) => `${tuple(r)}|${r.packetLengthBytes}|${r.sampledBytes}|${r.sampleRate}`))).toEqual(sorted(want));
    expect(new Set(records.map((r) => r.exporter))).toEqual(new Set(sent.map((b) => b.exporter)));
  });

  it('a collector that joins late counts template misses until the templates come round again', async () => {
    const sent = batches('ipfix', 33, 10).filter((b) => b.timestampMs - T0 >= 1_500);
    const { c, registry } = await collect('ipfix', sent);
    expect(c.stats.templateMisses).toBeGreaterThan(0);
    expect(c.stats.records).toBeGreaterThan(0);
    expect(await registry.metrics()).toMatch(/failsmall_collector_template_misses_total\{format="ipfix",exporter="127\.0\.1\.\d"\} \d+/);
  });
});

async function sendRaw(port: number, datagrams: Uint8Array[]): Promise<void> {
  const s = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((r) => s.send(d, port, '127.0.0.1', () => r()));
  s.close();
}

const sflowDatagram = (seq: number): Uint8Array =>
  encodeSflowDatagram({
    agent: '192.0.2.250',
    subAgentId: 0,
    sequence: seq,
    uptimeMs: seq * 1000,
    samples: [{ kind: 'flow', sequence: seq, sourceIdType: 0, sourceIdIndex: 1, samplingRate: 1000, samplePool: 0, drops: 0, input: 1, output: 2, records: [{ kind: 'raw-header', headerProtocol: 1, frameLength: 72, stripped: 4, header: Uint8Array.from(Buffer.from('020000000001020000000002080045280028123400003711000' + '0c6336407adf5350a00359c4000140000' + '61'.repeat(12), 'hex')) }] }],
  });

describe('UdpCollector: bad input and overload', () => {
  it('counts bad datagrams by code per exporter and keeps the good ones', async () => {
    const registry = new Registry();
    const records: FlowRecord[] = [];
    const c = new UdpCollector({ listeners: [{ format: 'sflow', host: '127.0.0.1', port: 0 }, { format: 'netflow', host: '127.0.0.1', port: 0 }], registry, nowMs: () => 1_000, onRecords: (r) => records.push(...r) });
    await c.start();
    try {
      await sendRaw(c.ports.get('sflow')!, [sflowDatagram(1), Uint8Array.of(0, 0, 0, 4) /* sFlow version 4 */, sflowDatagram(2)]);
      await sendRaw(c.ports.get('netflow')!, [Uint8Array.of(0, 5, 0, 1, 0, 0), Uint8Array.of(0, 7, 0, 0)]);
      for (let i = 0; i < 100 && c.stats.datagrams < 5; i++) await sleep(10);
    } finally {
      await c.stop();
    }
    expect(records.map((r) => [r.source, r.exporter, r.srcPort, r.sampleRate])).toEqual([
      ['sflow', '192.0.2.250', 53, 1000],
      ['sflow', '192.0.2.250', 53, 1000],
    ]);
    const text = await registry.metrics();
    expect(text).toMatch(/failsmall_collector_datagrams_total\{format="sflow",exporter="127.0.0.1"\} 3/);
    expect(text).toMatch(/failsmall_collector_decode_errors_total\{format="sflow",exporter="127.0.0.1",code="sflow_bad_version"\} 1/);
    expect(text).toMatch(/failsmall_collector_decode_errors_total\{format="netflow5",exporter="127.0.0.1",code="truncated"\} 1/);
    expect(text).toMatch(/failsmall_collector_decode_errors_total\{format="netflow9",exporter="127.0.0.1",code="netflow_bad_version"\} 1/);
    expect(c.stats).toMatchObject({ datagrams: 5, records: 2, decodeErrors: 3 });
  });

  it('drops and counts datagrams beyond the queue capacity', async () => {
    const registry = new Registry();
    const c = new UdpCollector({ listeners: [{ format: 'sflow', host: '127.0.0.1', port: 0 }], registry, queueCapacity: 0, nowMs: () => 0, onRecords: () => {} });
    await c.start();
    try {
      await sendRaw(c.ports.get('sflow')!, [sflowDatagram(1), sflowDatagram(2)]);
      for (let i = 0; i < 100 && c.stats.queueDrops < 2; i++) await sleep(10);
    } finally {
      await c.stop();
    }
    expect(c.stats.queueDrops).toBe(2);
    expect(await registry.metrics()).toMatch(/failsmall_collector_queue_drops_total\{format="sflow",exporter="127.0.0.1"\} 2/);
  });

  it('bounds exporter labels: beyond the limit exporters share "other"', async () => {
    const registry = new Registry();
    const c = new UdpCollector({ listeners: [{ format: 'sflow', host: '127.0.0.1', port: 0 }], registry, maxExporters: 1, nowMs: () => 0, onRecords: () => {} });
    await c.start();
    const port = c.ports.get('sflow')!;
    try {
      for (const from of ['127.0.2.1', '127.0.2.2', '127.0.2.3']) {
        const s = createSocket('udp4');
        await new Promise<void>((r) => s.bind(0, from, () => r()));
        await new Promise<void>((r) => s.send(sflowDatagram(1), port, '127.0.0.1', () => r()));
        s.close();
      }
      for (let i = 0; i < 100 && c.stats.datagrams < 3; i++) await sleep(10);
    } finally {
      await c.stop();
    }
    const text = await registry.metrics();
    expect(text).toMatch(/failsmall_collector_datagrams_total\{format="sflow",exporter="127\.0\.2\.1"\} 1/);
    expect(text).toMatch(/failsmall_collector_datagrams_total\{format="sflow",exporter="other"\} 2/);
  });
});
