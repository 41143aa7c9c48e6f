// Encoder -> decoder round trip for every export format: the synthetic exporters' datagrams,
// decoded by the collector's decoders, give back exactly the flows (or samples) that were sent,
// field by field. Unsampled and 1:N sampled streams, IPv4 and IPv6, fragments, ICMP.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lib/random.js';
import { decodeFlowDatagram } from '../decode-datagram.js';
import type { FlowRecord } from '../flow-record.js';
import { generatePackets } from '../synth/packet-synth.js';
import { defaultTrafficPlan } from '../synth/traffic-plan.js';
import { TemplateCache } from '../template-cache.js';
import { type ExportFormat, exportStream } from './export-stream.js';
import type { ExportFlow, MeteredPacket } from './flow-meter.js';
import { describeWirePacket, ipProtocol } from './packet-builder.js';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

function roundTrip(format: ExportFormat, sampleRate: number, seed: number) {
  const plan = defaultTrafficPlan('mixed', {
    durationMs: 6_000,
    backgroundPps: 300 * sampleRate,
    attackPps: 1_500 * sampleRate,
    sampleRate,
    attackStartOffsetMs: 1_000,
    attackEndOffsetMs: 5_000,
    destinations: ['173.245.53.10', '173.245.49.7', '2606:4700::10'],
  });
  const templates = new TemplateCache();
  const flows: ExportFlow[] = [];
  const samples: MeteredPacket[] = [];
  const records: FlowRecord[] = [];
  const errors: string[] = [];
  const exporters: Array<[string, FlowRecord[]]> = [];
  for (const b of exportStream(generatePackets(plan, seededRandom(seed), T0), { format, bootMs: T0 - 3_600_000, pops: plan.background.pops, sampleRate })) {
    flows.push(...b.flows);
    samples.push(...b.samples);
    for (const d of b.datagrams) {
      const r = decodeFlowDatagram(format, d, { exporter: b.exporter, receivedMs: b.timestampMs, templates });
      records.push(...r.records);
      exporters.push([b.exporter, r.records]);
      errors.push(...r.errors.map((e) => e.code));
    }
  }
  return { plan, flows, samples, records, errors, exporters };
}

const flowView = (f: ExportFlow, format: ExportFormat) => ({
  family: f.family,
  srcAddr: f.srcAddr,
  dstAddr: f.dstAddr,
  protocol: f.protocol,
  srcPort: f.srcPort,
  dstPort: f.dstPort,
  tcpFlags: f.tcpFlags,
  sampledPackets: f.packets,
  sampledBytes: f.bytes,
  sampleRate: f.sampleRate,
  estimatedPackets: f.packets * f.sampleRate,
  inputInterface: f.inputInterface,
  outputInterface: f.outputInterface,
  ...(format === 'netflow5' ? {} : { ttl: f.minTtl, fragmentFlags: f.fragmentFlags }),
  ...(f.protocol === 1 || f.protocol === 58 ? { icmpType: f.icmpType, icmpCode: f.icmpCode } : {}),
});

const recordView = (r: FlowRecord, format: ExportFormat) => ({
  family: r.family,
  srcAddr: r.srcAddr,
  dstAddr: r.dstAddr,
  protocol: r.protocol,
  srcPort: r.srcPort,
  dstPort: r.dstPort,
  tcpFlags: r.tcpFlags,
  sampledPackets: r.sampledPackets,
  sampledBytes: r.sampledBytes,
  sampleRate: r.sampleRate,
  estimatedPackets: r.estimatedPackets,
  inputInterface: r.inputInterface,
  outputInterface: r.outputInterface,
  ...(format === 'netflow5' ? {} : { ttl: r.ttl, fragmentFlags: r.fragmentFlags }),
  ...(r.protocol === 1 || r.protocol === 58 ? { icmpType: r.icmpType, icmpCode: r.icmpCode } : {}),
});

describe('export -> decode round trip', () => {
  for (const format of ['netflow5', 'netflow9', 'ipfix'] as const) {
    for (const sampleRate of [1, 100]) {
      it(`${format} 1:${sampleRate}: every flow comes back with its fields`, () => {
        const { flows, records, errors, exporters } = roundTrip(format, sampleRate, 21);
        expect(errors).toEqual([]);
        expect(flows.length).toBeGreaterThan(500);
        expect(records.map((r) => recordView(r, format))).toEqual(flows.map((f) => flowView(f, format)));
        // the flow formats' time: the end of the flow (v9 exports whole seconds, so within 1 s)
        records.forEach((r, i) => expect(Math.abs(r.timestampMs - flows[i]!.lastMs)).toBeLessThan(1_000));
        for (const [exporter, rs] of exporters) for (const r of rs) expect(r.exporter).toBe(exporter);
        expect(records.some((r) => r.fragmentFlags & 0x02)).toBe(format !== 'netflow5');
        if (format !== 'netflow5') expect(records.some((r) => r.family === 6)).toBe(true);
        expect(records.some((r) => r.protocol === 1 && r.icmpType === 8)).toBe(true);
      });
    }
  }

  for (const sampleRate of [1, 1000]) {
    it(`sflow 1:${sampleRate}: every sampled packet comes back as a record`, () => {
      const { samples, records, errors } = roundTrip('sflow', sampleRate, 22);
      expect(errors).toEqual([]);
      expect(samples.length).toBeGreaterThan(3_000);
      const want = samples.map((p) => {
        const info = describeWirePacket(p);
        const t = p.datagram.transport;
        const ports = info.hasTransportHeader && t.kind !== 'icmp';
        return {
          srcAddr: p.datagram.srcAddr,
          dstAddr: p.datagram.dstAddr,
          protocol: ipProtocol(p.datagram),
          srcPort: ports ? t.srcPort : 0,
          dstPort: ports ? t.dstPort : 0,
          tcpFlags: info.hasTransportHeader && t.kind === 'tcp' ? t.flags : 0,
          ttl: p.datagram.ttl,
          fragmentFlags: info.fragmentFlags,
          packetLengthBytes: info.ipLengthBytes,
          sampledBytes: info.frameLengthBytes + 4,
          sampleRate,
          estimatedPackets: sampleRate,
        };
      });
      expect(records.map((r) => ({ srcAddr: r.srcAddr, dstAddr: r.dstAddr, protocol: r.protocol, srcPort: r.srcPort, dstPort: r.dstPort, tcpFlags: r.tcpFlags, ttl: r.ttl, fragmentFlags: r.fragmentFlags, packetLengthBytes: r.packetLengthBytes, sampledBytes: r.sampledBytes, sampleRate: r.sampleRate, estimatedPackets: r.estimatedPackets }))).toEqual(want);
    });
  }

  it('a collector that starts late misses data until the templates are resent, then decodes', () => {
    const plan = defaultTrafficPlan('dns-amplification', { durationMs: 8_000, backgroundPps: 200, attackPps: 500 });
    const batches = [...exportStream(generatePackets(plan, seededRandom(3), T0), { format: 'ipfix', bootMs: T0, pops: ['ams1'], sampleRate: 1, templateRefreshMs: 4_000, templateRefreshPackets: 1_000 })];
    const late = batches.filter((b) => b.timestampMs - T0 >= 1_500);
    const templates = new TemplateCache({ maxPendingSets: 0 });
    const codes: string[] = [];
    let decoded = 0;
    for (const b of late) {
      for (const d of b.datagrams) {
        const r = decodeFlowDatagram('ipfix', d, { exporter: b.exporter, receivedMs: b.timestampMs, templates });
        codes.push(...r.errors.map((e) => e.code));
        decoded += r.records.length;
      }
    }
    expect(codes.filter((c) => c === 'template_miss').length).toBeGreaterThan(0);
    expect(new Set(codes)).toEqual(new Set(['template_miss']));
    expect(decoded).toBeGreaterThan(0);
    expect(decoded).toBeLessThan(late.flatMap((b) => b.flows).length);
  });
});
