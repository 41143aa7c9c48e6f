import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureFileBatches, streamCaptureFile } from '../io/pcap-file.js';
import { CaptureParser, type CapturedPacket } from './capture-parser.js';
import { readCapture } from './read-capture.js';

const frame = Uint8Array.from(Buffer.from('0200000000010200000000020800452800261234000037110000c6336407adf5350a00359c40001200006161616161616161616161', 'hex'));

class Bytes {
  readonly parts: number[] = [];
  constructor(readonly little: boolean) {}
  u16(v: number): this {
    this.parts.push(...(this.little ? [v & 0xff, v >>> 8] : [v >>> 8, v & 0xff]));
    return this;
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.parts.push(...(this.little ? b.reverse() : b));
    return this;
  }
  raw(b: ArrayLike<number>): this {
    this.parts.push(...Array.from(b));
    return this;
  }
  pad(n: number): this {
    while (n % 4 !== 0) {
      this.parts.push(0);
      n++;
    }
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function pcap(little: boolean, nano: boolean, records: Array<[number, number, Uint8Array]>, link = 1): Uint8Array {
  const b = new Bytes(little).u32(nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(link);
  for (const [sec, frac, data] of records) b.u32(sec).u32(frac).u32(data.length).u32(data.length + 4).raw(data);
  return b.done();
}

/** A pcapng block: type, total length, body, trailing length. */
function block(b: Bytes, type: number, body: (x: Bytes) => void): void {
  const inner = new Bytes(b.little);
  body(inner);
  const len = 12 + inner.parts.length;
  b.u32(type).u32(len).raw(inner.parts).u32(len);
}

function pcapng(little: boolean): Uint8Array {
  const b = new Bytes(little);
  block(b, 0x0a0d0d0a, (x) => x.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff));
  // IDB 0: Ethernet, if_tsresol 9 (ns), if_tsoffset 100 s
  block(b, 1, (x) => {
    x.u16(1).u16(0).u32(0);
    x.u16(9).u16(1).raw([9, 0, 0, 0]);
    x.u16(14).u16(8);
    if (little) x.u32(100).u32(0);
    else x.u32(0).u32(100);
    x.u16(0).u16(0);
  });
  block(b, 0x0bad, (x) => x.raw([1, 2, 3, 4])); // unknown (custom-like): skipped
  // EPB: ts = 1.5 s in ns units
  block(b, 6, (x) => x.u32(0).u32(0).u32(1_500_000_000).u32(frame.length).u32(frame.length).raw(frame).pad(frame.length));
  // obsolete packet block (2): interface id u16, drops u16
  block(b, 2, (x) => x.u16(0).u16(0).u32(0).u32(2_000_000_000).u32(frame.length).u32(frame.length).raw(frame).pad(frame.length));
  // simple packet block: original length only
  block(b, 3, (x) => x.u32(frame.length).raw(frame).pad(frame.length));
  return b.done();
}

const dir = mkdtempSync(join(tmpdir(), 'failsmall-capture-parser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const summary = (ps: CapturedPacket[]): Array<[number, number, number, number]> => ps.map((p) => [p.timestampMs, p.linkType, p.data.length, p.originalLength]);

describe('pcap', () => {
  it.each([
    ['little-endian, microseconds', true, false, 1_700_000_000_250],
    ['big-endian, microseconds', false, false, 1_700_000_000_250],
    ['little-endian, nanoseconds', true, true, 1_700_000_000_000.25],
    ['big-endian, nanoseconds', false, true, 1_700_000_000_000.25],
  ] as const)('%s', (_n, little, nano, ms) => {
    const r = readCapture(pcap(little, nano, [[1_700_000_000, 250_000, frame]]));
    expect(r.format).toBe('pcap');
    expect(r.error).toBeUndefined();
    expect(summary(r.packets)).toEqual([[ms, 1, frame.length, frame.length + 4]]);
    expect(Buffer.from(r.packets[0]!.data).equals(Buffer.from(frame))).toBe(true);
  });
  it('stops at a record beyond the snap length and at a cut record, keeping what came before', () => {
    const good = pcap(true, false, [[1, 0, frame]]);
    const huge = new Bytes(true).u32(2).u32(0).u32(1_000_000).u32(1_000_000).done();
    const r = readCapture(Uint8Array.from([...good, ...huge]));
    expect(r.packets).toHaveLength(1);
    expect(r.error).toMatchObject({ code: 'capture_record_too_large', offset: good.length + 8 });
    const cut = readCapture(good.subarray(0, good.length - 3));
    expect(cut.packets).toHaveLength(0);
    expect(cut.error).toMatchObject({ code: 'truncated', offset: 24 });
  });
});

describe('pcapng', () => {
  it.each([true, false])('reads EPB, obsolete PB and SPB with if_tsresol/if_tsoffset, skipping unknown blocks (little-endian %s)', (little) => {
    const r = readCapture(pcapng(little));
    expect(r.error).toBeUndefined();
    expect(r.format).toBe('pcapng');
    expect(summary(r.packets)).toEqual([
      [101_500, 1, frame.length, frame.length],
      [102_000, 1, frame.length, frame.length],
      [0, 1, frame.length, frame.length],
    ]);
  });
  it('a new section forgets the interfaces of the one before', () => {
    const one = pcapng(true);
    const b = new Bytes(true);
    block(b, 0x0a0d0d0a, (x) => x.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff));
    block(b, 6, (x) => x.u32(0).u32(0).u32(1).u32(frame.length).u32(frame.length).raw(frame).pad(frame.length));
    const r = readCapture(Uint8Array.from([...one, ...b.done()]));
    expect(r.packets).toHaveLength(3);
    expect(r.error?.code).toBe('capture_unknown_interface');
  });
  it('rejects a block whose trailer disagrees with its length', () => {
    const b = pcapng(true);
    b[b.length - 1] = 0x7f;
    expect(readCapture(b).error?.code).toBe('capture_bad_block');
  });
});

describe('streaming a capture file', () => {
  it('reads a file in small chunks to the same packets as the whole-buffer reader', async () => {
    const records: Array<[number, number, Uint8Array]> = Array.from({ length: 500 }, (_, i) => [1_700_000_000 + i, i, frame]);
    const bytes = pcap(true, false, records);
    const file = join(dir, 'big.pcap');
    writeFileSync(file, bytes);
    const seen: CapturedPacket[] = [];
    const s = await streamCaptureFile(file, (ps) => void seen.push(...ps), { chunkBytes: 4096 });
    expect(s).toEqual({ format: 'pcap', packets: 500, bytes: bytes.length });
    expect(summary(seen)).toEqual(summary(readCapture(bytes).packets));
    let batches = 0;
    let n = 0;
    const it = readCaptureFileBatches(file, { chunkBytes: 4096 });
    for (let x = await it.next(); !x.done; x = await it.next()) {
      batches++;
      n += x.value.length;
    }
    expect([n, batches > 3]).toEqual([500, true]);
  });
  it('reports a capture cut inside a record', async () => {
    const bytes = pcap(true, false, [[1, 0, frame], [2, 0, frame]]);
    const file = join(dir, 'cut.pcap');
    writeFileSync(file, bytes.subarray(0, bytes.length - 5));
    const s = await streamCaptureFile(file, () => undefined, { chunkBytes: 4096 });
    expect(s.packets).toBe(1);
    expect(s.error?.code).toBe('truncated');
  });
  it('keeps at most one unfinished record between chunks', () => {
    const p = new CaptureParser();
    const bytes = pcap(true, false, [[1, 0, frame]]);
    expect(p.push(bytes.subarray(0, 30))).toEqual([]);
    expect(p.push(bytes.subarray(30))).toHaveLength(1);
    expect(p.finish()).toBeUndefined();
  });
});
