// pcap (tcpdump.org LINKTYPE file format, little-endian, microsecond timestamps) and pcapng
// (draft-ietf-opsawg-pcapng: SHB, IDB with if_tsresol 6, EPB) writers. Pure: records in, bytes
// out; the header and record functions let the shell stream large captures to a file.
import { ByteWriter } from '../../lib/byte-writer.js';

export const LINKTYPE_ETHERNET = 1;

export interface CaptureRecord {
  /** Capture time, ms since the epoch (fractions kept to the microsecond). */
  readonly timestampMs: number;
  readonly data: Uint8Array;
  /** Length on the wire; defaults to data.length. */
  readonly originalLength?: number;
}

export interface CaptureOptions {
  readonly linkType?: number;
  /** Bytes kept per packet (the rest is counted in originalLength). Default 65535. */
  readonly snaplen?: number;
}

/** Little-endian writer for the capture formats (ByteWriter is big-endian). */
class LeWriter {
  private readonly w: ByteWriter;
  constructor(capacity: number) {
    this.w = new ByteWriter(capacity);
  }
  u16(v: number): this {
    this.w.u8(v & 0xff).u8((v >>> 8) & 0xff);
    return this;
  }
  u32(v: number): this {
    this.w.u8(v & 0xff).u8((v >>> 8) & 0xff).u8((v >>> 16) & 0xff).u8((v >>> 24) & 0xff);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.w.bytes(b);
    return this;
  }
  pad4(n: number): this {
    this.w.bytes(new Uint8Array((4 - (n % 4)) % 4));
    return this;
  }
  finish(): Uint8Array {
    return this.w.finish();
  }
}

function splitMicros(timestampMs: number): { sec: number; usec: number; micros: number } {
  const micros = Math.round(timestampMs * 1000);
  return { sec: Math.floor(micros / 1e6), usec: micros % 1e6, micros };
}

export function pcapFileHeader(o: CaptureOptions = {}): Uint8Array {
  return new LeWriter(24)
    .u32(0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0) // thiszone
    .u32(0) // sigfigs
    .u32(o.snaplen ?? 65_535)
    .u32(o.linkType ?? LINKTYPE_ETHERNET)
    .finish();
}

export function pcapRecord(r: CaptureRecord, o: CaptureOptions = {}): Uint8Array {
  const kept = r.data.subarray(0, Math.min(r.data.length, o.snaplen ?? 65_535));
  const t = splitMicros(r.timestampMs);
  return new LeWriter(16 + kept.length).u32(t.sec).u32(t.usec).u32(kept.length).u32(r.originalLength ?? r.data.length).bytes(kept).finish();
}

export function writePcap(records: Iterable<CaptureRecord>, o: CaptureOptions = {}): Uint8Array {
  const parts = [pcapFileHeader(o)];
  for (const r of records) parts.push(pcapRecord(r, o));
  return concatBytes(parts);
}

function option(w: LeWriter, code: number, value: Uint8Array): void {
  w.u16(code).u16(value.length).bytes(value).pad4(value.length);
}

/** Section header block (byte-order magic 0x1A2B3C4D, version 1.0, unknown section length). */
export function pcapngSectionHeader(application = 'failsmall synth'): Uint8Array {
  const app = new TextEncoder().encode(application);
  const optBytes = 4 + app.length + ((4 - (app.length % 4)) % 4) + 4;
  const len = 28 + optBytes;
  const w = new LeWriter(len).u32(0x0a0d0d0a).u32(len).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff);
  option(w, 4, app); // shb_userappl
  w.u16(0).u16(0); // opt_endofopt
  return w.u32(len).finish();
}

/** Interface description block with if_name and if_tsresol = 6 (microseconds). */
export function pcapngInterface(o: CaptureOptions & { readonly name?: string } = {}): Uint8Array {
  const name = new TextEncoder().encode(o.name ?? 'synth0');
  const optBytes = 4 + name.length + ((4 - (name.length % 4)) % 4) + 8 + 4;
  const len = 20 + optBytes;
  const w = new LeWriter(len)
    .u32(1)
    .u32(len)
    .u16(o.linkType ?? LINKTYPE_ETHERNET)
    .u16(0)
    .u32(o.snaplen ?? 65_535);
  option(w, 2, name); // if_name
  option(w, 9, Uint8Array.of(6)); // if_tsresol: 10^-6
  w.u16(0).u16(0);
  return w.u32(len).finish();
}

/** Enhanced packet block on interface 0. */
export function pcapngPacket(r: CaptureRecord, o: CaptureOptions = {}): Uint8Array {
  const kept = r.data.subarray(0, Math.min(r.data.length, o.snaplen ?? 65_535));
  const t = splitMicros(r.timestampMs);
  const len = 32 + kept.length + ((4 - (kept.length % 4)) % 4);
  return new LeWriter(len)
    .u32(6)
    .u32(len)
    .u32(0)
    .u32(Math.floor(t.micros / 2 ** 32))
    .u32(t.micros >>> 0)
    .u32(kept.length)
    .u32(r.originalLength ?? r.data.length)
    .bytes(kept)
    .pad4(kept.length)
    .u32(len)
    .finish();
}

export function writePcapng(records: Iterable<CaptureRecord>, o: CaptureOptions = {}): Uint8Array {
  const parts = [pcapngSectionHeader(), pcapngInterface(o)];
  for (const r of records) parts.push(pcapngPacket(r, o));
  return concatBytes(parts);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
