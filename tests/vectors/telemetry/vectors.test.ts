// One shared check over every telemetry vector (sFlow, NetFlow v5/v9, IPFIX):
//  captured/     real softflowd and pmacctd (sfprobe/nfprobe) exports and hand-built datagrams:
//                decode = golden JSON, and the decoded records agree with tshark's dissection
//                stored beside them.
//  bad/          malformed datagrams: the expected codes at the expected offsets, the good
//                records kept, never a throw.
//  regressions/  inputs that once broke a decoder (fuzz finds): no decoder_bug.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DatagramDecodeResult, type FlowDatagramFormat, type FlowRecord, TemplateCache, decodeFlowDatagram } from '../../../src/telemetry/index.js';
import { recordProblem } from './fuzz/mutate.js';
import { type TsharkFlow, decodeVector, expectedFromTshark, readVectors, tsharkEndMs } from './vector-file.js';

const root = dirname(fileURLToPath(import.meta.url));

describe('captured vectors: decode = golden, and agrees with tshark', () => {
  const files = readVectors(join(root, 'captured'));
  it('has softflowd NetFlow v5, v9 and IPFIX captures, pmacctd sFlow, NetFlow v9 and IPFIX captures, and hand-built sFlow', () => {
    const softflowd = ['softflowd-netflow5', 'softflowd-netflow9', 'softflowd-netflow9-sampled', 'softflowd-ipfix', 'softflowd-ipfix-sampled'];
    const pmacct = ['pmacct-sflow', 'pmacct-sflow-sampled', 'pmacct-sflow-counters', 'pmacct-netflow9', 'pmacct-netflow9-sampled', 'pmacct-ipfix', 'pmacct-ipfix-sampled'];
    for (const f of [...softflowd, ...pmacct, 'sflow-mixed-ipv4-agent']) expect(files.map((v) => v.name)).toContain(`${f}.hex`);
  });
  for (const v of files) {
    it(v.name, () => {
      expect(v.headers.source).toBeTruthy();
      const format = v.headers.format as FlowDatagramFormat;
      expect(v.datagrams.length).toBe(Number(v.headers.datagrams));
      const golden = JSON.parse(readFileSync(join(root, 'captured', v.name.replace(/\.hex$/, '.json')), 'utf8')) as { datagrams: DatagramDecodeResult[]; templates: unknown; tshark: unknown };
      const decoded = decodeVector(format, v.datagrams, Number(v.headers['received-ms']));
      expect(decoded.datagrams).toEqual(golden.datagrams);
      expect(decoded.templates).toEqual(golden.templates);
      const results = decoded.datagrams as DatagramDecodeResult[];
      for (const d of results) {
        expect(d.ok).toBe(true);
        expect(d.errors).toEqual([]);
      }
      if (format !== 'sflow') checkFlowsAgainstTshark(v.name, results, golden.tshark as TsharkFlow[][]);
      else if (!Array.isArray(golden.tshark)) checkSflowAgainstTshark(results[0]!, golden.tshark as Record<string, string>, v.datagrams[0]!);
      else {
        // captured exports: tshark's fields for every datagram
        const tshark = golden.tshark as Array<Record<string, string>>;
        expect(tshark.length).toBe(results.length);
        results.forEach((d, i) => checkSflowAgainstTshark(d, tshark[i]!, v.datagrams[i]!));
        checkPmacctSflow(v.name, results);
      }
    });
  }
});

/** Sampling rates the hand-built vectors imply: selector 7 = 1 + 99 space, selector 8 = 50/1, then unknown selectors; sampler 3 = 1-in-1000, a record's own SAMPLING_INTERVAL 64. */
const HANDMADE_RATES: Record<string, number[]> = {
  'ipfix-handmade-features.hex': [100, 50, 1, 1, 1, 1],
  'netflow9-handmade-features.hex': [1000, 1, 64, 1000],
};

function checkFlowsAgainstTshark(name: string, results: DatagramDecodeResult[], tshark: TsharkFlow[][]): void {
  expect(tshark.length).toBe(results.length);
  let compared = 0;
  results.forEach((d, i) => {
    const flows = tshark[i]!;
    // tshark stops at the header's record count; what it shows is a prefix of the datagram
    expect(flows.length).toBeLessThanOrEqual(d.records.length);
    flows.forEach((t, j) => {
      expect(d.records[j], `${name} datagram ${i + 1} flow ${j + 1}`).toMatchObject(expectedFromTshark(t));
      const end = tsharkEndMs(t);
      if (end !== undefined) expect(Math.abs(d.records[j]!.timestampMs - end)).toBeLessThanOrEqual(1);
      compared++;
    });
  });
  const all = results.flatMap((d) => d.records);
  const handmade = HANDMADE_RATES[name];
  if (handmade) {
    // every record is confirmed by tshark; rates come from the options data written by hand
    expect(compared).toBe(all.length);
    expect(all.map((r) => r.sampleRate)).toEqual(handmade);
    for (const r of all) expect(r.estimatedBytes).toBe(r.sampledBytes * r.sampleRate);
    return;
  }
  expect(compared).toBeGreaterThan(10);
  const rate = name.includes('-sampled') ? 10 : 1; // softflowd -s 10: sampling from options data
  for (const r of all) {
    expect(r.sampleRate).toBe(rate);
    expect(r.estimatedPackets).toBe(r.sampledPackets * rate);
    expect(r.estimatedBytes).toBe(r.sampledBytes * rate);
    expect(r.packetLengthBytes).toBe(r.sampledPackets > 0 ? Math.round(r.sampledBytes / r.sampledPackets) : 0);
  }
  if (!name.includes('-sampled')) {
    // the metered traffic (capture.ts trafficFrames): each kind of flow is there
    const key = (r: FlowRecord): string => `${r.srcAddr} ${r.dstAddr} ${r.protocol} ${r.srcPort} ${r.dstPort} ${r.icmpType ?? ''} ${r.sampledPackets}`;
    const keys = all.map(key);
    expect(keys).toContain('198.51.100.7 173.245.53.10 17 53 40000  3');
    expect(keys).toContain('203.0.113.5 173.245.53.10 6 51000 443  2');
    expect(keys).toContain('192.0.2.1 173.245.53.10 1 0 0 8 1');
    if (!name.includes('netflow5')) {
      expect(keys).toContain('2001:db8::1 2400:cb00::10 17 5000 53  2');
      expect(keys).toContain('2001:db8::1 2400:cb00::10 58 0 0 128 1');
    }
    expect(all.filter((r) => r.srcAddr.startsWith('198.18.'))).toHaveLength(40);
  }
}

function checkSflowAgainstTshark(d: DatagramDecodeResult, t: Record<string, string>, bytes: Uint8Array): void {
  const list = (k: string): string[] => (t[k] ? t[k]!.split(',') : []);
  const agent = t['sflow_245.agent'] || t['sflow_245.agent.v6'];
  const flows = d.records;
  const all = [...flows, ...d.counters]; // a datagram may hold counters samples only
  expect(new Set(all.map((r) => r.exporter))).toEqual(new Set([agent]));
  expect(all.every((r) => r.observationDomain === Number(t['sflow_245.sub_agent_id']))).toBe(true);
  expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes[7] === 1 ? 24 : 36)).toBe(Number(t['sflow_245.numsamples']));
  // one record per flow sample, with the sample's rate
  expect(flows.map((r) => r.sampleRate)).toEqual(list('sflow.flow_sample.sampling_rate').map(Number));
  // raw-header records: frame lengths and the dissected inner headers (tshark's first ip.src is the outer UDP carrier)
  const raw = flows.filter((r) => r.ttl !== undefined); // sampled_ipv4/ipv6 records carry no TTL
  expect(raw.map((r) => r.sampledBytes)).toEqual(list('sflow_245.header.frame_length').map(Number));
  const innerSources = [...list('ip.src').slice(1), ...list('ipv6.src')];
  expect(raw.map((r) => r.srcAddr).sort()).toEqual(innerSources.sort());
  const ports = [...list('tcp.srcport'), ...list('udp.srcport').slice(1)].map(Number);
  for (const p of ports) expect(raw.map((r) => r.srcPort)).toContain(p);
  expect(flows.filter((r) => r.vlan !== undefined).map((r) => r.vlan)).toEqual(list('sflow_245.vlan.in').map(Number));
  for (const k of ['sflow_245.ipv4_src', 'sflow_245.ipv6_src']) for (const a of list(k)) expect(flows.map((r) => r.srcAddr)).toContain(a);
  for (const k of ['sflow_245.ipv4_dst', 'sflow_245.ipv6_dst']) for (const a of list(k)) expect(flows.map((r) => r.dstAddr)).toContain(a);
  expect(d.counters.map((c) => c.counters.ifIndex)).toEqual(list('sflow_245.ifindex').map(Number));
  // fragments (RFC 8955 bits): tshark's MF/offset -> FF (0x04) on the first, IsF|LF (0x0a) on the last
  const mf = list('ip.flags.mf').slice(1).map(Number);
  const off = list('ip.frag_offset').slice(1).map(Number);
  const v4raw = raw.filter((r) => r.family === 4);
  v4raw.forEach((r, i) => {
    const expected = (mf[i] && off[i] === 0 ? 0x04 : 0) | (off[i] ? 0x02 : 0) | (!mf[i] && off[i] ? 0x08 : 0);
    expect(r.fragmentFlags & 0x0e).toBe(expected);
  });
  for (const type of list('icmpv6.type')) expect(flows.map((r) => r.icmpType)).toContain(Number(type));
}

/** pmacctd sfprobe captures (capture.ts capturePmacct): the metered traffic, the configured agent, rate and interfaces, software counters. */
function checkPmacctSflow(name: string, results: DatagramDecodeResult[]): void {
  const sampled = name.includes('-sampled');
  const all = results.flatMap((d) => d.records);
  for (const r of all) {
    expect(r.exporter).toBe('192.0.2.250'); // sfprobe_agentip
    expect(r.observationDomain).toBe(7); // sfprobe_agentsubid
    expect(r.sampleRate).toBe(sampled ? 10 : 1);
    expect(r.sampledPackets).toBe(1);
    expect(r.estimatedBytes).toBe(r.sampledBytes * r.sampleRate);
    // sfprobe_direction in with sfprobe_ifindex 5, out with 6; 0x3fffffff: the other side unknown
    expect([r.inputInterface, r.outputInterface]).toEqual(sampled ? [0x3fffffff, 6] : [5, 0x3fffffff]);
  }
  const counters = results.flatMap((d) => d.counters);
  if (name.includes('-counters')) {
    // counted in software for every packet the plugin saw (all sampled here); frame_length
    // includes 4 FCS bytes (stripped 4) that the octet counter does not
    expect(counters).toHaveLength(1);
    expect(counters[0]!.counters).toMatchObject({ ifIndex: 5, ifInUcastPkts: all.length, ifInOctets: all.reduce((n, r) => n + r.sampledBytes - 4, 0), ifOutUcastPkts: 0 });
  } else expect(counters).toEqual([]);
  if (sampled) {
    expect(all.length).toBeGreaterThan(0);
    expect(all.length).toBeLessThan(209); // trafficFrames(200)
    return;
  }
  // every packet of the metered traffic (trafficFrames(40) / trafficFrames(0)), one flow sample each
  const extra = name.includes('-counters') ? 0 : 40;
  expect(all).toHaveLength(9 + extra);
  const key = (r: FlowRecord): string => `${r.srcAddr} ${r.dstAddr} ${r.protocol} ${r.srcPort} ${r.dstPort} ${r.icmpType ?? ''}`;
  const count = (k: string): number => all.filter((r) => key(r) === k).length;
  expect(count('198.51.100.7 173.245.53.10 17 53 40000 ')).toBe(3);
  expect(count('203.0.113.5 173.245.53.10 6 51000 443 ')).toBe(2);
  expect(count('192.0.2.1 173.245.53.10 1 0 0 8')).toBe(1);
  expect(count('2001:db8::1 2400:cb00::10 17 5000 53 ')).toBe(2);
  expect(count('2001:db8::1 2400:cb00::10 58 0 0 128')).toBe(1);
  expect(all.filter((r) => r.srcAddr.startsWith('198.18.'))).toHaveLength(extra);
  const v6udp = all.find((r) => r.protocol === 17 && r.family === 6)!;
  expect([v6udp.dscp, v6udp.flowLabel]).toEqual([0xb8 >> 2, 0x12345]);
  expect(all.find((r) => r.protocol === 6)!.tcpFlags).toBe(0x02);
}

describe('bad vectors: codes at offsets, good records kept', () => {
  const files = readVectors(join(root, 'bad'));
  it('covers every format', () => {
    for (const f of ['sflow', 'netflow5', 'netflow9', 'ipfix']) expect(files.some((v) => v.headers.format === f)).toBe(true);
  });
  for (const v of files) {
    it(`${v.name}: ${v.headers['expect-errors']}`, () => {
      const templates = new TemplateCache();
      const format = v.headers.format as FlowDatagramFormat;
      const results = v.datagrams.map((b) => decodeFlowDatagram(format, b, { exporter: '192.0.2.9', receivedMs: 1_700_000_000_000, templates }));
      const errors = results.flatMap((r) => r.errors.map((e) => `${e.code}@${e.offset}`));
      expect(errors.join(' ')).toBe(v.headers['expect-errors']);
      expect(results.at(-1)!.ok).toBe(v.headers['expect-ok'] === 'true');
      expect(results.reduce((n, r) => n + r.records.length, 0)).toBe(Number(v.headers['expect-records']));
      for (const e of results.flatMap((r) => r.errors)) expect(e.message.length).toBeGreaterThan(0);
    });
  }
});

describe('regression vectors (fuzz finds, edge cases): no decoder_bug, records keep the FlowRecord contract', () => {
  for (const v of readVectors(join(root, 'regressions'))) {
    it(`${v.name}${v.headers.found ? ` (${v.headers.found})` : ''}`, () => {
      const templates = new TemplateCache();
      for (const b of v.datagrams) {
        const r = decodeFlowDatagram(v.headers.format as FlowDatagramFormat, b, { exporter: '192.0.2.9', receivedMs: 0, templates });
        expect(r.errors.map((e) => e.code)).not.toContain('decoder_bug');
        for (const rec of r.records) expect(recordProblem(rec)).toBeUndefined();
      }
    });
  }
});
