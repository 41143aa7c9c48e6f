// Bounds-checked big-endian reader for wire decoders.
// Reads past the end throw DecodeFailure internally; decoders catch it at their
// public boundary with decodeWith() so nothing is thrown to the caller.
import { type DecodeError, type Result, err, ok } from './result.js';

export class DecodeFailure extends Error {
  override name = 'DecodeFailure';
  constructor(
    readonly code: string,
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
  toDecodeError(): DecodeError {
    return { code: this.code, offset: this.offset, message: this.message };
  }
}

export class ByteReader {
  private pos: number;
  /**
   * @param buf    the whole datagram/message (offsets in errors are relative to it)
   * @param start  first byte this reader may read
   * @param end    one past the last byte this reader may read (nested lengths are bounded by it)
   */
  constructor(
    readonly buf: Uint8Array,
    readonly start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    if (end > buf.length || start > end) throw new DecodeFailure('truncated', start, `window ${start}..${end} exceeds buffer of ${buf.length} bytes`);
  }

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  atEnd(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new DecodeFailure('truncated', this.pos, `need ${n} bytes for ${what}, ${this.end - this.pos} left`);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u24(what = 'u24'): number {
    this.need(3, what);
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    const v = ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    this.pos += 4;
    return v;
  }
  /** 64-bit unsigned as a JS number (exact up to 2^53; counters beyond that lose precision, documented). */
  u64(what = 'u64'): number {
    const hi = this.u32(what);
    const lo = this.u32(what);
    return hi * 0x1_0000_0000 + lo;
  }
  /** Unsigned integer of 1..8 bytes (IPFIX reduced-size encoding). */
  uint(n: number, what = 'uint'): number {
    this.need(n, what);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[this.pos + i]!;
    this.pos += n;
    return v;
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }
  /** A child reader over the next n bytes; this reader moves past them. */
  sub(n: number, what = 'sub'): ByteReader {
    this.need(n, what);
    const r = new ByteReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  peekU8(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }
  fail(code: string, message: string, offset = this.pos): never {
    throw new DecodeFailure(code, offset, message);
  }
}

/**
 * Run a decoder body that may throw DecodeFailure and turn it into a Result.
 * Any other exception is a bug in the decoder; it is reported as `decoder_bug`
 * (so a fuzz run still sees it as a failure) rather than crashing the caller.
 */
export function decodeWith<T>(body: () => T): Result<T> {
  try {
    return ok(body());
  } catch (e) {
    if (e instanceof DecodeFailure) return err(e.toDecodeError());
    return err({ code: 'decoder_bug', offset: -1, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
}
