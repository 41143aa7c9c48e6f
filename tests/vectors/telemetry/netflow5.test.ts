// NetFlow v5: a datagram softflowd 1.x exported after reading a 5-packet capture (committed
// below, annotated), a live softflowd run when installed, the tshark cross-check, bad vectors,
// and round-trip/mutation properties.
import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../../src/lib/byte-writer.js';
import { type Netflow5Datagram, decodeNetflow5, decodeNetflow5Flows, encodeNetflow5, netflow5ToFlowRecords } from '../../../src/telemetry/index.js';

/** softflowd -r nf.pcap -n 127.0.0.1:PORT -v 5 (3 UDP 198.51.100.7:53 -> 173.245.53.10:40000, 2 TCP SYN 203.0.113.5:51000 -> :443). */
const SOFTFLOWD_V5 = hexToBytes(`
  0005 0002            # version 5, 2 records
  00000000             # sysUptime 0 (softflowd reading a file)
  6b038879 248b9740    # unix_secs, unix_nsecs (export wall clock)
  00000000             # flow_sequence 0
  00 00 0000           # engine type/id, sampling 0 (unsampled)
  c6336407 adf5350a 00000000   # 198.51.100.7 -> 173.245.53.10, next hop 0.0.0.0
  0000 0000            # input/output ifIndex
  00000003 000000ae    # 3 packets, 174 octets
  ca184cf2 ca1854c2    # first/last (uptime ms)
  0035 9c40 00 00 11 28  # 53 -> 40000, pad, tcp_flags 0, proto 17, tos 0x28
  0000 0000 00 00 0000   # AS, masks, pad
  cb007105 adf5350a 00000000   # 203.0.113.5 -> 173.245.53.10
  0000 0000
  00000002 00000050    # 2 packets, 80 octets
  ca1858aa ca185c92
  c738 01bb 00 02 06 00  # 51000 -> 443, tcp_flags SYN, proto 6, tos 0
  0000 0000 00 00 0000
`);

const dir = mkdtempSync(join(tmpdir(), 'failsmall-nf5-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkSoftflowdFlows(bytes: Uint8Array): void {
  const r = decodeNetflow5(bytes);
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  const flows = netflow5ToFlowRecords(r.value, '127.0.0.1').map((f) => [f.srcAddr, f.dstAddr, f.protocol, f.srcPort, f.dstPort, f.sampledPackets, f.sampledBytes, f.tcpFlags, f.dscp, f.packetLengthBytes, f.sampleRate]);
  expect(flows.sort()).toEqual(
    [
      ['198.51.100.7', '173.245.53.10', 17, 53, 40000, 3, 174, 0, 10, 58, 1],
      ['203.0.113.5', '173.245.53.10', 6, 51000, 443, 2, 80, 0x02, 0, 40, 1],
    ].sort(),
  );
}

/** A truncation point drawn from the mutations, so cut datagrams are checked too. */
const pos0 = (muts: ReadonlyArray<readonly [number, number]>, n: number): number => (muts[0] ? muts[0][0] % (n + 1) : n);

describe('NetFlow v5', () => {
  it('decodes the committed softflowd datagram', () => checkSoftflowdFlows(SOFTFLOWD_V5));

  it.skipIf(spawnSync('softflowd', ['-h']).error !== undefined)('decodes what a live softflowd exports after reading a capture', async () => {
    const frames: Buffer[] = [];
    const ip = (proto: number, src: number[], dst: number[], payload: Buffer, tos: number): Buffer => {
      const h = Buffer.alloc(20);
      h.writeUInt8(0x45, 0);
      h.writeUInt8(tos, 1);
      h.writeUInt16BE(20 + payload.length, 2);
      h.writeUInt8(55, 8);
      h.writeUInt8(proto, 9);
      Buffer.from(src).copy(h, 12);
      Buffer.from(dst).copy(h, 16);
      return Buffer.concat([h, payload]);
    };
    const udp = Buffer.concat([Buffer.from([0x00, 0x35, 0x9c, 0x40, 0x00, 38, 0, 0]), Buffer.alloc(30, 0x61)]);
    const tcp = Buffer.from([0xc7, 0x38, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
    for (let i = 0; i < 3; i++) frames.push(ip(17, [198, 51, 100, 7], [173, 245, 53, 10], udp, 0x28));
    for (let i = 0; i < 2; i++) frames.push(ip(6, [203, 0, 113, 5], [173, 245, 53, 10], tcp, 0));
    const eth = Buffer.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0]);
    const gh = Buffer.alloc(24);
    gh.writeUInt32LE(0xa1b2c3d4, 0);
    gh.writeUInt16LE(2, 4);
    gh.writeUInt16LE(4, 6);
    gh.writeUInt32LE(65535, 16);
    gh.writeUInt32LE(1, 20);
    const recs = frames.map((f, i) => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(1_700_000_000 + i, 0);
      h.writeUInt32LE(f.length + 14, 8);
      h.writeUInt32LE(f.length + 14, 12);
      return Buffer.concat([h, eth, f]);
    });
    const pcap = join(dir, 'nf.pcap');
    writeFileSync(pcap, Buffer.concat([gh, ...recs]));
    const sock = createSocket('udp4');
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    execFileSync('softflowd', ['-r', pcap, '-n', `127.0.0.1:${port}`, '-v', '5'], { timeout: 10_000, stdio: 'ignore' });
    for (let i = 0; i < 40 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    sock.close();
    expect(got).toHaveLength(1);
    checkSoftflowdFlows(got[0]!);
  });

  it.skipIf(spawnSync('text2pcap', ['-v']).status !== 0)('agrees with tshark’s cflow dissector', () => {
    const hex = Buffer.from(SOFTFLOWD_V5).toString('hex').match(/../g)!;
    const lines: string[] = [];
    for (let i = 0; i < hex.length; i += 16) lines.push(`${i.toString(16).padStart(6, '0')}  ${hex.slice(i, i + 16).join(' ')}`);
    writeFileSync(join(dir, 'v5.txt'), `${lines.join('\n')}\n`);
    execFileSync('text2pcap', ['-q', '-F', 'pcap', '-u', '40001,2055', join(dir, 'v5.txt'), join(dir, 'v5.pcap')]);
    const out = execFileSync('tshark', ['-r', join(dir, 'v5.pcap'), '-d', 'udp.port==2055,cflow', '-T', 'fields', '-E', 'aggregator=,', '-e', 'cflow.count', '-e', 'cflow.srcaddr', '-e', 'cflow.packets', '-e', 'cflow.octets', '-e', 'cflow.srcport', '-e', 'cflow.protocol'], { encoding: 'utf8' }).trim().split('\t');
    expect(out).toEqual(['2', '198.51.100.7,203.0.113.5', '3,2', '174,80', '53,51000', '17,6']);
  });

  const patch16 = (at: number, v: number): Uint8Array => {
    const b = Uint8Array.from(SOFTFLOWD_V5);
    new DataView(b.buffer).setUint16(at, v);
    return b;
  };
  it.each([
    ['version 9 given to the v5 decoder', patch16(0, 9), 'netflow_bad_version', 0],
    ['31 records', patch16(2, 31), 'netflow5_bad_count', 2],
    ['count beyond the datagram', patch16(2, 3), 'truncated', 2],
    ['cut in the header', SOFTFLOWD_V5.subarray(0, 20), 'truncated', 2],
  ] as const)('%s -> %s at %d', (_n, bytes, code, offset) => {
    const r = decodeNetflow5(bytes);
    expect(r.ok ? 'ok' : [r.error.code, r.error.offset]).toEqual([code, offset]);
  });

  it('estimates with the sampling interval and round-trips random datagrams; mutations never throw (property)', () => {
    const d = decodeNetflow5(SOFTFLOWD_V5);
    if (!d.ok) throw new Error('vector');
    const sampled: Netflow5Datagram = { ...d.value, sampling: (1 << 14) | 100 };
    const again = decodeNetflow5(encodeNetflow5(sampled));
    if (!again.ok) throw new Error(again.error.message);
    expect(netflow5ToFlowRecords(again.value, 'x').map((f) => [f.sampleRate, f.estimatedPackets])).toEqual([[100, 300], [100, 200]]);
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const v4 = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((a) => a.join('.'));
    const rec = fc.record({ srcAddr: v4, dstAddr: v4, nextHop: v4, input: u16, output: u16, packets: u32, octets: u32, firstMs: u32, lastMs: u32, srcPort: u16, dstPort: u16, tcpFlags: fc.integer({ min: 0, max: 255 }), protocol: fc.integer({ min: 0, max: 255 }), tos: fc.integer({ min: 0, max: 255 }), srcAs: u16, dstAs: u16, srcMask: fc.integer({ min: 0, max: 32 }), dstMask: fc.integer({ min: 0, max: 32 }) });
    const dg = fc.record({ sysUptimeMs: u32, unixSecs: u32, unixNsecs: u32, flowSequence: u32, engineType: fc.integer({ min: 0, max: 255 }), engineId: fc.integer({ min: 0, max: 255 }), sampling: u16, records: fc.array(rec, { maxLength: 30 }) });
    fc.assert(
      fc.property(dg, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (x, muts) => {
        const bytes = encodeNetflow5(x);
        const r = decodeNetflow5(bytes);
        expect(r.ok && r.value).toEqual(x);
        const m = Uint8Array.from(bytes);
        for (const [pos, v] of muts) m[pos % m.length] = v;
        const rm = decodeNetflow5(m);
        expect(rm.ok || rm.error.code !== 'decoder_bug').toBe(true);
        // the collector's fast path agrees with the structured decoder, records and errors alike
        for (const b of [bytes, m, m.subarray(0, pos0(muts, m.length))]) {
          const slow = decodeNetflow5(b);
          const fast = decodeNetflow5Flows(b, 'x');
          expect(fast).toEqual(slow.ok ? { ok: true, value: netflow5ToFlowRecords(slow.value, 'x') } : slow);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
