// sFlow v5: encoder -> decoder round trip (property), the datagram checked against tshark's
// sFlow dissector (carried on UDP 6343 in a text2pcap capture), bad vectors with codes and
// offsets, and mutation fuzzing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type SflowDatagram, decodeSflowDatagram, encodeSflowDatagram, sflowToFlowRecords } from '../../../src/telemetry/sflow/index.js';
import { FRAMES } from './frames.js';

const header = (i: number): Uint8Array => Uint8Array.from(Buffer.from(FRAMES[i]!.hex, 'hex'));
const datagram: SflowDatagram = {
  agent: '192.0.2.250',
  subAgentId: 3,
  sequence: 4242,
  uptimeMs: 987_654,
  samples: [
    { kind: 'flow', sequence: 17, sourceIdType: 0, sourceIdIndex: 12, samplingRate: 1000, samplePool: 17_000, drops: 0, input: 12, output: 7, records: [{ kind: 'raw-header', headerProtocol: 1, frameLength: 72, stripped: 4, header: header(0) }] },
    { kind: 'flow', sequence: 18, sourceIdType: 0, sourceIdIndex: 12, samplingRate: 1000, samplePool: 18_000, drops: 2, input: 12, output: 7, records: [{ kind: 'raw-header', headerProtocol: 1, frameLength: 86, stripped: 4, header: header(2) }] },
    { kind: 'counters', sequence: 9, sourceIdType: 0, sourceIdIndex: 12, interfaces: [{ ifIndex: 12, ifType: 6, ifSpeed: 100e9, ifDirection: 1, ifStatus: 3, ifInOctets: 2 ** 40 + 5, ifInUcastPkts: 1e9, ifInDiscards: 7, ifInErrors: 1, ifOutOctets: 2 ** 36, ifOutUcastPkts: 5e8, ifOutDiscards: 0, ifOutErrors: 0 }] },
  ],
};

describe('sFlow v5 decoder', () => {
  it('decodes what the encoder wrote, into FlowRecords with sampled and estimated counts apart', () => {
    const r = decodeSflowDatagram(encodeSflowDatagram(datagram));
    expect(r.ok && r.value.errors).toEqual([]);
    if (!r.ok) return;
    expect(r.value.datagram).toEqual(datagram);
    const recs = sflowToFlowRecords(r.value.datagram, 1_000);
    expect(recs.map((f) => [f.srcAddr, f.dstAddr, f.srcPort, f.dstPort, f.sampleRate, f.sampledPackets, f.estimatedPackets, f.sampledBytes, f.estimatedBytes, f.exporter, f.inputInterface])).toEqual([
      ['198.51.100.7', '173.245.53.10', 53, 40000, 1000, 1, 1000, 72, 72_000, '192.0.2.250', 12],
      ['2001:db8::1', '2400:cb00::10', 5000, 53, 1000, 1, 1000, 86, 86_000, '192.0.2.250', 12],
    ]);
  });

  it.skipIf(spawnSync('text2pcap', ['-v']).status !== 0)('agrees with tshark’s sFlow dissector', () => {
    const dir = mkdtempSync(join(tmpdir(), 'failsmall-sflow-'));
    try {
      const bytes = encodeSflowDatagram(datagram);
      const hex = Buffer.from(bytes).toString('hex').match(/../g)!;
      const lines: string[] = [];
      for (let i = 0; i < hex.length; i += 16) lines.push(`${i.toString(16).padStart(6, '0')}  ${hex.slice(i, i + 16).join(' ')}`);
      writeFileSync(join(dir, 'd.txt'), `${lines.join('\n')}\n`);
      execFileSync('text2pcap', ['-q', '-F', 'pcap', '-u', '40000,6343', join(dir, 'd.txt'), join(dir, 'd.pcap')]);
      const fields = ['sflow_245.version', 'sflow_245.agent', 'sflow_245.sub_agent_id', 'sflow_245.sequence_number', 'sflow_245.sysuptime', 'sflow_245.numsamples', 'sflow.flow_sample.sampling_rate', 'sflow_245.header.frame_length', 'sflow_245.ifindex'];
      const out = execFileSync('tshark', ['-r', join(dir, 'd.pcap'), '-d', 'udp.port==6343,sflow', '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).trim().split('|');
      const t = Object.fromEntries(fields.map((f, i) => [f, out[i]!]));
      expect(t['sflow_245.version']).toBe('5');
      expect(t['sflow_245.agent']).toBe(datagram.agent);
      expect(Number(t['sflow_245.sub_agent_id'])).toBe(datagram.subAgentId);
      expect(Number(t['sflow_245.sequence_number'])).toBe(datagram.sequence);
      expect(Number(t['sflow_245.numsamples'])).toBe(3);
      expect(t['sflow.flow_sample.sampling_rate']).toBe('1000,1000');
      expect(t['sflow_245.header.frame_length']).toBe('72,86');
      expect(t['sflow_245.ifindex']).toContain('12');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const good = encodeSflowDatagram(datagram);
  const patch = (at: number, v: number): Uint8Array => {
    const b = Uint8Array.from(good);
    new DataView(b.buffer).setUint32(at, v);
    return b;
  };
  it.each([
    ['version 4', patch(0, 4), 'sflow_bad_version', 0],
    ['agent address type 3', patch(4, 3), 'sflow_bad_agent_address', 4],
    ['a million samples', patch(24, 1_000_000), 'sflow_too_many_samples', 24],
    ['truncated header', good.subarray(0, 10), 'truncated', 8],
  ] as const)('%s -> %s at %d', (_n, bytes, code, offset) => {
    const r = decodeSflowDatagram(bytes);
    expect(r.ok ? 'ok' : [r.error.code, r.error.offset]).toEqual([code, offset]);
  });

  it('a sample length past the datagram loses that sample and those after it, not the datagram', () => {
    const second = 28 + 8 + (new DataView(good.buffer, good.byteOffset).getUint32(32) as number); // start of sample 2
    const r = decodeSflowDatagram(patch(second + 4, 100_000));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.errors.map((e) => [e.code, e.offset])).toEqual([['truncated', second + 8]]);
    expect(r.value.datagram.samples.map((s) => s.sequence)).toEqual([17]);
  });

  it('loses only the bad sample: a broken record length inside the first sample keeps the others', () => {
    const b = patch(28 + 8 + 32 + 4, 4000); // first flow record's length
    const r = decodeSflowDatagram(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.errors.map((e) => e.code)).toEqual(['truncated']);
    expect(r.value.datagram.samples.map((s) => s.sequence)).toEqual([18, 9]);
  });

  it('round-trips random datagrams and never throws on mutations (property)', () => {
    const raw = fc.record({ kind: fc.constant('raw-header' as const), headerProtocol: fc.constantFrom(1, 11, 12), frameLength: fc.integer({ min: 0, max: 9000 }), stripped: fc.integer({ min: 0, max: 4 }), header: fc.uint8Array({ maxLength: 128 }) });
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const flow = fc.record({ kind: fc.constant('flow' as const), sequence: u32, sourceIdType: fc.integer({ min: 0, max: 255 }), sourceIdIndex: fc.integer({ min: 0, max: 0xffffff }), samplingRate: u32, samplePool: u32, drops: u32, input: u32, output: u32, records: fc.array(raw, { maxLength: 4 }) });
    const dg = fc.record({ agent: fc.constantFrom('192.0.2.1', '2001:db8::7'), subAgentId: u32, sequence: u32, uptimeMs: u32, samples: fc.array(flow, { maxLength: 5 }) });
    fc.assert(
      fc.property(dg, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (d, muts) => {
        const bytes = encodeSflowDatagram(d);
        const r = decodeSflowDatagram(bytes);
        expect(r.ok && r.value.datagram).toEqual(d);
        const m = Uint8Array.from(bytes);
        for (const [pos, v] of muts) m[pos % m.length] = v;
        const rm = decodeSflowDatagram(m);
        if (rm.ok) sflowToFlowRecords(rm.value.datagram, 0, []);
        expect(rm.ok || rm.error.code !== 'decoder_bug').toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
