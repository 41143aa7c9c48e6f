// Per-destination attack detector. Deterministic: time comes only from the records and from
// advance(nowMs); no clock or randomness is read. Memory is bounded by config caps.
//
// Rates are estimated (sampled × sampleRate) over a sliding window of fixed buckets, per host
// and per covering prefix (/24, /48) so carpet bombing across a prefix is seen even when no
// single host crosses a threshold. Hysteresis: an attack starts after `enterBuckets` evaluations
// above threshold and ends after `exitBuckets` evaluations below `exitRatio` × threshold.
// Baselines are EWMA rates per key, updated only while the key is not above threshold.
import { formatPrefix, maskBytes, parseAddress, parsePrefix, prefixContains } from '../lib/prefix.js';
import type { Prefix } from '../lib/prefix.js';
import type { FlowRecord } from '../telemetry/flow-record.js';
import { AMPLIFICATION_PORTS, TRAFFIC_CLASSES, type TrafficClass, classifyFlow } from './traffic-class.js';
import type { Attack, AttackEvent, AttackType } from './types.js';

export interface PrefixGroupThreshold {
  readonly prefix: string;
  readonly thresholdPps?: number;
  readonly thresholdBps?: number;
}

export interface DetectorConfig {
  readonly bucketMs: number;
  readonly windowMs: number;
  /** Per-host thresholds (estimated). */
  readonly thresholdPps: number;
  readonly thresholdBps: number;
  /** Per covering prefix (carpet bombing). */
  readonly prefixThresholdPps: number;
  readonly prefixThresholdBps: number;
  /** Overrides for destinations inside these prefixes (longest match wins). */
  readonly prefixGroups: readonly PrefixGroupThreshold[];
  /** With a warm baseline, the rate must also exceed this multiple of it. */
  readonly baselineFactor: number;
  readonly baselineAlpha: number;
  readonly baselineWarmupBuckets: number;
  readonly enterBuckets: number;
  readonly exitBuckets: number;
  readonly exitRatio: number;
  readonly carpetPrefixV4: number;
  readonly carpetPrefixV6: number;
  readonly maxTrackedKeys: number;
  readonly idleEvictMs: number;
  readonly maxAttackSamples: number;
  readonly recentSamplesPerPrefix: number;
  readonly maxSeriesPoints: number;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = {
  bucketMs: 250,
  windowMs: 1000,
  thresholdPps: 200_000,
  thresholdBps: 2e9,
  prefixThresholdPps: 500_000,
  prefixThresholdBps: 5e9,
  prefixGroups: [],
  baselineFactor: 4,
  baselineAlpha: 0.02,
  baselineWarmupBuckets: 40,
  enterBuckets: 2,
  exitBuckets: 12,
  exitRatio: 0.5,
  carpetPrefixV4: 24,
  carpetPrefixV6: 48,
  maxTrackedKeys: 50_000,
  idleEvictMs: 120_000,
  maxAttackSamples: 20_000,
  recentSamplesPerPrefix: 4_000,
  maxSeriesPoints: 600,
};

interface KeyState {
  readonly key: string;
  readonly isPrefix: boolean;
  readonly family: 4 | 6;
  readonly prefixKey: string;
  /** Ring of per-bucket totals: packets, bytes, and packets per class. */
  readonly pk: Float64Array;
  readonly by: Float64Array;
  readonly cls: Float64Array; // bucketCount × classCount
  readonly thresholdPps: number;
  readonly thresholdBps: number;
  ewmaPps: number;
  warmBuckets: number;
  above: number;
  below: number;
  firstAboveMs: number;
  lastTouchedMs: number;
  pops: Map<string, number>;
  attack?: MutableAttack;
}

interface MutableAttack {
  id: string;
  destination: string;
  family: 4 | 6;
  type: AttackType;
  state: 'active' | 'ended';
  startMs: number;
  detectedMs: number;
  lastSeenMs: number;
  endMs?: number;
  peakPps: number;
  peakBps: number;
  currentPps: number;
  /** Attack samples per PoP: a PoP "sees" the attack when it carries at least 2% of them. */
  popCounts: Map<string, number>;
  series: Array<readonly [number, number]>;
  samples: FlowRecord[];
  seen: number;
  baseline: FlowRecord[];
}

const CLASS_COUNT = TRAFFIC_CLASSES.length;

export class AttackDetector {
  private readonly cfg: DetectorConfig;
  private readonly bucketCount: number;
  private bucketIndex = -1;
  private bucketEndMs = Number.NaN;
  private readonly keys = new Map<string, KeyState>();
  /** Per covering prefix: records that arrived while neither host nor prefix was above threshold (baseline). */
  private readonly calm = new Map<string, FlowRecord[]>();
  /** Per covering prefix: the last window of records (onset samples of a new attack). */
  private readonly recent = new Map<string, FlowRecord[]>();
  private readonly groups: Array<{ prefix: Prefix; g: PrefixGroupThreshold }>;
  private events: AttackEvent[] = [];
  private attackSeq = 0;
  private readonly finished: MutableAttack[] = [];
  /** Counters for metrics. */
  readonly stats = { records: 0, evictedKeys: 0, droppedOld: 0, attacksStarted: 0, attacksEnded: 0 };

  constructor(config: Partial<DetectorConfig> = {}) {
    this.cfg = { ...DEFAULT_DETECTOR_CONFIG, ...config };
    this.bucketCount = Math.max(1, Math.round(this.cfg.windowMs / this.cfg.bucketMs));
    this.groups = this.cfg.prefixGroups
      .map((g) => ({ p: parsePrefix(g.prefix, { allowHostBits: true }), g }))
      .filter((x): x is { p: { ok: true; value: Prefix }; g: PrefixGroupThreshold } => x.p.ok)
      .map((x) => ({ prefix: x.p.value, g: x.g }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  get config(): DetectorConfig {
    return this.cfg;
  }

  /** Feed one record (records should arrive roughly in time order; older than the window are dropped). */
  ingest(f: FlowRecord): void {
    const t = f.timestampMs;
    if (Number.isNaN(this.bucketEndMs)) {
      this.bucketEndMs = Math.floor(t / this.cfg.bucketMs) * this.cfg.bucketMs + this.cfg.bucketMs;
      this.bucketIndex = 0;
    }
    if (t < this.bucketEndMs - this.cfg.bucketMs * this.bucketCount) {
      this.stats.droppedOld++;
      return;
    }
    this.advance(t);
    this.stats.records++;
    const addr = parseAddress(f.dstAddr);
    if (!addr) return;
    const prefixKey = this.prefixKeyOf(addr);
    this.add(f.dstAddr, false, f, prefixKey);
    this.add(prefixKey, true, f, prefixKey);
    const host = this.keys.get(f.dstAddr);
    const pfx = this.keys.get(prefixKey);
    const recent = ringFor(this.recent, prefixKey);
    recent.push(f);
    const oldest = this.bucketEndMs - this.cfg.bucketMs * (this.bucketCount + 1);
    let drop = 0;
    while (drop < recent.length && recent[drop]!.timestampMs < oldest) drop++;
    if (recent.length - drop > this.cfg.maxAttackSamples) drop = recent.length - this.cfg.maxAttackSamples;
    if (drop > 0) recent.splice(0, drop);
    if (!host?.attack && !pfx?.attack && !host?.above && !pfx?.above) {
      const calm = ringFor(this.calm, prefixKey);
      calm.push(f);
      if (calm.length > this.cfg.recentSamplesPerPrefix) calm.splice(0, calm.length - this.cfg.recentSamplesPerPrefix);
    }
    if (host?.attack) this.collect(host.attack, f);
    if (pfx?.attack) this.collect(pfx.attack, f);
  }

  /** Close every bucket that ends at or before nowMs (telemetry time). */
  advance(nowMs: number): void {
    while (!Number.isNaN(this.bucketEndMs) && nowMs >= this.bucketEndMs) this.closeBucket();
  }

  /** Events since the last call. */
  drainEvents(): AttackEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  activeAttacks(): Attack[] {
    return [...this.keys.values()].filter((k) => k.attack).map((k) => freeze(k.attack!));
  }

  /** Every attack seen so far, active and ended (ended ones bounded to the last 1000). */
  allAttacks(): Attack[] {
    return [...this.finished.map(freeze), ...this.activeAttacks()].sort((a, b) => a.startMs - b.startMs);
  }

  /** Records of an attack (bounded reservoir) and the victim's recent traffic before its onset. */
  attackSamples(attackId: string): { attack: readonly FlowRecord[]; baseline: readonly FlowRecord[] } | undefined {
    const a = [...this.keys.values()].map((k) => k.attack).find((x) => x?.id === attackId) ?? this.finished.find((x) => x.id === attackId);
    return a ? { attack: a.samples, baseline: a.baseline } : undefined;
  }

  get trackedKeys(): number {
    return this.keys.size;
  }

  private prefixKeyOf(addr: Uint8Array): string {
    const len = addr.length === 4 ? this.cfg.carpetPrefixV4 : this.cfg.carpetPrefixV6;
    return formatPrefix({ family: addr.length === 4 ? 4 : 6, bytes: maskBytes(addr, len), length: len });
  }

  private thresholdsFor(key: string, isPrefix: boolean): { pps: number; bps: number } {
    const base = isPrefix ? { pps: this.cfg.prefixThresholdPps, bps: this.cfg.prefixThresholdBps } : { pps: this.cfg.thresholdPps, bps: this.cfg.thresholdBps };
    if (this.groups.length === 0) return base;
    const p = parsePrefix(key, { allowHostBits: true });
    if (!p.ok) return base;
    const g = this.groups.find((x) => prefixContains(x.prefix, p.value));
    return g ? { pps: g.g.thresholdPps ?? base.pps, bps: g.g.thresholdBps ?? base.bps } : base;
  }

  private add(key: string, isPrefix: boolean, f: FlowRecord, prefixKey: string): void {
    let k = this.keys.get(key);
    if (!k) {
      if (this.keys.size >= this.cfg.maxTrackedKeys) this.evictOne();
      const th = this.thresholdsFor(key, isPrefix);
      k = {
        key,
        isPrefix,
        family: f.family,
        prefixKey,
        pk: new Float64Array(this.bucketCount),
        by: new Float64Array(this.bucketCount),
        cls: new Float64Array(this.bucketCount * CLASS_COUNT),
        thresholdPps: th.pps,
        thresholdBps: th.bps,
        ewmaPps: 0,
        warmBuckets: 0,
        above: 0,
        below: 0,
        firstAboveMs: 0,
        lastTouchedMs: f.timestampMs,
        pops: new Map(),
      };
      this.keys.set(key, k);
    }
    const i = this.bucketIndex;
    k.pk[i] = k.pk[i]! + f.estimatedPackets;
    k.by[i] = k.by[i]! + f.estimatedBytes;
    const c = TRAFFIC_CLASSES.indexOf(classifyFlow(f));
    k.cls[i * CLASS_COUNT + c] = k.cls[i * CLASS_COUNT + c]! + f.estimatedPackets;
    k.lastTouchedMs = f.timestampMs;
    if (f.pop) k.pops.set(f.pop, f.timestampMs);
  }

  private evictOne(): void {
    // Evict the least recently touched key that is not under attack.
    let victim: KeyState | undefined;
    for (const k of this.keys.values()) if (!k.attack && (!victim || k.lastTouchedMs < victim.lastTouchedMs)) victim = k;
    if (victim) {
      this.keys.delete(victim.key);
      this.stats.evictedKeys++;
    }
  }

  private collect(a: MutableAttack, f: FlowRecord): void {
    a.seen++;
    if (a.samples.length < this.cfg.maxAttackSamples) a.samples.push(f);
    else {
      // deterministic reservoir: replace slot seen mod capacity with stride
      const slot = (a.seen * 2654435761) % a.seen;
      if (slot < this.cfg.maxAttackSamples) a.samples[slot] = f;
    }
    if (f.pop) a.popCounts.set(f.pop, (a.popCounts.get(f.pop) ?? 0) + 1);
  }

  private closeBucket(): void {
    const endMs = this.bucketEndMs;
    const hostsAboveInPrefix = new Set<string>();
    const ordered = [...this.keys.values()].sort((a, b) => Number(a.isPrefix) - Number(b.isPrefix));
    for (const k of ordered) this.evaluate(k, endMs, hostsAboveInPrefix);
    // next bucket: clear its slot
    this.bucketIndex = (this.bucketIndex + 1) % this.bucketCount;
    this.bucketEndMs += this.cfg.bucketMs;
    for (const k of this.keys.values()) {
      k.pk[this.bucketIndex] = 0;
      k.by[this.bucketIndex] = 0;
      k.cls.fill(0, this.bucketIndex * CLASS_COUNT, (this.bucketIndex + 1) * CLASS_COUNT);
      if (!k.attack && endMs - k.lastTouchedMs > this.cfg.idleEvictMs) {
        this.keys.delete(k.key);
        if (k.isPrefix) {
          this.recent.delete(k.key);
          this.calm.delete(k.key);
        }
      }
    }
  }

  private evaluate(k: KeyState, endMs: number, hostsAboveInPrefix: Set<string>): void {
    let pk = 0;
    let by = 0;
    for (let i = 0; i < this.bucketCount; i++) {
      pk += k.pk[i]!;
      by += k.by[i]!;
    }
    const secs = this.cfg.windowMs / 1000;
    const pps = pk / secs;
    const bps = (by * 8) / secs;
    const warm = k.warmBuckets >= this.cfg.baselineWarmupBuckets;
    const overThreshold = pps > k.thresholdPps || bps > k.thresholdBps;
    const overBaseline = !warm || pps > this.cfg.baselineFactor * k.ewmaPps;
    const above = overThreshold && overBaseline;
    if (above && !k.isPrefix) hostsAboveInPrefix.add(k.prefixKey);

    const a = k.attack;
    if (!a) {
      if (above && !(k.isPrefix && hostsAboveInPrefix.has(k.key))) {
        if (k.above === 0) k.firstAboveMs = endMs - this.cfg.bucketMs;
        k.above++;
        if (k.above >= this.cfg.enterBuckets) this.startAttack(k, endMs, pps, bps);
      } else {
        k.above = 0;
        k.ewmaPps = k.warmBuckets === 0 ? pps : k.ewmaPps + this.cfg.baselineAlpha * (pps - k.ewmaPps);
        k.warmBuckets++;
      }
      return;
    }
    a.currentPps = pps;
    a.lastSeenMs = endMs;
    a.peakPps = Math.max(a.peakPps, pps);
    a.peakBps = Math.max(a.peakBps, bps);
    a.series.push([endMs, Math.round(pps)]);
    if (a.series.length > this.cfg.maxSeriesPoints) a.series.splice(0, a.series.length - this.cfg.maxSeriesPoints);
    const exitPps = this.cfg.exitRatio * k.thresholdPps;
    const exitBps = this.cfg.exitRatio * k.thresholdBps;
    if (pps < exitPps && bps < exitBps) {
      k.below++;
      if (k.below >= this.cfg.exitBuckets) {
        a.state = 'ended';
        a.endMs = endMs;
        this.events.push({ kind: 'end', attack: freeze(a) });
        this.stats.attacksEnded++;
        this.finished.push(a);
        if (this.finished.length > 1000) this.finished.shift();
        k.attack = undefined;
        k.above = 0;
        k.below = 0;
      }
    } else {
      k.below = 0;
      this.events.push({ kind: 'update', attack: freeze(a) });
    }
  }

  private startAttack(k: KeyState, endMs: number, pps: number, bps: number): void {
    const startMs = k.firstAboveMs;
    const recent = this.recent.get(k.prefixKey) ?? [];
    const mine = k.isPrefix ? recent : recent.filter((f) => f.dstAddr === k.key);
    const calm = this.calm.get(k.prefixKey) ?? [];
    const calmMine = k.isPrefix ? calm : calm.filter((f) => f.dstAddr === k.key);
    const a: MutableAttack = {
      id: `atk-${++this.attackSeq}`,
      destination: k.isPrefix ? k.key : `${k.key}/${k.family === 4 ? 32 : 128}`,
      family: k.family,
      type: this.typeOf(k, mine.filter((f) => f.timestampMs >= startMs)),
      state: 'active',
      startMs,
      detectedMs: endMs,
      lastSeenMs: endMs,
      peakPps: pps,
      peakBps: bps,
      currentPps: pps,
      popCounts: new Map(),
      series: [[endMs, Math.round(pps)]],
      samples: [],
      seen: 0,
      baseline: calmMine.filter((f) => f.timestampMs < startMs - this.cfg.bucketMs),
    };
    for (const f of mine) if (f.timestampMs >= startMs) this.collect(a, f);
    k.attack = a;
    k.below = 0;
    this.stats.attacksStarted++;
    this.events.push({ kind: 'start', attack: freeze(a) });
  }

  private typeOf(k: KeyState, samples: readonly FlowRecord[]): AttackType {
    if (k.isPrefix) return 'carpet-bombing';
    const byClass = new Float64Array(CLASS_COUNT);
    for (let i = 0; i < this.bucketCount; i++) for (let c = 0; c < CLASS_COUNT; c++) byClass[c] = byClass[c]! + k.cls[i * CLASS_COUNT + c]!;
    let best = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if (byClass[c]! > byClass[best]!) best = c;
    const cls: TrafficClass = TRAFFIC_CLASSES[best]!;
    switch (cls) {
      case 'amplification': {
        const ports = new Map<number, number>();
        for (const f of samples) if (f.protocol === 17 && AMPLIFICATION_PORTS[f.srcPort]) ports.set(f.srcPort, (ports.get(f.srcPort) ?? 0) + 1);
        const top = [...ports.entries()].sort((x, y) => y[1] - x[1])[0];
        return top ? AMPLIFICATION_PORTS[top[0]]! : 'amplification';
      }
      case 'tcp-syn':
        return 'syn-flood';
      case 'udp':
        return 'udp-flood';
      case 'fragment':
        return 'fragment-flood';
      case 'tcp':
      case 'icmp':
      case 'other':
        return 'volumetric';
    }
  }
}

function popsSeeing(counts: ReadonlyMap<string, number>): string[] {
  let total = 0;
  for (const n of counts.values()) total += n;
  return [...counts.entries()].filter(([, n]) => n >= 0.02 * total).map(([p]) => p).sort();
}

function ringFor(map: Map<string, FlowRecord[]>, key: string): FlowRecord[] {
  let ring = map.get(key);
  if (!ring) {
    ring = [];
    map.set(key, ring);
  }
  return ring;
}

function freeze(a: MutableAttack): Attack {
  return {
    id: a.id,
    destination: a.destination,
    family: a.family,
    type: a.type,
    state: a.state,
    startMs: a.startMs,
    detectedMs: a.detectedMs,
    lastSeenMs: a.lastSeenMs,
    ...(a.endMs !== undefined ? { endMs: a.endMs } : {}),
    peakPps: a.peakPps,
    peakBps: a.peakBps,
    currentPps: a.currentPps,
    pops: popsSeeing(a.popCounts),
    series: a.series.slice(),
  };
}
