// NetFlow version 5: 24-byte header + up to 30 fixed 48-byte records (Cisco's published format).
// Decoder never throws; the encoder is the synthetic exporter and the round-trip partner.
import { ByteReader, decodeWith } from '../../lib/byte-reader.js';
import { ByteWriter } from '../../lib/byte-writer.js';
import { formatAddress, parseAddress } from '../../lib/prefix.js';
import { type Result, ok } from '../../lib/result.js';
import type { FlowRecord } from '../flow-record.js';
import { formatIpv4At } from '../packet/format-address.js';

export interface Netflow5Record {
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly nextHop: string;
  readonly input: number;
  readonly output: number;
  readonly packets: number;
  readonly octets: number;
  readonly firstMs: number; // sysUptime at first packet
  readonly lastMs: number; // sysUptime at last packet
  readonly srcPort: number;
  readonly dstPort: number;
  readonly tcpFlags: number;
  readonly protocol: number;
  readonly tos: number;
  readonly srcAs: number;
  readonly dstAs: number;
  readonly srcMask: number;
  readonly dstMask: number;
}

export interface Netflow5Datagram {
  readonly sysUptimeMs: number;
  readonly unixSecs: number;
  readonly unixNsecs: number;
  readonly flowSequence: number;
  readonly engineType: number;
  readonly engineId: number;
  /** Raw sampling field: top 2 bits mode, low 14 bits interval. */
  readonly sampling: number;
  readonly records: readonly Netflow5Record[];
}

export function decodeNetflow5(buf: Uint8Array): Result<Netflow5Datagram> {
  return decodeWith(() => {
    const r = new ByteReader(buf);
    const version = r.u16('version');
    if (version !== 5) r.fail('netflow_bad_version', `NetFlow version ${version}, expected 5`, 0);
    const count = r.u16('count');
    if (count > 30) r.fail('netflow5_bad_count', `${count} records; NetFlow v5 carries at most 30`, 2);
    if (buf.length < 24 + count * 48) r.fail('truncated', `header says ${count} records (${24 + count * 48} bytes), datagram has ${buf.length}`, 2);
    const sysUptimeMs = r.u32('sysUptime');
    const unixSecs = r.u32('unix_secs');
    const unixNsecs = r.u32('unix_nsecs');
    const flowSequence = r.u32('flow_sequence');
    const engineType = r.u8('engine_type');
    const engineId = r.u8('engine_id');
    const sampling = r.u16('sampling_interval');
    const records: Netflow5Record[] = [];
    for (let i = 0; i < count; i++) {
      const srcAddr = formatAddress(r.bytes(4, 'srcaddr'));
      const dstAddr = formatAddress(r.bytes(4, 'dstaddr'));
      const nextHop = formatAddress(r.bytes(4, 'nexthop'));
      const input = r.u16('input');
      const output = r.u16('output');
      const packets = r.u32('dPkts');
      const octets = r.u32('dOctets');
      const firstMs = r.u32('first');
      const lastMs = r.u32('last');
      const srcPort = r.u16('srcport');
      const dstPort = r.u16('dstport');
      r.skip(1, 'pad1');
      const tcpFlags = r.u8('tcp_flags');
      const protocol = r.u8('prot');
      const tos = r.u8('tos');
      const srcAs = r.u16('src_as');
      const dstAs = r.u16('dst_as');
      const srcMask = r.u8('src_mask');
      const dstMask = r.u8('dst_mask');
      r.skip(2, 'pad2');
      records.push({ srcAddr, dstAddr, nextHop, input, output, packets, octets, firstMs, lastMs, srcPort, dstPort, tcpFlags, protocol, tos, srcAs, dstAs, srcMask, dstMask });
    }
    return { sysUptimeMs, unixSecs, unixNsecs, flowSequence, engineType, engineId, sampling, records };
  });
}

export function encodeNetflow5(d: Netflow5Datagram): Uint8Array {
  if (d.records.length > 30) throw new Error('NetFlow v5 carries at most 30 records per datagram');
  const addr = (s: string): Uint8Array => {
    const a = parseAddress(s);
    if (!a || a.length !== 4) throw new Error(`${s} is not an IPv4 address`);
    return a;
  };
  const w = new ByteWriter(24 + 48 * d.records.length);
  w.u16(5).u16(d.records.length).u32(d.sysUptimeMs).u32(d.unixSecs).u32(d.unixNsecs).u32(d.flowSequence).u8(d.engineType).u8(d.engineId).u16(d.sampling);
  for (const r of d.records) {
    w.bytes(addr(r.srcAddr)).bytes(addr(r.dstAddr)).bytes(addr(r.nextHop)).u16(r.input).u16(r.output).u32(r.packets).u32(r.octets).u32(r.firstMs).u32(r.lastMs);
    w.u16(r.srcPort).u16(r.dstPort).u8(0).u8(r.tcpFlags).u8(r.protocol).u8(r.tos).u16(r.srcAs).u16(r.dstAs).u8(r.srcMask).u8(r.dstMask).u16(0);
  }
  return w.finish();
}

/** Records -> FlowRecords. Flow end time = export time - (sysUptime - last), in 32-bit uptime arithmetic. */
export function netflow5ToFlowRecords(d: Netflow5Datagram, exporter: string): FlowRecord[] {
  const exportMs = d.unixSecs * 1000 + Math.floor(d.unixNsecs / 1e6);
  const interval = d.sampling & 0x3fff;
  const rate = interval > 0 ? interval : 1;
  return d.records.map((r) => {
    const ageMs = (d.sysUptimeMs - r.lastMs) >>> 0;
    return {
      timestampMs: exportMs - ageMs,
      source: 'netflow5' as const,
      exporter,
      observationDomain: (d.engineType << 8) | d.engineId,
      inputInterface: r.input,
      outputInterface: r.output,
      family: 4 as const,
      srcAddr: r.srcAddr,
      dstAddr: r.dstAddr,
      protocol: r.protocol,
      srcPort: r.protocol === 1 ? 0 : r.srcPort,
      dstPort: r.protocol === 1 ? 0 : r.dstPort,
      ...(r.protocol === 1 ? { icmpType: r.dstPort >> 8, icmpCode: r.dstPort & 0xff } : {}),
      tcpFlags: r.tcpFlags,
      dscp: r.tos >> 2,
      fragmentFlags: 0,
      packetLengthBytes: r.packets > 0 ? Math.round(r.octets / r.packets) : 0,
      sampledPackets: r.packets,
      sampledBytes: r.octets,
      sampleRate: rate,
      estimatedPackets: r.packets * rate,
      estimatedBytes: r.octets * rate,
    };
  });
}

/**
 * The collector's fast path: datagram bytes straight to FlowRecords, equal to
 * `netflow5ToFlowRecords(decodeNetflow5(buf))` (a property test holds them together) without the
 * intermediate records. The header checks are the same and come first, so every later read is
 * inside the datagram.
 */
export function decodeNetflow5Flows(buf: Uint8Array, exporter: string): Result<FlowRecord[]> {
  const count = buf.length >= 4 ? (buf[2]! << 8) | buf[3]! : 0;
  if (buf.length < 24 || ((buf[0]! << 8) | buf[1]!) !== 5 || count > 30 || buf.length < 24 + count * 48) {
    // a bad header: the structured decoder names the problem and its offset
    const r = decodeNetflow5(buf);
    return r.ok ? ok(netflow5ToFlowRecords(r.value, exporter)) : r;
  }
  const u32 = (o: number): number => ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
  const sysUptimeMs = u32(4);
  const exportMs = u32(8) * 1000 + Math.floor(u32(12) / 1e6);
  const observationDomain = (buf[20]! << 8) | buf[21]!;
  const interval = ((buf[22]! << 8) | buf[23]!) & 0x3fff;
  const rate = interval > 0 ? interval : 1;
  const out: FlowRecord[] = new Array<FlowRecord>(count);
  for (let i = 0, o = 24; i < count; i++, o += 48) {
    const packets = u32(o + 16);
    const octets = u32(o + 20);
    const ageMs = (sysUptimeMs - u32(o + 28)) >>> 0;
    const protocol = buf[o + 38]!;
    const srcPort = (buf[o + 32]! << 8) | buf[o + 33]!;
    const dstPort = (buf[o + 34]! << 8) | buf[o + 35]!;
    const base = {
      timestampMs: exportMs - ageMs,
      source: 'netflow5' as const,
      exporter,
      observationDomain,
      inputInterface: (buf[o + 12]! << 8) | buf[o + 13]!,
      outputInterface: (buf[o + 14]! << 8) | buf[o + 15]!,
      family: 4 as const,
      srcAddr: formatIpv4At(buf, o),
      dstAddr: formatIpv4At(buf, o + 4),
      protocol,
      srcPort: protocol === 1 ? 0 : srcPort,
      dstPort: protocol === 1 ? 0 : dstPort,
      tcpFlags: buf[o + 37]!,
      dscp: buf[o + 39]! >> 2,
      fragmentFlags: 0,
      packetLengthBytes: packets > 0 ? Math.round(octets / packets) : 0,
      sampledPackets: packets,
      sampledBytes: octets,
      sampleRate: rate,
      estimatedPackets: packets * rate,
      estimatedBytes: octets * rate,
    };
    out[i] = protocol === 1 ? { ...base, icmpType: dstPort >> 8, icmpCode: dstPort & 0xff } : base;
  }
  return ok(out);
}
