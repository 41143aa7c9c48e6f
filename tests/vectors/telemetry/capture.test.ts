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

const FIELDS = ['ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'ip.proto', 'ah.next_header', 'ipv6.fraghdr.nxt', 'ipv6.dstopts.nxt', 'ipv6.routing.nxt', 'ipv6.hopopts.nxt', 'ipv6.nxt', 'udp.srcport', 'tcp.srcport', 'udp.dstport', 'tcp.dstport', 'tcp.flags', 'ip.ttl', 'ipv6.hlim', 'ip.dsfield.dscp', 'ipv6.tclass.dscp', 'ip.len', 'ipv6.plen', 'ipv6.flow', 'icmp.type', 'vlan.id'];

describe.skipIf(!hasTools)('captures written by text2pcap, dissected by tshark', () => {
  for (const ng of [false, true]) {
    it(`${ng ? 'pcapng' : 'pcap'}: every frame decodes to what tshark says`, () => {
      const file = writeCapture(ng);
      const tshark = execFileSync('tshark', ['-r', file, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8' })
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
        // the transport is the next header of the last IPv6 extension header
        expect(r.protocol).toBe(num(t['ip.proto'] || t['ah.next_header'] || t['ipv6.fraghdr.nxt'] || t['ipv6.dstopts.nxt'] || t['ipv6.routing.nxt'] || t['ipv6.hopopts.nxt'] || t['ipv6.nxt']));
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
      expect(records.map((r) => r.fragmentFlags)).toEqual([0x00, 0x01, 0x00, 0x02 | 0x08, 0x01, 0x00, 0x00, 0x04, 0x02 | 0x08, 0x00, 0x01]);
      expect(records.map((r) => r.vlan)).toEqual([undefined, 100, undefined, undefined, undefined, 200, undefined, undefined, undefined, undefined, undefined]);
    });
  }
});

describe.skipIf(!hasTools)('link types other than Ethernet, dissected by tshark', () => {
  const v4 = Uint8Array.from(Buffer.from(FRAMES[0]!.hex, 'hex')).subarray(14); // IPv4 UDP
  const v6 = Uint8Array.from(Buffer.from(FRAMES[2]!.hex, 'hex')).subarray(14); // IPv6 UDP
  const sll = (proto: number): number[] => [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, proto >> 8, proto & 0xff];
  const sll2 = (proto: number): number[] => [proto >> 8, proto & 0xff, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
  const cases: Array<[string, number, number[], Uint8Array]> = [
    ['Linux SLL, IPv4', 113, sll(0x0800), v4],
    ['Linux SLL2, IPv6', 276, sll2(0x86dd), v6],
    ['BSD loopback, IPv4', 0, [2, 0, 0, 0], v4],
    ['BSD loopback, IPv6 (AF 30)', 0, [30, 0, 0, 0], v6],
    ['raw IP (101), IPv6', 101, [], v6],
    ['LINKTYPE_IPV4 (228)', 228, [], v4],
    ['LINKTYPE_IPV6 (229)', 229, [], v6],
  ];
  it.each(cases)('%s', (name, link, header, ip) => {
    const frame = Uint8Array.from([...header, ...ip]);
    const gh = Buffer.alloc(24);
    gh.writeUInt32LE(0xa1b2c3d4, 0);
    gh.writeUInt16LE(2, 4);
    gh.writeUInt16LE(4, 6);
    gh.writeUInt32LE(65535, 16);
    gh.writeUInt32LE(link, 20);
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(1_700_000_000, 0);
    rh.writeUInt32LE(frame.length, 8);
    rh.writeUInt32LE(frame.length, 12);
    const file = join(dir, `link-${link}-${header[0] ?? 'x'}.pcap`);
    writeFileSync(file, Buffer.concat([gh, rh, frame]));
    const fields = ['ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'udp.srcport', 'udp.dstport'];
    const t = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).trim().split('|');
    const read = readCapture(readFileSync(file));
    expect(read.packets[0]!.linkType).toBe(link);
    const { records, errors } = captureToFlows(read.packets);
    expect(errors, name).toEqual({});
    const r = records[0]!;
    expect([r.srcAddr, r.dstAddr, String(r.srcPort), String(r.dstPort)]).toEqual([t[0] || t[1], t[2] || t[3], t[4], t[5]]);
  });
});

describe('bad input', () => {
  const frame = Uint8Array.from(Buffer.from(FRAMES[0]!.hex, 'hex'));
  it.each([
    ['truncated UDP header (ports start at 34)', 'truncated', 34, frame.subarray(0, 36), 1],
    ['unsupported link type', 'packet_unsupported_link_type', 0, frame, 147],
    ['ARP is not IP', 'packet_not_ip', 12, Uint8Array.from([...frame.subarray(0, 12), 0x08, 0x06, ...frame.subarray(14)]), 1],
    ['IPv6 ethertype, IPv4 header', 'packet_bad_ip_version', 14, Uint8Array.from([...frame.subarray(0, 12), 0x86, 0xdd, ...frame.subarray(14)]), 1],
    ['IHL below 20', 'packet_bad_ip_header_length', 14, Uint8Array.from([...frame.subarray(0, 14), 0x44, ...frame.subarray(15)]), 1],
    ['IHL 60 beyond total length 58', 'packet_bad_ip_header_length', 14, Uint8Array.from([...frame.subarray(0, 14), 0x4f, ...frame.subarray(15)]), 1],
    ['nine VLAN tags', 'packet_too_many_headers', 46, Uint8Array.from([...frame.subarray(0, 12), ...Array.from({ length: 9 }, () => [0x81, 0x00, 0x00, 0x01]).flat(), ...frame.subarray(12)]), 1],
    ['nine IPv6 hop-by-hop headers (the ninth starts at 40 + 8 × 8)', 'packet_too_many_headers', 104, Uint8Array.from([...Buffer.from('6000000000480040' + '20010db8000000000000000000000001'.repeat(2), 'hex'), ...Array.from({ length: 9 }, () => [0, 0, 1, 4, 0, 0, 0, 0]).flat()]), 229],
    ['TCP cut before its flags', 'truncated', 20, Uint8Array.from([0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 80, 1, 187, 0, 0, 0, 0]), 101],
    ['IPv6 version in an IPv4 link type', 'packet_bad_ip_version', 0, Uint8Array.from(Buffer.from('6000000000000000', 'hex')), 228],
  ] as const)('%s -> %s at %d', (_n, code, offset, bytes, link) => {
    const r = parsePacket(bytes, link);
    expect(r.ok ? 'ok' : [r.error.code, r.error.offset]).toEqual([code, offset]);
  });
  it('reads what it can of unusual but valid packets', () => {
    // ESP (50): nothing past it is readable, so no ports; IPv4 total length 0 (segmentation offload)
    const esp = parsePacket(Uint8Array.from(Buffer.from('6000000000100040' + '20010db8000000000000000000000001'.repeat(2) + '00000100000000010000000000000000', 'hex').map((b, i) => (i === 6 ? 50 : b))), 229);
    expect(esp.ok && [esp.value.protocol, esp.value.srcPort, esp.value.ipLengthBytes]).toEqual([50, 0, 56]);
    const tso = parsePacket(Uint8Array.from([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 53, 0, 53, 0, 8, 0, 0]), 228);
    expect(tso.ok && [tso.value.ipLengthBytes, tso.value.fragmentFlags, tso.value.dstPort]).toEqual([28, 0x01, 53]);
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
