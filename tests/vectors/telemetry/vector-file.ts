// Telemetry vector files: annotated hex, one or more datagrams ("## datagram N" lines split
// them), "# key: value" header lines; the shared decode used by the golden check; and the
// field comparison against tshark's dissection.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { hexToBytes } from '../../../src/lib/byte-writer.js';
import { type DatagramDecodeResult, type FlowDatagramFormat, TemplateCache, decodeFlowDatagram } from '../../../src/telemetry/index.js';

export interface VectorFile {
  readonly name: string;
  readonly text: string;
  readonly headers: Record<string, string>;
  readonly datagrams: Uint8Array[];
}

export function parseVector(name: string, text: string): VectorFile {
  const headers: Record<string, string> = {};
  for (const m of text.matchAll(/^# ([a-z-]+): (.*)$/gm)) headers[m[1]!] ??= m[2]!;
  const parts = text.split(/^## datagram.*$/m);
  const chunks = parts.length > 1 ? parts.slice(1) : parts;
  return { name, text, headers, datagrams: chunks.map((c) => hexToBytes(c)).filter((b) => b.length > 0) };
}

export function readVectors(dir: string): VectorFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => parseVector(f, readFileSync(join(dir, f), 'utf8')));
}

/** Decode a vector's datagrams in order with one template cache; JSON-clean results. */
export function decodeVector(format: FlowDatagramFormat, datagrams: readonly Uint8Array[], receivedMs: number, exporter = '127.0.0.1'): { datagrams: unknown[]; templates: unknown } {
  const templates = new TemplateCache();
  const out: DatagramDecodeResult[] = datagrams.map((d) => decodeFlowDatagram(format, d, { exporter, receivedMs, templates }));
  return JSON.parse(JSON.stringify({ datagrams: out, templates: templates.stats })) as { datagrams: unknown[]; templates: unknown };
}

/** A flow as tshark's cflow dissector shows it (values as tshark prints them). */
export type TsharkFlow = Record<string, string>;

/** The FlowRecord fields tshark can confirm, from tshark's cflow fields. */
export function expectedFromTshark(t: TsharkFlow): Record<string, unknown> {
  const num = (k: string): number | undefined => (t[k] !== undefined ? Number(t[k]) : undefined);
  const out: Record<string, unknown> = {
    srcAddr: t['cflow.srcaddr'] ?? t['cflow.srcaddrv6'],
    dstAddr: t['cflow.dstaddr'] ?? t['cflow.dstaddrv6'],
    protocol: num('cflow.protocol'),
    sampledPackets: num('cflow.packets') ?? num('cflow.permanent_packets'),
    sampledBytes: num('cflow.octets') ?? num('cflow.permanent_octets'),
  };
  if (t['cflow.ip_dscp'] !== undefined) out.dscp = Number(t['cflow.ip_dscp']);
  if (t['cflow.ip_ttl'] !== undefined) out.ttl = Number(t['cflow.ip_ttl']);
  if (t['cflow.ipv6flowlabel'] !== undefined) out.flowLabel = Number(t['cflow.ipv6flowlabel']);
  if (t['cflow.ipv6flowlabel24'] !== undefined) out.flowLabel = Number(t['cflow.ipv6flowlabel24']);
  if (t['cflow.icmp_ipv4_type'] !== undefined) out.icmpType = Number(t['cflow.icmp_ipv4_type']);
  if (t['cflow.icmp_ipv4_code'] !== undefined) out.icmpCode = Number(t['cflow.icmp_ipv4_code']);
  if (t['cflow.vlanid'] !== undefined) out.vlan = Number(t['cflow.vlanid']);
  if (t['cflow.ip_fragment_flags'] !== undefined && t['cflow.fragment_offset'] !== undefined) {
    // RFC 5102 fragmentFlags 0x40 DF, 0x20 MF -> RFC 8955 bits
    const f = Number(t['cflow.ip_fragment_flags']);
    const off = Number(t['cflow.fragment_offset']);
    const mf = (f & 0x20) !== 0;
    out.fragmentFlags = (f & 0x40 ? 0x01 : 0) | (off ? 0x02 : 0) | (mf && !off ? 0x04 : 0) | (!mf && off ? 0x08 : 0);
  }
  const proto = num('cflow.protocol');
  if (proto !== 1 && proto !== 58) {
    out.srcPort = num('cflow.srcport') ?? 0;
    out.dstPort = num('cflow.dstport') ?? 0;
  }
  if (t['cflow.tcpflags'] !== undefined) out.tcpFlags = Number(t['cflow.tcpflags']);
  if (t['cflow.tos'] !== undefined && out.dscp === undefined) out.dscp = Number(t['cflow.tos']) >> 2;
  if (t['cflow.icmp_type_code_ipv4'] !== undefined) {
    const v = Number(t['cflow.icmp_type_code_ipv4']);
    out.icmpType = v >> 8;
    out.icmpCode = v & 0xff;
  }
  if (t['cflow.icmp_ipv6_type'] !== undefined) out.icmpType = Number(t['cflow.icmp_ipv6_type']);
  if (t['cflow.icmp_ipv6_code'] !== undefined) out.icmpCode = Number(t['cflow.icmp_ipv6_code']);
  if (t['cflow.direction'] !== undefined) out.direction = t['cflow.direction'] === '0' ? 'ingress' : 'egress';
  if (t['cflow.inputint'] !== undefined) out.inputInterface = Number(t['cflow.inputint']);
  if (t['cflow.outputint'] !== undefined) out.outputInterface = Number(t['cflow.outputint']);
  return out;
}

/** Flow end time tshark shows (absolute time elements only), ms; undefined if none. */
export function tsharkEndMs(t: TsharkFlow): number | undefined {
  const text = t['cflow.abstimeend'];
  if (text === undefined) return undefined;
  const m = /^(.*:\d\d)(\.\d+)? UTC$/.exec(text);
  if (!m) return undefined;
  return Date.parse(`${m[1]}Z`) + Number(`0${m[2] ?? ''}`) * 1000;
}
