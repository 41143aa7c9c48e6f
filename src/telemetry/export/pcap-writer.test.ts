// pcap and pcapng writers: read back by the project's capture reader and by tshark (capinfos-
// style fields), with snap lengths and microsecond timestamps kept.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../pcap/read-capture.js';
import { buildFrames } from './packet-builder.js';
import type { DatagramSpec } from './packet-spec.js';
import { type CaptureRecord, writePcap, writePcapng } from './pcap-writer.js';

const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'failsmall-pcapw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const d: DatagramSpec = { family: 4, srcAddr: '192.0.2.1', dstAddr: '173.245.53.10', ttl: 60, dscp: 0, ipId: 1, dontFragment: false, transport: { kind: 'udp', srcPort: 40001, dstPort: 40000 }, payload: { kind: 'filler', lengthBytes: 2500, seed: 1 } };
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const records: CaptureRecord[] = buildFrames(d, 1500).map((data, i) => ({ timestampMs: T0 + i * 1.234567, data }));

describe('capture writers', () => {
  for (const [name, write] of [['pcap', writePcap], ['pcapng', writePcapng]] as const) {
    it(`${name}: the reader gets the frames, lengths and microsecond timestamps back`, () => {
      const r = readCapture(write(records, { snaplen: 96 }));
      expect(r.error).toBeUndefined();
      expect(r.format).toBe(name);
      expect(r.packets.map((p) => p.originalLength)).toEqual(records.map((x) => x.data.length));
      expect(r.packets.map((p) => p.data)).toEqual(records.map((x) => x.data.subarray(0, 96)));
      r.packets.forEach((p, i) => expect(p.timestampMs).toBeCloseTo(records[i]!.timestampMs, 3));
    });

    it.skipIf(!hasTshark)(`${name}: tshark reads every frame with its lengths and time`, () => {
      const file = join(dir, `w.${name}`);
      writeFileSync(file, write(records));
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch', '-e', 'ip.frag_offset'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const rows = out.trim().split('\n').map((l) => l.split('|'));
      expect(rows.map((x) => [Number(x[0]), Number(x[1]), Number(x[3])])).toEqual([
        [1514, 1514, 0],
        [1062, 1062, 185], // ip.frag_offset in 8-byte units: 1480 bytes
      ]);
      expect(Number(rows[1]![2]) * 1000).toBeCloseTo(T0 + 1.234567, 2);
    });
  }
});
