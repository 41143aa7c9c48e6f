// Packet parser and pcap/pcapng readers against text2pcap-written captures and tshark's
// dissection of the same files; bad inputs return codes with offsets; fuzzing never throws.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { captureToFlows, parsePacket, readCapture } from '../../../src/telemetry/index.js';
import { FRAMES } from './frames.js';

const hasTools = spawnSync('text2pcap', ['-v']).status === 0 && spawnSync('tshark', ['-v']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'failsmall-cap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hexdump(hex: string): string {
  const bytes = hex.match(/../g)!;
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) lines.push(`${i.toString(16).padStart(6, '0')}  ${bytes.slice(i, i + 16).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

function writeCapture(ng: boolean): string {
  const txt = join(dir, `frames-${ng ? 'ng' : 'pcap'}.txt`);
  writeFileSync(txt, FRAMES.map((f) => hexdump(f.hex)).join('\n'));
  const out = join(dir, ng ? 'frames.pcapng' : 'frames.pcap');
  execFileSync('text2pcap', ['-q', '-F', ng ? 'pcapng' : 'pcap', txt, out]);
  return out;
}

const FIELDS = ['ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'ip.proto', 'ipv6.nxt', 'udp.srcport', 'tcp.srcport', 'udp.dstport', 'tcp.dstport', 'tcp.flags', 'ip.ttl', 'ipv6.hlim', 'ip.dsfield.dscp', 'ipv6.tclass.dscp', 'ip.len', 'ipv6.plen', 'ipv6.flow', 'icmp.type', 'vlan.id'];

describe.skipIf(!hasTools)('captures written by text2pcap, dissected by tshark', () => {
  for (const ng of [false, true]) {
    it(`${ng ? 'pcapng' : 'pcap'}: every frame decodes to what tshark says`, () => {
      const file = writeCapture(ng);
      const tshark = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => Object.fromEntries(l.split('|').map((v, i) => [FIELDS[i]!, v])));
      const read = readCapture(readFileSync(file));
      expect(read.error).toBeUndefined();
      expect(read.format).toBe(ng ? 'pcapng' : 'pcap');
      expect(read.packets).toHaveLength(FRAMES.length);
      const { records, errors } = captureToFlows(read.packets);
      expect(errors).toEqual({});
      records.forEach((r, i) => {
        const t = tshark[i]!;
        const num = (v: string | undefined): number => (v ? Number(v) : 0);
        expect(r.srcAddr, FRAMES[i]!.name).toBe(t['ip.src'] || t['ipv6.src']);
        expect(r.dstAddr).toBe(t['ip.dst'] || t['ipv6.dst']);
        expect(r.protocol).toBe(num(t['ip.proto'] || t['ipv6.nxt']));
        expect(r.srcPort).toBe(num(t['udp.srcport'] || t['tcp.srcport']));
        expect(r.dstPort).toBe(num(t['udp.dstport'] || t['tcp.dstport']));
        expect(r.tcpFlags).toBe(num(t['tcp.flags']));
        expect(r.ttl).toBe(num(t['ip.ttl'] || t['ipv6.hlim']));
        expect(r.dscp).toBe(num(t['ip.dsfield.dscp'] || t['ipv6.tclass.dscp']));
        expect(r.packetLengthBytes).toBe(t['ip.len'] ? num(t['ip.len']) : 40 + num(t['ipv6.plen']));
        if (t['ipv6.flow']) expect(r.flowLabel).toBe(num(t['ipv6.flow']));
        if (t['icmp.type']) expect(r.icmpType).toBe(num(t['icmp.type']));
      });
      // fragment semantics (RFC 8955 §4.2.2.12): DF on the SYN, IsF|LF on the last fragment
      expect(records.map((r) => r.fragmentFlags)).toEqual([0x00, 0x01, 0x00, 0x02 | 0x08, 0x01]);
    });
  }
});

describe('bad input', () => {
  const frame = Uint8Array.from(Buffer.from(FRAMES[0]!.hex, 'hex'));
  it.each([
    ['truncated UDP header', 'truncated', 36, frame.subarray(0, 36), 1],
    ['unsupported link type', 'packet_unsupported_link_type', 0, frame, 147],
    ['ARP is not IP', 'packet_not_ip', 12, Uint8Array.from([...frame.subarray(0, 12), 0x08, 0x06, ...frame.subarray(14)]), 1],
    ['IPv6 ethertype, IPv4 header', 'packet_bad_ip_version', 14, Uint8Array.from([...frame.subarray(0, 12), 0x86, 0xdd, ...frame.subarray(14)]), 1],
    ['IHL below 20', 'packet_bad_ip_header_length', 14, Uint8Array.from([...frame.subarray(0, 14), 0x44, ...frame.subarray(15)]), 1],
  ] as const)('%s -> %s at %d', (_n, code, offset, bytes, link) => {
    const r = parsePacket(bytes, link);
    expect(r.ok ? 'ok' : [r.error.code, r.error.offset]).toEqual([code, offset]);
  });
  it('capture readers stop with a code and keep what they read', () => {
    expect(readCapture(Uint8Array.of(1, 2, 3, 4, 5)).error?.code).toBe('capture_bad_magic');
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(1, 20);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    const huge = Buffer.alloc(16);
    huge.writeUInt32LE(10_000_000, 8);
    const r = readCapture(Buffer.concat([header, rec, frame, huge]));
    expect(r.packets).toHaveLength(1);
    expect(r.error).toMatchObject({ code: 'capture_record_too_large', offset: 24 + 16 + frame.length + 8 });
  });
  it('never throws and never reports decoder_bug on random or mutated input (property)', () => {
    const frames = FRAMES.map((f) => Uint8Array.from(Buffer.from(f.hex, 'hex')));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: frames.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(), fc.constantFrom(1, 101, 113, 228, 229), (i, muts, cut, link) => {
        const b = Uint8Array.from(frames[i]!);
        for (const [pos, v] of muts) b[pos % b.length] = v;
        const r = parsePacket(b.subarray(0, cut % (b.length + 1)), link);
        expect(r.ok || r.error.code !== 'decoder_bug').toBe(true);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = readCapture(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, ...bytes]));
        expect(r.error?.code).not.toBe('decoder_bug');
        readCapture(Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1, ...bytes]));
      }),
      { numRuns: 2000 },
    );
  });
});
