import { describe, expect, it } from 'vitest';
import { ByteReader, decodeWith } from './byte-reader.js';
import { ByteWriter, bytesToHex, hexToBytes } from './byte-writer.js';

describe('ByteReader', () => {
  it('reads big-endian integers and reports truncation with the offset', () => {
    const r = new ByteReader(hexToBytes('01 0203 040506 0708090a ffffffffffffffff'));
    expect([r.u8(), r.u16(), r.u24(), r.u32()]).toEqual([1, 0x0203, 0x040506, 0x0708090a]);
    expect(r.u64()).toBe(2 ** 64 - 1);
    const res = decodeWith(() => r.u8('tail'));
    expect(res).toEqual({ ok: false, error: { code: 'truncated', offset: 18, message: 'need 1 bytes for tail, 0 left' } });
  });
  it('bounds a sub-reader by its enclosing length', () => {
    const r = new ByteReader(hexToBytes('0002 aabb cc'));
    const len = r.u16();
    const sub = r.sub(len);
    expect(sub.u16()).toBe(0xaabb);
    expect(decodeWith(() => sub.u8()).ok).toBe(false);
    expect(r.u8()).toBe(0xcc);
  });
  it('turns a non-DecodeFailure throw into decoder_bug', () => {
    const res = decodeWith(() => {
      throw new TypeError('boom');
    });
    expect(!res.ok && res.error.code).toBe('decoder_bug');
  });
});

describe('ByteWriter', () => {
  it('round-trips through the reader', () => {
    const w = new ByteWriter(2);
    w.u8(1).u16(0x0203).u24(0x040506).u32(0xfffffffe).u64(2 ** 40 + 7).uint(0x0102, 3);
    const at = w.reserve(2);
    w.setU16(at, 0xbeef);
    const bytes = w.finish();
    expect(bytesToHex(bytes)).toBe('01020304050' + '6fffffffe0000010000000007000102beef');
    const r = new ByteReader(bytes);
    expect([r.u8(), r.u16(), r.u24(), r.u32(), r.u64(), r.uint(3), r.u16()]).toEqual([1, 0x0203, 0x040506, 0xfffffffe, 2 ** 40 + 7, 0x0102, 0xbeef]);
  });
  it('parses annotated hex with comments', () => {
    expect(bytesToHex(hexToBytes('ff ff # marker\n 00 13 # length'))).toBe('ffff0013');
  });
});
