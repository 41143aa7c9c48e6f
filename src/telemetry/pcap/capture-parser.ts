// Incremental pcap / pcapng parser: push() chunks of a capture as they are read, get the packets
// whose bytes are complete; finish() says whether the capture ended cleanly. The same parser
// reads a whole file in one push (readCapture). Never throws: a header problem stops the parse
// with one error {code, offset (from the start of the file)}; what was read before stays.
//
// pcap (tcpdump.org file format): both byte orders, microsecond (0xa1b2c3d4) and nanosecond
// (0xa1b23c4d) timestamps. pcapng (IETF draft-ietf-opsawg-pcapng): Section Header (either byte
// order; a new section resets the interfaces), Interface Description (link type, if_tsresol,
// if_tsoffset), Enhanced Packet, Simple Packet and the obsolete Packet block; every other block
// is skipped by its length. Memory: only the unfinished tail of a chunk is kept, and no record or
// block may claim more than MAX_CAPTURE_RECORD_BYTES, so the carry is bounded.
import { type DecodeError, decodeError } from '../../lib/result.js';

export interface CapturedPacket {
  readonly timestampMs: number;
  readonly linkType: number;
  readonly data: Uint8Array;
  /** Length on the wire (may exceed data.length when the capture was snapped). */
  readonly originalLength: number;
}

export type CaptureFormat = 'pcap' | 'pcapng' | 'unknown';

/** Largest packet record accepted (the 262144-byte snap length tcpdump uses by default). */
export const MAX_CAPTURE_RECORD_BYTES = 262_144;
/** Largest pcapng block accepted (a maximal packet plus room for options). */
const MAX_BLOCK_BYTES = MAX_CAPTURE_RECORD_BYTES + 4096;

const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BLOCK = { interface: 1, packetObsolete: 2, simplePacket: 3, enhancedPacket: 6 } as const;

interface Interface {
  readonly linkType: number;
  readonly snaplen: number;
  readonly unitsPerSec: number;
  readonly offsetSec: number;
}

export class CaptureParser {
  format: CaptureFormat = 'unknown';
  /** Set once the parse has stopped on a problem. */
  error: DecodeError | undefined;
  /** Packets returned so far. */
  packetCount = 0;
  private carry: Uint8Array = new Uint8Array(0);
  /** File offset of carry[0]. */
  private base = 0;
  private little = true;
  private nano = false;
  private snaplen = 0;
  private linkType = 0;
  private headerDone = false;
  private interfaces: Interface[] = [];

  /** Feed the next bytes of the capture; returns the packets completed by them. */
  push(chunk: Uint8Array): CapturedPacket[] {
    if (this.error || chunk.length === 0) return [];
    let buf: Uint8Array;
    if (this.carry.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry, 0);
      buf.set(chunk, this.carry.length);
    }
    const out: CapturedPacket[] = [];
    const used = this.parse(buf, out);
    this.carry = this.error ? new Uint8Array(0) : buf.slice(used);
    this.base += used;
    this.packetCount += out.length;
    return out;
  }

  /** The capture ended: an error if it stopped on a problem or in the middle of a record. */
  finish(): DecodeError | undefined {
    if (this.error) return this.error;
    if (this.format === 'unknown' && this.carry.length === 0 && this.base === 0) {
      this.error = decodeError('truncated', 0, 'empty capture');
    } else if (this.carry.length > 0) {
      this.error = decodeError('truncated', this.base, `capture ends inside a ${this.format === 'pcapng' ? 'block' : 'record'} (${this.carry.length} bytes left over)`);
    }
    return this.error;
  }

  private stop(code: string, at: number, message: string): number {
    this.error = decodeError(code, this.base + at, message);
    return at;
  }

  private u16(b: Uint8Array, at: number): number {
    return this.little ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
  }
  private u32(b: Uint8Array, at: number): number {
    return this.little ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000 : b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
  }

  /** Parse complete records from buf; returns how many bytes were consumed. */
  private parse(b: Uint8Array, out: CapturedPacket[]): number {
    if (this.format === 'unknown') {
      if (b.length < 4) return 0;
      const magic = b[0]! * 0x1000000 + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
      if (magic === PCAPNG_SHB) this.format = 'pcapng';
      else if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1 || magic === 0xa1b23c4d || magic === 0x4d3cb2a1) {
        this.format = 'pcap';
        this.little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
        this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
      } else return this.stop('capture_bad_magic', 0, `magic 0x${magic.toString(16)} is neither pcap nor pcapng`);
    }
    return this.format === 'pcap' ? this.parsePcap(b, out) : this.parsePcapng(b, out);
  }

  private parsePcap(b: Uint8Array, out: CapturedPacket[]): number {
    let at = 0;
    if (!this.headerDone) {
      if (b.length < 24) return 0;
      this.snaplen = this.u32(b, 16) || MAX_CAPTURE_RECORD_BYTES;
      this.linkType = this.u32(b, 20) & 0xffff; // upper bits: FCS length flags
      this.headerDone = true;
      at = 24;
    }
    const limit = Math.min(Math.max(this.snaplen, 65_535), MAX_CAPTURE_RECORD_BYTES);
    while (b.length - at >= 16) {
      const sec = this.u32(b, at);
      const frac = this.u32(b, at + 4);
      const incl = this.u32(b, at + 8);
      const orig = this.u32(b, at + 12);
      if (incl > limit) return this.stop('capture_record_too_large', at + 8, `record of ${incl} bytes exceeds the snap length ${this.snaplen} (limit ${limit})`);
      if (b.length - at - 16 < incl) break;
      out.push({ timestampMs: sec * 1000 + (this.nano ? frac / 1e6 : frac / 1e3), linkType: this.linkType, data: b.subarray(at + 16, at + 16 + incl), originalLength: orig });
      at += 16 + incl;
    }
    return at;
  }

  private parsePcapng(b: Uint8Array, out: CapturedPacket[]): number {
    let at = 0;
    while (b.length - at >= 12) {
      const type = this.u32(b, at); // the SHB type reads the same in either byte order
      if (type === PCAPNG_SHB) {
        const bom = b[at + 8]! * 0x1000000 + ((b[at + 9]! << 16) | (b[at + 10]! << 8) | b[at + 11]!);
        if (bom === 0x1a2b3c4d) this.little = false;
        else if (bom === 0x4d3c2b1a) this.little = true;
        else return this.stop('capture_bad_block', at + 8, 'section header byte-order magic is wrong');
        this.interfaces = [];
      }
      const len = this.u32(b, at + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_BYTES) return this.stop('capture_bad_block', at + 4, `block length ${len} is impossible (12..${MAX_BLOCK_BYTES}, a multiple of 4)`);
      if (b.length - at < len) break;
      if (this.u32(b, at + len - 4) !== len) return this.stop('capture_bad_block', at + len - 4, 'block trailer length differs from its header');
      const body = at + 8;
      const bodyEnd = at + len - 4;
      switch (type) {
        case PCAPNG_BLOCK.interface: {
          if (bodyEnd - body < 8) return this.stop('capture_bad_block', at + 4, 'interface description block is too short');
          let unitsPerSec = 1e6;
          let offsetSec = 0;
          for (let o = body + 8; o + 4 <= bodyEnd; ) {
            const code = this.u16(b, o);
            const olen = this.u16(b, o + 2);
            if (code === 0 || o + 4 + olen > bodyEnd) break;
            if (code === 9 && olen >= 1) {
              const v = b[o + 4]!;
              unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** (v & 0x7f);
            } else if (code === 14 && olen >= 8) {
              // 64-bit seconds in the section's byte order
              const hi = this.little ? this.u32(b, o + 8) : this.u32(b, o + 4);
              const lo = this.little ? this.u32(b, o + 4) : this.u32(b, o + 8);
              offsetSec = hi * 0x1_0000_0000 + lo;
            }
            o += 4 + Math.ceil(olen / 4) * 4;
          }
          if (!Number.isFinite(unitsPerSec) || unitsPerSec <= 0) unitsPerSec = 1e6;
          this.interfaces.push({ linkType: this.u16(b, body), snaplen: this.u32(b, body + 4), unitsPerSec, offsetSec });
          break;
        }
        case PCAPNG_BLOCK.enhancedPacket:
        case PCAPNG_BLOCK.packetObsolete: {
          if (bodyEnd - body < 20) return this.stop('capture_bad_block', at + 4, 'packet block is too short');
          const ifId = type === PCAPNG_BLOCK.enhancedPacket ? this.u32(b, body) : this.u16(b, body);
          const ifc = this.interfaces[ifId];
          if (!ifc) return this.stop('capture_unknown_interface', body, `interface ${ifId} has no description block`);
          const ts = this.u32(b, body + 4) * 0x1_0000_0000 + this.u32(b, body + 8);
          const capLen = this.u32(b, body + 12);
          if (capLen > bodyEnd - body - 20) return this.stop('capture_bad_block', body + 12, `captured length ${capLen} exceeds the block`);
          out.push({ timestampMs: (ts / ifc.unitsPerSec + ifc.offsetSec) * 1000, linkType: ifc.linkType, data: b.subarray(body + 20, body + 20 + capLen), originalLength: this.u32(b, body + 16) });
          break;
        }
        case PCAPNG_BLOCK.simplePacket: {
          const ifc = this.interfaces[0];
          if (!ifc) return this.stop('capture_unknown_interface', body, 'simple packet block before any interface');
          if (bodyEnd - body < 4) return this.stop('capture_bad_block', at + 4, 'simple packet block is too short');
          const orig = this.u32(b, body);
          const capLen = Math.min(orig, bodyEnd - body - 4, ifc.snaplen > 0 ? ifc.snaplen : orig);
          out.push({ timestampMs: 0, linkType: ifc.linkType, data: b.subarray(body + 4, body + 4 + capLen), originalLength: orig });
          break;
        }
        default:
          break; // name resolution, statistics, custom, decryption secrets...: not needed
      }
      at += len;
    }
    return at;
  }
}
