// Seeded mutation of telemetry datagrams for fuzzing (benchmarks/fuzz-telemetry.ts and the
// property tests). The corpus is every vector under captured/, bad/ and regressions/; mutations
// usually keep the version and (IPFIX) message length plausible so set, sample and record
// decoding is reached, not just the header check.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Random } from '../../../../src/lib/random.js';
import type { FlowDatagramFormat, FlowRecord } from '../../../../src/telemetry/index.js';
import { parseVector } from '../vector-file.js';

const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface CorpusEntry {
  readonly name: string;
  readonly format: FlowDatagramFormat;
  readonly datagram: Uint8Array;
}

export function loadTelemetryCorpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const dir of ['captured', 'bad', 'regressions']) {
    const path = join(vectorsDir, dir);
    if (!existsSync(path)) continue;
    for (const f of readdirSync(path).filter((n) => n.endsWith('.hex'))) {
      const v = parseVector(f, readFileSync(join(path, f), 'utf8'));
      const format = v.headers.format as FlowDatagramFormat;
      for (const d of v.datagrams) out.push({ name: `${dir}/${f}`, format, datagram: d });
    }
  }
  return out;
}

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x09, 0x0a, 0x10, 0x7f, 0x80, 0xff, 0xfe];

/** One mutated datagram of `e`'s format. */
export function mutateDatagram(e: CorpusEntry, corpus: readonly CorpusEntry[], rnd: Random): Uint8Array {
  let b = Array.from(e.datagram);
  const rounds = rnd.int(1, 4);
  for (let i = 0; i < rounds; i++) {
    const at = rnd.int(0, Math.max(0, b.length - 1));
    switch (rnd.int(0, 8)) {
      case 0:
        b[at] = (b[at] ?? 0) ^ (1 << rnd.int(0, 7));
        break;
      case 1:
        b[at] = rnd.pick(INTERESTING);
        break;
      case 2:
        b = b.slice(0, rnd.int(0, b.length));
        break;
      case 3:
        b.splice(at, 0, ...Array.from({ length: rnd.int(1, 8) }, () => rnd.int(0, 255)));
        break;
      case 4: {
        const len = rnd.int(1, 32);
        b.splice(at, 0, ...b.slice(at, at + len));
        break;
      }
      case 5:
        b[at] = ((b[at] ?? 0) + rnd.pick([-4, -2, -1, 1, 2, 4, 16, -16])) & 0xff;
        break;
      case 6: {
        const other = rnd.pick(corpus).datagram;
        const from = rnd.int(0, Math.max(0, other.length - 1));
        b.splice(at, rnd.int(0, 8), ...Array.from(other.subarray(from, from + rnd.int(1, 40))));
        break;
      }
      case 7: {
        // a 16-bit length-like field set to something extreme
        const v = rnd.pick([0, 1, 3, 4, 5, 0x7fff, 0xffff, b.length, b.length + 1]);
        b[at] = (v >> 8) & 0xff;
        if (at + 1 < b.length) b[at + 1] = v & 0xff;
        break;
      }
      default:
        b.splice(at, rnd.int(1, 6));
        break;
    }
  }
  if (b.length > 9000) b = b.slice(0, 9000);
  if (rnd.next() < 0.8 && b.length >= 4) {
    if (e.format === 'sflow') b.splice(0, 4, 0, 0, 0, 5);
    else {
      b[0] = 0;
      b[1] = e.format === 'netflow5' ? 5 : e.format === 'netflow9' ? 9 : 10;
    }
  }
  if (e.format === 'ipfix' && rnd.next() < 0.8 && b.length >= 4) {
    b[2] = (b.length >> 8) & 0xff;
    b[3] = b.length & 0xff;
  }
  return Uint8Array.from(b);
}

/** A decoded record that breaks the FlowRecord contract (or undefined when it is sound). */
export function recordProblem(r: FlowRecord): string | undefined {
  if (!Number.isFinite(r.timestampMs)) return `timestampMs = ${r.timestampMs}`; // exporter clocks may say anything, even before 1970
  const nums: Array<[string, number | undefined]> = [
    ['protocol', r.protocol],
    ['srcPort', r.srcPort],
    ['dstPort', r.dstPort],
    ['tcpFlags', r.tcpFlags],
    ['dscp', r.dscp],
    ['fragmentFlags', r.fragmentFlags],
    ['packetLengthBytes', r.packetLengthBytes],
    ['sampledPackets', r.sampledPackets],
    ['sampledBytes', r.sampledBytes],
    ['sampleRate', r.sampleRate],
    ['estimatedPackets', r.estimatedPackets],
    ['estimatedBytes', r.estimatedBytes],
  ];
  for (const [k, v] of nums) if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${k} = ${v}`;
  if (r.protocol > 255 || r.srcPort > 65535 || r.dstPort > 65535 || r.tcpFlags > 255 || r.dscp > 63 || r.fragmentFlags > 15) return 'a field is beyond its width';
  if (r.sampleRate < 1) return `sampleRate ${r.sampleRate} < 1`;
  if (r.estimatedPackets !== r.sampledPackets * r.sampleRate) return 'estimatedPackets is not sampled × rate';
  if (r.family !== 4 && r.family !== 6) return `family ${r.family}`;
  if (typeof r.srcAddr !== 'string' || typeof r.dstAddr !== 'string' || r.srcAddr.length < 2 || r.dstAddr.length < 2) return 'address text';
  if ((r.family === 4) !== r.srcAddr.includes('.') || r.srcAddr.includes(':') !== (r.family === 6)) return `family ${r.family} with ${r.srcAddr}`;
  return undefined;
}
