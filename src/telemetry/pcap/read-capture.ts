// pcap (both byte orders, micro/nanosecond) and pcapng (SHB, IDB, EPB, SPB; other blocks
// skipped) readers over a buffer. Never throw: header problems end the read with an error
// {code, offset}; what was read before stays. Record sizes are bounded.
import { type DecodeError, decodeError } from '../../lib/result.js';

export interface CapturedPacket {
  readonly timestampMs: number;
  readonly linkType: number;
  readonly data: Uint8Array;
  /** Length on the wire (may exceed data.length when the capture was snapped). */
  readonly originalLength: number;
}

export interface CaptureReadResult {
  readonly format: 'pcap' | 'pcapng' | 'unknown';
  readonly packets: CapturedPacket[];
  /** At most one error: the point where reading stopped. */
  readonly error?: DecodeError;
}

const MAX_RECORD = 262_144;

class LeOrBe {
  private readonly view: DataView;
  constructor(
    readonly buf: Uint8Array,
    public little: boolean,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u16(at: number): number {
    return this.view.getUint16(at, this.little);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.little);
  }
}

export function readCapture(buf: Uint8Array): CaptureReadResult {
  if (buf.length < 4) return { format: 'unknown', packets: [], error: decodeError('truncated', 0, 'file shorter than a capture header') };
  const be = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0, false);
  if (be === 0x0a0d0d0a) return readPcapng(buf);
  if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(be)) return readPcap(buf);
  return { format: 'unknown', packets: [], error: decodeError('capture_bad_magic', 0, `magic 0x${be.toString(16)} is neither pcap nor pcapng`) };
}

function readPcap(buf: Uint8Array): CaptureReadResult {
  const packets: CapturedPacket[] = [];
  const magicBe = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0, false);
  const little = magicBe === 0xd4c3b2a1 || magicBe === 0x4d3cb2a1;
  const nano = magicBe === 0xa1b23c4d || magicBe === 0x4d3cb2a1;
  if (buf.length < 24) return { format: 'pcap', packets, error: decodeError('truncated', 0, 'pcap global header needs 24 bytes') };
  const d = new LeOrBe(buf, little);
  const snaplen = d.u32(16) || MAX_RECORD;
  const linkType = d.u32(20) & 0xffff;
  let at = 24;
  while (at < buf.length) {
    if (at + 16 > buf.length) return { format: 'pcap', packets, error: decodeError('truncated', at, 'record header cut short') };
    const sec = d.u32(at);
    const frac = d.u32(at + 4);
    const incl = d.u32(at + 8);
    const orig = d.u32(at + 12);
    if (incl > Math.max(snaplen, 65_535) || incl > MAX_RECORD) return { format: 'pcap', packets, error: decodeError('capture_record_too_large', at + 8, `record of ${incl} bytes exceeds snap length ${snaplen}`) };
    if (at + 16 + incl > buf.length) return { format: 'pcap', packets, error: decodeError('truncated', at + 16, `record needs ${incl} bytes, ${buf.length - at - 16} left`) };
    packets.push({ timestampMs: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3), linkType, data: buf.subarray(at + 16, at + 16 + incl), originalLength: orig });
    at += 16 + incl;
  }
  return { format: 'pcap', packets };
}

function readPcapng(buf: Uint8Array): CaptureReadResult {
  const packets: CapturedPacket[] = [];
  const d = new LeOrBe(buf, true);
  const interfaces: Array<{ linkType: number; unitsPerSec: number }> = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 12 > buf.length) return { format: 'pcapng', packets, error: decodeError('truncated', at, 'block header cut short') };
    const type = d.u32(at); // the SHB type 0x0a0d0d0a reads the same in either byte order
    if (type === 0x0a0d0d0a) {
      const bom = d.u32(at + 8);
      if (bom === 0x1a2b3c4d) d.little = true;
      else if (bom === 0x4d3c2b1a) d.little = false;
      else return { format: 'pcapng', packets, error: decodeError('capture_bad_block', at + 8, 'section header byte-order magic is wrong') };
      interfaces.length = 0;
    }
    const len = d.u32(at + 4);
    if (len < 12 || len % 4 !== 0 || at + len > buf.length || len > MAX_RECORD + 64) return { format: 'pcapng', packets, error: decodeError('capture_bad_block', at + 4, `block length ${len} is impossible here`) };
    if (d.u32(at + len - 4) !== len) return { format: 'pcapng', packets, error: decodeError('capture_bad_block', at + len - 4, 'block trailer length differs from its header') };
    const body = at + 8;
    if (type === 1) {
      let unitsPerSec = 1e6;
      // options after linktype(2) reserved(2) snaplen(4)
      for (let o = body + 8; o + 4 <= at + len - 4; ) {
        const code = d.u16(o);
        const olen = d.u16(o + 2);
        if (code === 0) break;
        if (code === 9 && olen >= 1) {
          const v = buf[o + 4]!;
          unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** (v & 0x7f);
        }
        o += 4 + Math.ceil(olen / 4) * 4;
      }
      interfaces.push({ linkType: d.u16(body), unitsPerSec });
    } else if (type === 6) {
      const ifc = interfaces[d.u32(body)];
      if (!ifc) return { format: 'pcapng', packets, error: decodeError('capture_unknown_interface', body, `interface ${d.u32(body)} has no description block`) };
      const ts = d.u32(body + 4) * 2 ** 32 + d.u32(body + 8);
      const capLen = d.u32(body + 12);
      if (body + 20 + capLen > at + len - 4) return { format: 'pcapng', packets, error: decodeError('capture_bad_block', body + 12, `captured length ${capLen} exceeds the block`) };
      packets.push({ timestampMs: (ts / ifc.unitsPerSec) * 1000, linkType: ifc.linkType, data: buf.subarray(body + 20, body + 20 + capLen), originalLength: d.u32(body + 16) });
    } else if (type === 3) {
      const ifc = interfaces[0];
      if (!ifc) return { format: 'pcapng', packets, error: decodeError('capture_unknown_interface', body, 'simple packet block before any interface') };
      const orig = d.u32(body);
      const capLen = Math.min(orig, len - 16);
      packets.push({ timestampMs: 0, linkType: ifc.linkType, data: buf.subarray(body + 4, body + 4 + capLen), originalLength: orig });
    }
    at += len;
  }
  return { format: 'pcapng', packets };
}
