// Seeded packet-level traffic: background units (TCP connections, QUIC sessions, DNS, NTP,
// pings) towards the victim network and attack units, every wire packet labelled. Pure: the
// same plan, Random state and start time give the same packets in the same order.
//
// Unsampled (sampleRate 1): units are drawn until each class has put its rate's worth of
// packets on the wire, and every packet of every unit is produced in time order.
// Sampled (1:N): only sampled packets are produced. Each class's sampled count per slice is its
// packets / N; each sample picks a unit with probability proportional to its packet count
// (rejection against the class's largest unit) and one of that unit's packets at random, so the
// result is the 1-in-N thinning of the unsampled stream without drawing the packets nobody sees.
import type { Random } from '../../lib/random.js';
import { fragmentCount } from '../export/packet-builder.js';
import type { AttackPlan, SynthPacket, TrafficPlan } from './traffic-plan.js';
import {
  ATTACK_MAX_PACKETS,
  type AttackContext,
  BENIGN_KINDS,
  BENIGN_MAX_PACKETS,
  BENIGN_SHARES,
  type BenignContext,
  NTP_POLL_INTERVAL_MS,
  type TrafficUnit,
  buildAttackContext,
  buildBenignContext,
  drawAttackUnit,
  drawBenignUnit,
  unitWirePackets,
} from './traffic-units.js';

const SLICE_MS = 100;

interface TrafficClass {
  readonly label: string;
  readonly pps: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly pops: readonly string[];
  readonly maxPackets: number;
  readonly draw: () => TrafficUnit;
  /** Unsampled mode: packets owed to the wire so far (rate × time − packets produced). */
  owed: number;
}

/** Min-heap of pending packets by (time, insertion order). */
class PacketHeap {
  private readonly items: Array<{ t: number; n: number; p: SynthPacket }> = [];
  private n = 0;
  get size(): number {
    return this.items.length;
  }
  push(p: SynthPacket): void {
    const a = this.items;
    a.push({ t: p.timestampMs, n: this.n++, p });
    for (let i = a.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!this.less(a[i]!, a[up]!)) break;
      [a[i], a[up]] = [a[up]!, a[i]!];
      i = up;
    }
  }
  peekTime(): number {
    return this.items[0]?.t ?? Number.POSITIVE_INFINITY;
  }
  pop(): SynthPacket | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined) return undefined;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top.p;
  }
  private less(x: { t: number; n: number }, y: { t: number; n: number }): boolean {
    return x.t < y.t || (x.t === y.t && x.n < y.n);
  }
}

function buildClasses(plan: TrafficPlan, r: Random): TrafficClass[] {
  const classes: TrafficClass[] = [];
  if (plan.background.pps > 0 && plan.background.destinations.length > 0) {
    const ctx: BenignContext = buildBenignContext(r, plan.background.destinations, plan.background.pops);
    for (const kind of BENIGN_KINDS) {
      const pps = kind === 'ntp' ? (plan.background.destinations.length * 1000) / NTP_POLL_INTERVAL_MS : plan.background.pps * BENIGN_SHARES[kind];
      classes.push({ label: 'benign', pps, fromMs: 0, toMs: plan.durationMs, pops: plan.background.pops, maxPackets: BENIGN_MAX_PACKETS[kind], draw: () => drawBenignUnit(kind, r, ctx), owed: 0 });
    }
  }
  for (const a of plan.attacks) classes.push(attackClass(a, r));
  return classes;
}

function attackClass(a: AttackPlan, r: Random): TrafficClass {
  const ctx: AttackContext = buildAttackContext(r, a.kind, a.target, a.pops, a.sources);
  return { label: a.id, pps: a.pps, fromMs: a.startOffsetMs, toMs: a.endOffsetMs, pops: a.pops, maxPackets: ATTACK_MAX_PACKETS[a.kind], draw: () => drawAttackUnit(r, ctx), owed: 0 };
}

/** The expected count with its fraction drawn at random. */
function drawCount(r: Random, expected: number): number {
  const whole = Math.floor(expected);
  return whole + (r.next() < expected - whole ? 1 : 0);
}

function emitUnit(heap: PacketHeap, plan: TrafficPlan, startMs: number, c: TrafficClass, unit: TrafficUnit, unitStartMs: number, r: Random): number {
  const pop = unit.pop ?? r.pick(c.pops);
  let n = 0;
  for (const d of unit.datagrams) {
    const t = unitStartMs + d.offsetMs;
    if (t >= c.toMs || t >= plan.durationMs) continue; // a unit never outlives its class window
    const frags = fragmentCount(d.datagram, plan.mtuBytes);
    for (let f = d.fromFragment; f < frags; f++) {
      heap.push({ timestampMs: startMs + t + f * 0.001, label: c.label, pop, sampleRate: 1, datagram: d.datagram, fragmentIndex: f, mtuBytes: plan.mtuBytes });
      n++;
    }
  }
  return n;
}

/** Pick one wire packet of a unit drawn in proportion to its packet count. */
function sampleUnitPacket(c: TrafficClass, mtuBytes: number, r: Random): { unit: TrafficUnit; datagram: number; fragment: number } {
  for (;;) {
    const unit = c.draw();
    const k = unitWirePackets(unit, mtuBytes);
    if (k === 0) continue;
    if (k < c.maxPackets && r.next() * c.maxPackets >= k) continue;
    let j = r.int(0, k - 1);
    for (let i = 0; i < unit.datagrams.length; i++) {
      const d = unit.datagrams[i]!;
      const here = fragmentCount(d.datagram, mtuBytes) - d.fromFragment;
      if (j < here) return { unit, datagram: i, fragment: d.fromFragment + j };
      j -= here;
    }
  }
}

export function* generatePackets(plan: TrafficPlan, r: Random, startMs: number): Generator<SynthPacket> {
  if (!(plan.sampleRate >= 1)) throw new Error(`sampleRate must be >= 1, got ${plan.sampleRate}`);
  const classes = buildClasses(plan, r);
  const heap = new PacketHeap();
  const sampled = plan.sampleRate > 1;
  for (let t = 0; t < plan.durationMs; t += SLICE_MS) {
    const sliceEnd = Math.min(t + SLICE_MS, plan.durationMs);
    for (const c of classes) {
      const from = Math.max(t, c.fromMs);
      const to = Math.min(sliceEnd, c.toMs);
      if (to <= from || c.pps <= 0) continue;
      const expected = (c.pps * (to - from)) / 1000;
      if (sampled) {
        const n = drawCount(r, expected / plan.sampleRate);
        for (let i = 0; i < n; i++) {
          const pick = sampleUnitPacket(c, plan.mtuBytes, r);
          const d = pick.unit.datagrams[pick.datagram]!;
          const pop = pick.unit.pop ?? r.pick(c.pops);
          heap.push({ timestampMs: startMs + from + r.next() * (to - from), label: c.label, pop, sampleRate: plan.sampleRate, datagram: d.datagram, fragmentIndex: pick.fragment, mtuBytes: plan.mtuBytes });
        }
      } else {
        c.owed += expected;
        while (c.owed > 0) {
          const produced = emitUnit(heap, plan, startMs, c, c.draw(), from + r.next() * (to - from), r);
          c.owed -= Math.max(1, produced);
        }
      }
    }
    // Everything before the slice end is final: later units start at or after it.
    while (heap.size > 0 && heap.peekTime() < startMs + sliceEnd) yield heap.pop()!;
  }
  while (heap.size > 0) yield heap.pop()!;
}
