// Packet builder: an annotated vector, checksums recomputed independently, fragment layout,
// tshark's dissection of a built capture (checksums verified, fields), and a property that the
// packet parser reads back every field the spec set.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../lib/byte-writer.js';
import { parsePacket } from '../packet/parse-packet.js';
import { buildFrames, buildIpDatagram, buildIpPackets, buildWirePacket, datagramLength, describeWirePacket, fragmentCount, internetChecksum } from './packet-builder.js';
import type { DatagramSpec, PayloadSpec, TransportSpec } from './packet-spec.js';
import { buildPayload, payloadLength } from './payloads.js';
import { writePcap } from './pcap-writer.js';

const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'failsmall-builder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UDP_SPEC: DatagramSpec = {
  family: 4,
  srcAddr: '198.51.100.7',
  dstAddr: '173.245.53.10',
  ttl: 55,
  dscp: 10,
  ipId: 0x1234,
  dontFragment: false,
  transport: { kind: 'udp', srcPort: 53, dstPort: 40000 },
  payload: { kind: 'bytes', data: new TextEncoder().encode('aaaa') },
};

/** UDP_SPEC by hand; checksums computed separately (RFC 1071, in Python). */
const UDP_FRAME = hexToBytes(`
  02 00 5e 00 53 02  02 00 5e 00 53 01  08 00   # Ethernet: dst, src, IPv4
  45 28 00 20 12 34 00 00 37 11 64 37           # IPv4: IHL 5, TOS 0x28 (DSCP 10), total 32, id 0x1234, TTL 55, UDP, checksum
  c6 33 64 07  ad f5 35 0a                      # 198.51.100.7 -> 173.245.53.10
  00 35 9c 40 00 0c 93 63                       # UDP 53 -> 40000, length 12, checksum
  61 61 61 61                                   # payload "aaaa"
  00 00 00 00 00 00 00 00 00 00 00 00 00 00     # padding to the 60-byte Ethernet minimum
`);

describe('packet builder', () => {
  it('builds the annotated UDP frame byte for byte', () => {
    expect(bytesToHex(buildWirePacket({ datagram: UDP_SPEC, fragmentIndex: 0, mtuBytes: 1500 }))).toBe(bytesToHex(UDP_FRAME));
  });

  it('IPv4 header and transport checksums verify (sum over the covered bytes is 0xffff)', () => {
    for (const transport of [
      { kind: 'udp', srcPort: 1, dstPort: 2 },
      { kind: 'tcp', srcPort: 51000, dstPort: 443, seq: 0xdeadbeef, ack: 7, flags: 0x18, window: 502, options: 'timestamps' },
      { kind: 'icmp', type: 8, code: 0, identifier: 9, sequence: 1 },
    ] as TransportSpec[]) {
      const d: DatagramSpec = { ...UDP_SPEC, transport, payload: { kind: 'filler', lengthBytes: 333, seed: 4 } };
      const ip = buildIpDatagram(d);
      expect(internetChecksum(ip, 0, 20)).toBe(0);
      const l4 = ip.subarray(20);
      const pseudo = transport.kind === 'icmp' ? new Uint8Array(0) : Uint8Array.from([...ip.subarray(12, 20), 0, ip[9]!, l4.length >> 8, l4.length & 0xff]);
      expect(internetChecksum(Uint8Array.from([...pseudo, ...l4]))).toBe(0);
    }
  });

  it('fragments a 3,000-byte DNS answer into 1480-byte pieces with offsets, MF and one checksum', () => {
    const d: DatagramSpec = { ...UDP_SPEC, payload: { kind: 'dns-response', id: 1, name: 'isc.org', qtype: 255, lengthBytes: 3000 } };
    expect(payloadLength(d.payload)).toBe(3000);
    expect(datagramLength(d)).toBe(3028);
    expect(fragmentCount(d, 1500)).toBe(3);
    const packets = buildIpPackets(d, 1500);
    expect(packets.map((p) => p.length)).toEqual([1500, 1500, 68]);
    const view = packets.map((p) => ({ len: (p[2]! << 8) | p[3]!, ff: (p[6]! << 8) | p[7]!, hdr: internetChecksum(p, 0, 20) }));
    expect(view).toEqual([
      { len: 1500, ff: 0x2000 | 0, hdr: 0 },
      { len: 1500, ff: 0x2000 | 185, hdr: 0 },
      { len: 68, ff: 2960 / 8, hdr: 0 },
    ]);
    expect(describeWirePacket({ datagram: d, fragmentIndex: 2, mtuBytes: 1500 })).toMatchObject({ ipLengthBytes: 68, offsetBytes: 2960, moreFragments: false, hasTransportHeader: false, fragmentFlags: 0x02 | 0x08 });
    const whole = buildIpDatagram(d);
    expect(Uint8Array.from(packets.flatMap((p) => [...p.subarray(20)]))).toEqual(whole.subarray(20));
  });

  it('IPv6 fragments carry a fragment header (next header 44) and 8-byte-aligned offsets', () => {
    const d: DatagramSpec = { ...UDP_SPEC, family: 6, srcAddr: '2a00:1450::1', dstAddr: '2606:4700::10', flowLabel: 0x12345, payload: { kind: 'filler', lengthBytes: 4000, seed: 1 } };
    const packets = buildIpPackets(d, 1500);
    expect(packets.length).toBe(3);
    for (const [i, p] of packets.entries()) {
      expect(p[6]).toBe(44);
      expect(p[40]).toBe(17);
      expect(((p[42]! << 8) | p[43]!) >> 3).toBe((i * 1448) / 8);
      expect(p.length).toBeLessThanOrEqual(1500);
    }
  });

  it('every payload kind is as long as payloadLength says', () => {
    const kinds: PayloadSpec[] = [
      { kind: 'none' },
      { kind: 'filler', lengthBytes: 17, seed: 1 },
      { kind: 'tls', lengthBytes: 517, seed: 2 },
      { kind: 'http-request', host: 'www.example.net', path: '/x' },
      { kind: 'quic-initial', lengthBytes: 1250, seed: 3 },
      { kind: 'quic-short', lengthBytes: 40, connection: 1, seed: 3 },
      { kind: 'dns-query', id: 7, name: 'www.example.net', qtype: 1 },
      ...[20, 60, 513, 1400, 2000, 4000].map((n) => ({ kind: 'dns-response' as const, id: 7, name: 'isc.org', qtype: 255, lengthBytes: n })),
      { kind: 'ntp', mode: 4, seed: 1 },
      { kind: 'ntp-monlist', items: 6, seed: 1 },
      { kind: 'ssdp-response', lengthBytes: 280, seed: 1 },
      { kind: 'memcached-response', lengthBytes: 1400, requestId: 1, sequence: 0, total: 3 },
      { kind: 'echo-data', lengthBytes: 56 },
    ];
    for (const p of kinds) expect(buildPayload(p).length, p.kind).toBe(payloadLength(p));
    // NTP monlist: 6 entries make the 468-byte IP datagram of the amplification attack
    expect(datagramLength({ ...UDP_SPEC, payload: { kind: 'ntp-monlist', items: 6, seed: 1 } })).toBe(468);
  });

  it('the packet parser reads back what the spec set (property)', () => {
    const v4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((a) => a.join('.'));
    const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((a) => a.map((x) => x.toString(16)).join(':'));
    const transport: fc.Arbitrary<TransportSpec> = fc.oneof(
      fc.record({ kind: fc.constant('udp' as const), srcPort: fc.nat(65535), dstPort: fc.nat(65535) }),
      fc.record({ kind: fc.constant('tcp' as const), srcPort: fc.nat(65535), dstPort: fc.nat(65535), seq: fc.nat(), ack: fc.nat(), flags: fc.nat(255), window: fc.nat(65535), options: fc.constantFrom('syn' as const, 'mss' as const, 'timestamps' as const, 'none' as const) }),
      fc.record({ kind: fc.constant('icmp' as const), type: fc.nat(255), code: fc.nat(255), identifier: fc.nat(65535), sequence: fc.nat(65535) }),
    );
    fc.assert(
      fc.property(fc.boolean(), v4, v4, v6, v6, transport, fc.integer({ min: 0, max: 5000 }), fc.nat(63), fc.integer({ min: 1, max: 255 }), fc.boolean(), fc.constantFrom(576, 1280, 1500, 9000), (is6, a4, b4, a6, b6, t, len, dscp, ttl, df, mtu) => {
        const d: DatagramSpec = { family: is6 ? 6 : 4, srcAddr: is6 ? a6 : a4, dstAddr: is6 ? b6 : b4, ttl, dscp, ipId: len, dontFragment: df, ...(is6 ? { flowLabel: len * 13 } : {}), transport: t, payload: { kind: 'filler', lengthBytes: len, seed: len } };
        const frames = buildFrames(d, mtu);
        expect(frames.length).toBe(fragmentCount(d, mtu));
        frames.forEach((frame, i) => {
          const info = describeWirePacket({ datagram: d, fragmentIndex: i, mtuBytes: mtu });
          expect(frame.length).toBe(info.frameLengthBytes);
          const r = parsePacket(frame, 1);
          if (!r.ok) throw new Error(`${r.error.code} at ${r.error.offset}`);
          const p = r.value;
          expect(p.family).toBe(d.family);
          expect(p.ttl).toBe(ttl);
          expect(p.dscp).toBe(dscp);
          expect(p.ipLengthBytes).toBe(info.ipLengthBytes);
          expect(p.fragmentFlags).toBe(info.fragmentFlags);
          if (info.hasTransportHeader && t.kind !== 'icmp') {
            expect([p.srcPort, p.dstPort]).toEqual([t.srcPort, t.dstPort]);
            if (t.kind === 'tcp') expect(p.tcpFlags).toBe(t.flags);
          }
          if (info.hasTransportHeader && t.kind === 'icmp') expect([p.icmpType, p.icmpCode]).toEqual([t.type, t.code]);
        });
      }),
      { numRuns: 400 },
    );
  });

  it.skipIf(!hasTshark)('tshark verifies every checksum of built TCP/UDP/ICMP/ICMPv6 packets, fragments included', () => {
    const specs: DatagramSpec[] = [
      { ...UDP_SPEC, transport: { kind: 'udp', srcPort: 40001, dstPort: 40000 } },
      { ...UDP_SPEC, transport: { kind: 'tcp', srcPort: 51000, dstPort: 443, seq: 1, ack: 0, flags: 0x02, window: 64240, options: 'syn' }, payload: { kind: 'none' }, dontFragment: true },
      { ...UDP_SPEC, transport: { kind: 'icmp', type: 8, code: 0, identifier: 3, sequence: 1 }, payload: { kind: 'echo-data', lengthBytes: 56 } },
      { ...UDP_SPEC, payload: { kind: 'dns-response', id: 9, name: 'isc.org', qtype: 255, lengthBytes: 3500 } },
      { ...UDP_SPEC, family: 6, srcAddr: '2a00:1450::1', dstAddr: '2606:4700::10', transport: { kind: 'icmp', type: 128, code: 0, identifier: 1, sequence: 2 }, payload: { kind: 'echo-data', lengthBytes: 56 } },
      { ...UDP_SPEC, family: 6, srcAddr: '2a00:1450::1', dstAddr: '2606:4700::10', transport: { kind: 'tcp', srcPort: 1, dstPort: 80, seq: 5, ack: 6, flags: 0x18, window: 100, options: 'timestamps' }, payload: { kind: 'http-request', host: 'h', path: '/' } },
      { ...UDP_SPEC, family: 6, srcAddr: '2a00:1450::1', dstAddr: '2606:4700::10', transport: { kind: 'udp', srcPort: 40001, dstPort: 40000 }, payload: { kind: 'filler', lengthBytes: 5000, seed: 3 } },
    ];
    const frames = specs.flatMap((d) => buildFrames(d, 1500));
    const file = join(dir, 'built.pcap');
    writeFileSync(file, writePcap(frames.map((data, i) => ({ timestampMs: 1_000 + i, data }))));
    const prefs = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];
    const fields = ['ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status', '_ws.malformed', '_ws.expert.severity'];
    const rows = execFileSync('tshark', ['-r', file, ...prefs, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n');
    expect(rows).toHaveLength(frames.length);
    const statuses = rows.flatMap((r) => r.split('|').slice(0, 5).join(',').split(',')).filter((x) => x !== '');
    expect(statuses.filter((s) => s !== '1'), rows.join('\n')).toEqual([]); // 1 = Good
    expect(statuses.length).toBeGreaterThanOrEqual(frames.length);
    expect(rows.filter((r) => r.split('|')[5])).toEqual([]);
  });
});
