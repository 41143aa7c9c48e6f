// Seeded synthetic traffic as sampled FlowRecords (what an sFlow exporter at 1:N would report):
// background traffic to a victim network plus labelled attacks. Pure: same config and seed,
// same records.
import { formatAddress, parsePrefix } from '../../lib/prefix.js';
import { type Random, seededRandom } from '../../lib/random.js';
import type { FlowRecord } from '../flow-record.js';
import { type PacketShape, type ScenarioName, drawAttackPacket, drawBenignPacket } from './scenarios.js';

export interface SynthAttack {
  readonly id: string;
  readonly scenario: ScenarioName;
  /** Victim host address, or a prefix for carpet bombing (hosts drawn inside it). */
  readonly target: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Attack packets per second at the edge (before sampling). */
  readonly pps: number;
  /** PoPs whose routers see the attack (anycast: the attack lands near its sources). */
  readonly pops: readonly string[];
}

export interface SynthConfig {
  readonly seed: number;
  readonly startMs: number;
  readonly durationMs: number;
  /** 1-in-N packet sampling. */
  readonly sampleRate: number;
  readonly mtuBytes: number;
  readonly background: {
    readonly pps: number;
    /** Victim-side addresses that receive legitimate traffic. */
    readonly destinations: readonly string[];
    readonly pops: readonly string[];
  };
  readonly attacks: readonly SynthAttack[];
}

function randomV4(r: Random, firstOctets: readonly number[]): string {
  return `${r.pick(firstOctets)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}

const CLIENT_NETS = [24, 31, 37, 49, 62, 78, 81, 86, 92, 101, 109, 151, 176, 188, 201];
const REFLECTOR_NETS = [5, 27, 36, 45, 58, 91, 103, 112, 118, 122, 177, 185, 190, 200, 212];

function hostInPrefix(r: Random, prefixText: string): string {
  const p = parsePrefix(prefixText, { allowHostBits: true });
  if (!p.ok) return prefixText;
  const bytes = Uint8Array.from(p.value.bytes);
  const hostBits = (p.value.family === 4 ? 32 : 128) - p.value.length;
  for (let bit = 0; bit < Math.min(hostBits, 16); bit++) {
    if (r.next() < 0.5) {
      const i = bytes.length - 1 - (bit >> 3);
      bytes[i] = bytes[i]! | (1 << (bit & 7));
    }
  }
  return formatAddress(bytes);
}

function toRecord(cfg: SynthConfig, atMs: number, shape: PacketShape, src: string, dst: string, pop: string, label: string): FlowRecord {
  return {
    timestampMs: atMs,
    source: 'synth',
    exporter: `synth-${pop}`,
    family: dst.includes(':') ? 6 : 4,
    srcAddr: src,
    dstAddr: dst,
    protocol: shape.protocol,
    srcPort: shape.srcPort,
    dstPort: shape.dstPort,
    ...(shape.protocol === 1 ? { icmpType: 8, icmpCode: 0 } : {}),
    tcpFlags: shape.tcpFlags,
    ttl: shape.ttl,
    dscp: 0,
    fragmentFlags: shape.fragmentFlags,
    packetLengthBytes: shape.lengthBytes,
    sampledPackets: 1,
    sampledBytes: shape.lengthBytes,
    sampleRate: cfg.sampleRate,
    estimatedPackets: cfg.sampleRate,
    estimatedBytes: shape.lengthBytes * cfg.sampleRate,
    label,
    pop,
  };
}

/** How many samples fall in a slice: the expected count with its fraction drawn at random. */
function sampleCount(r: Random, pps: number, sliceMs: number, sampleRate: number): number {
  const expected = (pps * sliceMs) / 1000 / sampleRate;
  const whole = Math.floor(expected);
  return whole + (r.next() < expected - whole ? 1 : 0);
}

/** Generate records in time order, one slice (default 100 ms) at a time. */
export function* generateFlows(cfg: SynthConfig, sliceMs = 100): Generator<FlowRecord> {
  const r = seededRandom(cfg.seed);
  const end = cfg.startMs + cfg.durationMs;
  for (let t = cfg.startMs; t < end; t += sliceMs) {
    const slice: FlowRecord[] = [];
    const nBg = sampleCount(r, cfg.background.pps, sliceMs, cfg.sampleRate);
    for (let i = 0; i < nBg; i++) {
      const shape = drawBenignPacket(r, cfg.mtuBytes);
      slice.push(toRecord(cfg, t + r.next() * sliceMs, shape, randomV4(r, CLIENT_NETS), r.pick(cfg.background.destinations), r.pick(cfg.background.pops), 'benign'));
    }
    for (const a of cfg.attacks) {
      if (t + sliceMs <= a.startMs || t >= a.endMs) continue;
      const from = Math.max(t, a.startMs);
      const to = Math.min(t + sliceMs, a.endMs);
      const n = sampleCount(r, a.pps, to - from, cfg.sampleRate);
      for (let i = 0; i < n; i++) {
        const shape = drawAttackPacket(a.scenario, r, cfg.mtuBytes);
        const src = a.scenario === 'syn-flood' || a.scenario === 'udp-flood' ? `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}` : randomV4(r, REFLECTOR_NETS);
        const dst = a.target.includes('/') ? hostInPrefix(r, a.target) : a.target;
        slice.push(toRecord(cfg, from + r.next() * (to - from), shape, src, dst, r.pick(a.pops), a.id));
      }
    }
    slice.sort((x, y) => x.timestampMs - y.timestampMs);
    yield* slice;
  }
}
