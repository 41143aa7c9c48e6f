// Encoders for sFlow v5, NetFlow v5/v9 and IPFIX: annotated byte vectors, and a generated
// stream carried to tshark in a capture whose dissection must list exactly the records sent.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../lib/byte-writer.js';
import { seededRandom } from '../../lib/random.js';
import { generatePackets } from '../synth/packet-synth.js';
import { defaultTrafficPlan } from '../synth/traffic-plan.js';
import { type ExportBatch, type ExportFormat, exportStream } from './export-stream.js';
import type { ExportFlow } from './flow-meter.js';
import { encodeIpfix } from './ipfix.js';
import { encodeNetflowV5 } from './netflow-v5.js';
import { encodeNetflowV9 } from './netflow-v9.js';
import { buildFrames } from './packet-builder.js';
import { writePcap } from './pcap-writer.js';
import { encodeSflowDatagram } from './sflow-v5.js';

const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'failsmall-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const strip = (s: string): string => bytesToHex(hexToBytes(s));

describe('annotated vectors', () => {
  it('NetFlow v5: header and one record', () => {
    const bytes = encodeNetflowV5({ sysUptimeMs: 1000, unixSecs: 0x6b038879, unixNsecs: 0, flowSequence: 7, engineType: 0, engineId: 2, samplingMode: 1, samplingInterval: 1000 }, [
      { srcAddr: '198.51.100.7', dstAddr: '173.245.53.10', nextHop: '0.0.0.0', input: 1, output: 2, packets: 3, octets: 174, firstUptimeMs: 900, lastUptimeMs: 950, srcPort: 53, dstPort: 40000, tcpFlags: 0, protocol: 17, tos: 0x28, srcAs: 0, dstAs: 0, srcMask: 0, dstMask: 0 },
    ]);
    expect(bytesToHex(bytes)).toBe(
      strip(`
        0005 0001 000003e8 6b038879 00000000 00000007   # version, count, uptime, secs, nsecs, flow sequence
        00 02 43e8                                      # engine type 0, id 2, sampling mode 1 (01..) interval 1000
        c6336407 adf5350a 00000000 0001 0002            # src, dst, next hop, input, output
        00000003 000000ae 00000384 000003b6             # packets, octets, first, last
        0035 9c40 00 00 11 28 0000 0000 00 00 0000      # ports, pad, flags, proto, tos, AS, masks, pad
      `),
    );
  });

  it('NetFlow v9: template FlowSet, data FlowSet padded to 32 bits, count of all records', () => {
    const t = { id: 256, fields: [{ type: 8, length: 4 }, { type: 4, length: 1 }] };
    const bytes = encodeNetflowV9({ sysUptimeMs: 5, unixSecs: 6, sequence: 7, sourceId: 8 }, [
      { kind: 'templates', templates: [t] },
      { kind: 'data', template: t, records: [[Uint8Array.of(192, 0, 2, 1), 17]] },
    ]);
    expect(bytesToHex(bytes)).toBe(
      strip(`
        0009 0002 00000005 00000006 00000007 00000008   # version 9, 2 records (1 template + 1 data), uptime, secs, sequence, source id
        0000 0010 0100 0002 0008 0004 0004 0001         # FlowSet 0 (templates), length 16: template 256, 2 fields: (8,4) (4,1)
        0100 000c c0000201 11 000000                    # FlowSet 256, length 12: 192.0.2.1, proto 17, 3 bytes padding
      `),
    );
  });

  it('IPFIX: message length, template set, options template set with scope count, data set', () => {
    const t = { id: 300, fields: [{ type: 7, length: 2 }] };
    const o = { id: 301, scopeFields: [{ type: 149, length: 4 }], fields: [{ type: 305, length: 4 }] };
    const bytes = encodeIpfix({ exportTimeSec: 0x10, sequence: 3, observationDomainId: 9 }, [
      { kind: 'templates', templates: [t] },
      { kind: 'options-templates', templates: [o] },
      { kind: 'data', template: t, records: [[443], [80]] },
    ]);
    expect(bytesToHex(bytes)).toBe(
      strip(`
        000a 0038 00000010 00000003 00000009            # version 10, length 56, export time, sequence, domain
        0002 000c 012c 0001 0007 0002                   # set 2 (templates), 12 bytes: template 300, 1 field (7,2)
        0003 0014 012d 0002 0001 0095 0004 0131 0004 0000  # set 3, 20 bytes: template 301, 2 fields, 1 scope: (149,4) (305,4), padding
        012c 0008 01bb 0050                             # set 300: 443, 80
      `),
    );
  });

  it('sFlow v5: datagram header, compact flow sample, raw header record padded to 4', () => {
    const bytes = encodeSflowDatagram({
      agent: '192.0.2.1',
      subAgentId: 0,
      sequence: 1,
      uptimeMs: 2,
      samples: [{ kind: 'flow', sequence: 3, sourceIdType: 0, sourceIdIndex: 1, samplingRate: 1000, samplePool: 4000, drops: 0, input: 1, output: 2, records: [{ kind: 'raw-header', headerProtocol: 1, frameLength: 64, stripped: 4, header: Uint8Array.of(0xaa, 0xbb, 0xcc) }] }],
    });
    expect(bytesToHex(bytes)).toBe(
      strip(`
        00000005 00000001 c0000201 00000000 00000001 00000002 00000001  # v5, IPv4 agent 192.0.2.1, sub-agent, sequence, uptime, 1 sample
        00000001 0000003c                                  # flow sample, 60 bytes
        00000003 00000001 000003e8 00000fa0 00000000 00000001 00000002 00000001  # seq, source 0:1, rate 1000, pool 4000, drops, in, out, 1 record
        00000001 00000014 00000001 00000040 00000004 00000003 aabbcc00  # raw header, 20 bytes: Ethernet, frame 64, stripped 4, 3 header bytes + pad
      `),
    );
  });
});

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const PORT: Record<ExportFormat, number> = { sflow: 6343, netflow5: 2055, netflow9: 2055, ipfix: 4739 };

function stream(format: ExportFormat): ExportBatch[] {
  const plan = defaultTrafficPlan('mixed', { durationMs: 6_000, backgroundPps: 300, attackPps: 1_500, attackStartOffsetMs: 1_000, attackEndOffsetMs: 5_000, destinations: ['173.245.53.10', '173.245.49.7', '2606:4700::10'] });
  return [...exportStream(generatePackets(plan, seededRandom(4), T0), { format, bootMs: T0 - 3_600_000, pops: plan.background.pops, sampleRate: 1, templateRefreshPackets: 5 })];
}

/** The batches as UDP datagrams from each exporter to 127.0.0.1:port, in a capture tshark reads. */
function dissect(format: ExportFormat, batches: ExportBatch[], fields: string[]): string[][] {
  let id = 0;
  const records = batches.flatMap((b) =>
    b.datagrams.flatMap((data) =>
      buildFrames({ family: 4, srcAddr: b.exporter, dstAddr: '127.0.0.1', ttl: 64, dscp: 0, ipId: ++id, dontFragment: true, transport: { kind: 'udp', srcPort: 50_000, dstPort: PORT[format] }, payload: { kind: 'bytes', data } }, 65_535).map((frame) => ({ timestampMs: b.timestampMs, data: frame })),
    ),
  );
  const file = join(dir, `${format}.pcap`);
  writeFileSync(file, writePcap(records));
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .trim()
    .split('\n')
    .map((l) => l.split('|'));
}

const column = (rows: string[][], i: number): string[] => rows.flatMap((r) => (r[i] ? r[i]!.split(',') : []));
const key = (f: ExportFlow): string => `${f.srcAddr} ${f.dstAddr} ${f.srcPort} ${f.dstPort} ${f.protocol} ${f.packets} ${f.bytes}`;

describe.skipIf(!hasTshark)('tshark dissects the exported stream into exactly the records sent', () => {
  for (const format of ['netflow5', 'netflow9', 'ipfix'] as const) {
    it(format, () => {
      const batches = stream(format);
      const flows = batches.flatMap((b) => b.flows);
      expect(flows.length).toBeGreaterThan(500);
      if (format !== 'netflow5') expect(flows.some((f) => f.family === 6)).toBe(true);
      const rows = dissect(format, batches, ['cflow.srcaddr', 'cflow.srcaddrv6', 'cflow.dstaddr', 'cflow.dstaddrv6', 'cflow.srcport', 'cflow.dstport', 'cflow.protocol', 'cflow.packets', 'cflow.octets']);
      // tshark lists IPv4 and IPv6 addresses in separate fields; records keep their order within each family
      const c = Array.from({ length: 9 }, (_, i) => column(rows, i));
      const seen4 = c[0]!.map((s, i) => `${s} ${c[2]![i]}`);
      const seen6 = c[1]!.map((s, i) => `${s} ${c[3]![i]}`);
      expect(seen4).toEqual(flows.filter((f) => f.family === 4).map((f) => `${f.srcAddr} ${f.dstAddr}`));
      expect(seen6).toEqual(flows.filter((f) => f.family === 6).map((f) => `${f.srcAddr} ${f.dstAddr}`));
      const tail = c[4]!.map((sp, i) => [sp, c[5]![i], c[6]![i], c[7]![i], c[8]![i]].join(' '));
      // ICMP flows: v5 puts type<<8|code in the destination port
      const want = flows.map((f) => [f.srcPort, format === 'netflow5' && f.protocol === 1 ? ((f.icmpType ?? 0) << 8) | (f.icmpCode ?? 0) : f.dstPort, f.protocol, f.packets, f.bytes].join(' '));
      const order = (xs: string[]) => [...xs].sort();
      expect(order(tail)).toEqual(order(want));
      expect(new Set(flows.map(key)).size).toBeGreaterThan(flows.length * 0.95);
    });
  }

  it('sflow', () => {
    const batches = stream('sflow');
    const samples = batches.flatMap((b) => b.samples);
    expect(samples.length).toBeGreaterThan(5_000);
    const rows = dissect('sflow', batches, ['sflow_245.agent', 'sflow_245.numsamples', 'sflow.flow_sample.sampling_rate', 'sflow_245.header.frame_length', 'ip.src', 'ip.dst', 'ipv6.src']);
    expect(rows.map((r) => r[0])).toEqual(batches.flatMap((b) => b.datagrams.map(() => b.exporter)));
    expect(column(rows, 1).reduce((n, x) => n + Number(x), 0)).toBe(samples.length);
    // ip.src lists the UDP carrier first, then each sampled header's source
    const inner = rows.flatMap((r) => r[4]!.split(',').slice(1));
    const inner6 = rows.flatMap((r) => (r[6] ? r[6].split(',') : []));
    expect(inner.length + inner6.length).toBe(samples.length);
    expect(inner).toEqual(samples.filter((s) => s.datagram.family === 4).map((s) => s.datagram.srcAddr));
  });
});
