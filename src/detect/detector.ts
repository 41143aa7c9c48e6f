// Per-destination attack detector. Deterministic: time comes only from the records and from
// advance(nowMs); no clock is read, and the attack-sample reservoir draws from a seeded PRNG.
//
// Rates are estimated (sampled × sampleRate) over a sliding window of fixed buckets, per host and
// per covering prefix (/24, /48), so carpet bombing across a prefix is seen even when no single
// host crosses a threshold. Each key watches several dimensions: total pps, total bps, and pps per
// traffic class (amplification by source port, TCP SYN, fragments, ...). A dimension's alarm
// level is its threshold (global, or from the longest matching prefix group) or, once the key's
// EWMA baseline is warm, baselineFactor × baseline when that is higher.
//
// Hysteresis: an attack starts after `enterBuckets` consecutive evaluations with some dimension
// above its level, and ends after `exitBuckets` consecutive evaluations with every dimension that
// triggered it below exitRatio × its level at the time it triggered. Baselines learn only while a
// key is calm (not above, not under attack).
//
// Memory is bounded: at most maxTrackedKeys keys (least recently touched keys not under attack
// are evicted in batches); per prefix at most onsetSamplesPerPrefix recent and
// baselineSamplesPerPrefix calm records, and at most maxStoredSamples of those in all; each
// attack keeps a reservoir of maxAttackSamples records; ended attacks keep samples only for the
// last maxEndedAttacksWithSamples of them.
import { formatPrefix, maskBytes, parseAddress, parsePrefix, prefixContains } from '../lib/prefix.js';
import type { Prefix } from '../lib/prefix.js';
import { type Random, seededRandom } from '../lib/random.js';
import { parseDottedQuad } from '../rules/classifier/index.js';
import type { FlowRecord } from '../telemetry/flow-record.js';
import { RecordRing } from './record-ring.js';
import { AMPLIFICATION_PORTS, TRAFFIC_CLASSES, type TrafficClass, attackTypeOfClass, classifyFlow } from './traffic-class.js';
import type { Attack, AttackEvent, AttackType } from './types.js';

export type ClassThresholds = Partial<Record<TrafficClass, number>>;

export interface PrefixGroupThreshold {
  /** Destinations inside this prefix use these thresholds (the longest matching group wins). */
  readonly prefix: string;
  /** Per-host thresholds. */
  readonly thresholdPps?: number;
  readonly thresholdBps?: number;
  readonly classThresholdsPps?: ClassThresholds;
  /** Thresholds for the covering-prefix (carpet bombing) aggregate, when the group contains it. */
  readonly prefixThresholdPps?: number;
  readonly prefixThresholdBps?: number;
}

export interface DetectorConfig {
  readonly bucketMs: number;
  readonly windowMs: number;
  /** Per-host thresholds (estimated). */
  readonly thresholdPps: number;
  readonly thresholdBps: number;
  /** Per-host thresholds for one traffic class (estimated pps): a SYN flood can hide under the total. */
  readonly classThresholdsPps: ClassThresholds;
  /** Per covering prefix (carpet bombing). */
  readonly prefixThresholdPps: number;
  readonly prefixThresholdBps: number;
  readonly prefixClassThresholdsPps: ClassThresholds;
  /** Overrides for destinations inside these prefixes (longest match wins). */
  readonly prefixGroups: readonly PrefixGroupThreshold[];
  /** With a warm baseline, a dimension alarms only above this multiple of it. */
  readonly baselineFactor: number;
  /** EWMA weight of each calm bucket. */
  readonly baselineAlpha: number;
  /** Calm buckets before a baseline counts. */
  readonly baselineWarmupBuckets: number;
  readonly enterBuckets: number;
  readonly exitBuckets: number;
  readonly exitRatio: number;
  readonly carpetPrefixV4: number;
  readonly carpetPrefixV6: number;
  readonly maxTrackedKeys: number;
  readonly idleEvictMs: number;
  /** Attacks tracked at once; beyond this, keys above threshold are counted but start no attack. */
  readonly maxActiveAttacks: number;
  readonly maxAttackSamples: number;
  /** Calm records kept per covering prefix: the victim's legitimate traffic for collateral. */
  readonly baselineSamplesPerPrefix: number;
  /** Recent records kept per covering prefix: the onset of an attack. */
  readonly onsetSamplesPerPrefix: number;
  /** Calm + recent records kept across all prefixes. */
  readonly maxStoredSamples: number;
  readonly maxSeriesPoints: number;
  readonly maxEndedAttacks: number;
  readonly maxEndedAttacksWithSamples: number;
  /** Seed of the attack-sample reservoir. */
  readonly seed: number;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = {
  bucketMs: 250,
  windowMs: 1000,
  thresholdPps: 200_000,
  thresholdBps: 2e9,
  classThresholdsPps: { amplification: 100_000, 'tcp-syn': 100_000, fragment: 50_000 },
  prefixThresholdPps: 500_000,
  prefixThresholdBps: 5e9,
  prefixClassThresholdsPps: { amplification: 250_000, 'tcp-syn': 250_000, fragment: 125_000 },
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
  maxActiveAttacks: 200,
  maxAttackSamples: 10_000,
  baselineSamplesPerPrefix: 4_000,
  onsetSamplesPerPrefix: 8_000,
  maxStoredSamples: 400_000,
  maxSeriesPoints: 600,
  maxEndedAttacks: 1_000,
  maxEndedAttacksWithSamples: 64,
  seed: 1,
};

const CLASS_COUNT = TRAFFIC_CLASSES.length;
/** Dimensions: 0 total pps, 1 total bps, 2 + c pps of traffic class c. */
const DIM_COUNT = 2 + CLASS_COUNT;

interface KeyState {
  readonly key: string;
  readonly isPrefix: boolean;
  readonly family: 4 | 6;
  readonly prefixKey: string;
  /** Ring of per-bucket totals: packets, bytes, and packets per class. */
  readonly pk: Float64Array;
  readonly by: Float64Array;
  readonly cls: Float64Array; // bucketCount × CLASS_COUNT
  /** Configured threshold per dimension (Infinity: not watched). */
  readonly limits: Float64Array;
  readonly baseline: Float64Array;
  warmBuckets: number;
  above: number;
  below: number;
  firstAboveMs: number;
  lastTouchedMs: number;
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
  /** Per dimension: exit level when it triggered the attack, -1 when it did not. */
  exitLevels: Float64Array;
  /** Attack samples per PoP: a PoP "sees" the attack when it carries at least 2% of them. */
  popCounts: Map<string, number>;
  series: Array<readonly [number, number]>;
  samples: FlowRecord[];
  seen: number;
  baseline: FlowRecord[];
}

interface PrefixSamples {
  readonly recent: RecordRing;
  readonly calm: RecordRing;
  lastMs: number;
}

export interface AttackSamples {
  readonly attack: readonly FlowRecord[];
  readonly baseline: readonly FlowRecord[];
  readonly reference: readonly FlowRecord[];
}

export interface DetectorStats {
  records: number;
  unparseableDestinations: number;
  droppedOld: number;
  evictedKeys: number;
  evictedSampleStores: number;
  attacksStarted: number;
  attacksEnded: number;
  /** Evaluations where a key was above its level but maxActiveAttacks were already tracked. */
  attacksSuppressed: number;
}

export class AttackDetector {
  private readonly cfg: DetectorConfig;
  private readonly bucketCount: number;
  private bucketIndex = -1;
  private bucketEndMs = Number.NaN;
  /** Records per bucket in the window (all keys), to skip long idle gaps. */
  private readonly bucketRecords: Float64Array;
  private readonly keys = new Map<string, KeyState>();
  private readonly samples = new Map<string, PrefixSamples>();
  private storedSamples = 0;
  private readonly groups: Array<{ prefix: Prefix; g: PrefixGroupThreshold }>;
  private readonly random: Random;
  private events: AttackEvent[] = [];
  private attackSeq = 0;
  private activeCount = 0;
  private readonly ended: MutableAttack[] = [];
  /** Counters for metrics. */
  readonly stats: DetectorStats = { records: 0, unparseableDestinations: 0, droppedOld: 0, evictedKeys: 0, evictedSampleStores: 0, attacksStarted: 0, attacksEnded: 0, attacksSuppressed: 0 };
  private readonly rate = new Float64Array(DIM_COUNT);
  private readonly level = new Float64Array(DIM_COUNT);

  constructor(config: Partial<DetectorConfig> = {}) {
    this.cfg = { ...DEFAULT_DETECTOR_CONFIG, ...config };
    this.bucketCount = Math.max(1, Math.round(this.cfg.windowMs / this.cfg.bucketMs));
    this.bucketRecords = new Float64Array(this.bucketCount);
    this.random = seededRandom(this.cfg.seed);
    this.groups = this.cfg.prefixGroups
      .map((g) => ({ p: parsePrefix(g.prefix, { allowHostBits: true }), g }))
      .filter((x): x is { p: { ok: true; value: Prefix }; g: PrefixGroupThreshold } => x.p.ok)
      .map((x) => ({ prefix: x.p.value, g: x.g }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  get config(): DetectorConfig {
    return this.cfg;
  }

  /** Feed one record (roughly in time order; records older than the window are dropped). */
  ingest(f: FlowRecord): void {
    const t = f.timestampMs;
    if (Number.isNaN(this.bucketEndMs)) {
      this.bucketEndMs = Math.floor(t / this.cfg.bucketMs) * this.cfg.bucketMs + this.cfg.bucketMs;
      this.bucketIndex = 0;
    }
    if (!(t >= this.bucketEndMs - this.cfg.bucketMs * this.bucketCount)) {
      this.stats.droppedOld++;
      return;
    }
    this.advance(t);
    let host = this.keys.get(f.dstAddr);
    let prefixKey = host?.prefixKey;
    if (prefixKey === undefined) {
      prefixKey = this.prefixKeyOf(f.dstAddr);
      if (prefixKey === undefined) {
        this.stats.unparseableDestinations++;
        return;
      }
    }
    this.stats.records++;
    this.bucketRecords[this.bucketIndex] = this.bucketRecords[this.bucketIndex]! + 1;
    host = this.add(f.dstAddr, false, f, prefixKey);
    const pfx = this.add(prefixKey, true, f, prefixKey);

    const store = this.samplesFor(prefixKey);
    store.lastMs = t;
    this.storedSamples -= store.recent.dropOlderThan(this.bucketEndMs - this.cfg.bucketMs * (this.bucketCount + 1));
    this.storedSamples += store.recent.push(f);
    if (!host.attack && !pfx.attack && host.above === 0 && pfx.above === 0) this.storedSamples += store.calm.push(f);
    if (this.storedSamples > this.cfg.maxStoredSamples) this.evictSampleStores();

    if (host.attack) this.collect(host.attack, f);
    if (pfx.attack) this.collect(pfx.attack, f);
  }

  /** Close every bucket that ends at or before nowMs (telemetry time). */
  advance(nowMs: number): void {
    if (Number.isNaN(this.bucketEndMs)) return;
    while (nowMs >= this.bucketEndMs) {
      // A gap with nothing in the window and no attack: nothing can change but the baselines'
      // decay, so jump to the bucket holding nowMs instead of closing every empty bucket.
      if (nowMs - this.bucketEndMs > this.cfg.windowMs && this.activeCount === 0 && this.windowIsEmpty()) {
        this.bucketEndMs = Math.floor(nowMs / this.cfg.bucketMs) * this.cfg.bucketMs;
        this.sweepIdle(this.bucketEndMs);
      }
      this.closeBucket();
    }
  }

  /** Events since the last call. */
  drainEvents(): AttackEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  activeAttacks(): Attack[] {
    const out: Attack[] = [];
    for (const k of this.keys.values()) if (k.attack) out.push(freeze(k.attack));
    return out.sort((a, b) => a.startMs - b.startMs);
  }

  /** Every attack seen so far, active and ended (the last maxEndedAttacks ended ones). */
  allAttacks(): Attack[] {
    return [...this.ended.map(freeze), ...this.activeAttacks()].sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
  }

  /**
   * Records of an attack (a reservoir over its whole duration, onset included), the victim's
   * calm traffic before its onset (the legitimate traffic a signature must spare), and calm
   * traffic to other destinations (what legitimate traffic looks like elsewhere, a prior for
   * collateral when the victim's own baseline is thin; at most maxReferenceSamples).
   */
  attackSamples(attackId: string, maxReferenceSamples = 4000): AttackSamples | undefined {
    let a: MutableAttack | undefined;
    for (const k of this.keys.values()) if (k.attack?.id === attackId) a = k.attack;
    a ??= this.ended.find((x) => x.id === attackId && x.samples.length > 0);
    if (!a) return undefined;
    return { attack: a.samples, baseline: a.baseline, reference: this.referenceSamples(a, maxReferenceSamples) };
  }

  /** Calm records of every prefix except the attack's victim, the newest of each store first, round-robin. */
  private referenceSamples(a: MutableAttack, max: number): FlowRecord[] {
    const victimPrefix = a.destination.endsWith('/32') || a.destination.endsWith('/128') ? undefined : a.destination;
    const victimHost = victimPrefix ? undefined : a.destination.slice(0, a.destination.lastIndexOf('/'));
    const lists = [...this.samples.entries()]
      .sort((x, y) => (x[0] < y[0] ? -1 : 1))
      .filter(([p]) => p !== victimPrefix)
      .map(([, s]) => s.calm.toArray((f) => f.dstAddr !== victimHost).reverse());
    const out: FlowRecord[] = [];
    for (let i = 0; out.length < max; i++) {
      let any = false;
      for (const l of lists) {
        const f = l[i];
        if (!f) continue;
        any = true;
        out.push(f);
        if (out.length >= max) break;
      }
      if (!any) break;
    }
    return out;
  }

  get trackedKeys(): number {
    return this.keys.size;
  }

  /** Calm and recent records held for profiling, across all prefixes. */
  get heldSamples(): number {
    return this.storedSamples;
  }

  private prefixKeyOf(dstAddr: string): string | undefined {
    const v4 = parseDottedQuad(dstAddr);
    if (v4 >= 0) {
      const len = this.cfg.carpetPrefixV4;
      const net = len === 0 ? 0 : (Math.floor(v4 / 2 ** (32 - len)) * 2 ** (32 - len)) >>> 0;
      return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`;
    }
    const addr = parseAddress(dstAddr);
    if (!addr) return undefined;
    const len = addr.length === 4 ? this.cfg.carpetPrefixV4 : this.cfg.carpetPrefixV6;
    return formatPrefix({ family: addr.length === 4 ? 4 : 6, bytes: maskBytes(addr, len), length: len });
  }

  private limitsFor(key: string, isPrefix: boolean): Float64Array {
    const c = this.cfg;
    let pps = isPrefix ? c.prefixThresholdPps : c.thresholdPps;
    let bps = isPrefix ? c.prefixThresholdBps : c.thresholdBps;
    let classes = isPrefix ? c.prefixClassThresholdsPps : c.classThresholdsPps;
    if (this.groups.length > 0) {
      const p = parsePrefix(key, { allowHostBits: true });
      const g = p.ok ? this.groups.find((x) => prefixContains(x.prefix, p.value))?.g : undefined;
      if (g && isPrefix) {
        pps = g.prefixThresholdPps ?? pps;
        bps = g.prefixThresholdBps ?? bps;
      } else if (g) {
        pps = g.thresholdPps ?? pps;
        bps = g.thresholdBps ?? bps;
        classes = g.classThresholdsPps ?? classes;
      }
    }
    const limits = new Float64Array(DIM_COUNT).fill(Number.POSITIVE_INFINITY);
    limits[0] = pps;
    limits[1] = bps;
    TRAFFIC_CLASSES.forEach((cls, i) => {
      const v = classes[cls];
      if (v !== undefined) limits[2 + i] = v;
    });
    return limits;
  }

  private add(key: string, isPrefix: boolean, f: FlowRecord, prefixKey: string): KeyState {
    let k = this.keys.get(key);
    if (!k) {
      if (this.keys.size >= this.cfg.maxTrackedKeys) this.evictKeys();
      k = {
        key,
        isPrefix,
        family: f.family === 4 ? 4 : 6,
        prefixKey,
        pk: new Float64Array(this.bucketCount),
        by: new Float64Array(this.bucketCount),
        cls: new Float64Array(this.bucketCount * CLASS_COUNT),
        limits: this.limitsFor(key, isPrefix),
        baseline: new Float64Array(DIM_COUNT),
        warmBuckets: 0,
        above: 0,
        below: 0,
        firstAboveMs: 0,
        lastTouchedMs: f.timestampMs,
      };
      this.keys.set(key, k);
    }
    const i = this.bucketIndex;
    k.pk[i] = k.pk[i]! + f.estimatedPackets;
    k.by[i] = k.by[i]! + f.estimatedBytes;
    const c = i * CLASS_COUNT + TRAFFIC_CLASSES.indexOf(classifyFlow(f));
    k.cls[c] = k.cls[c]! + f.estimatedPackets;
    if (f.timestampMs > k.lastTouchedMs) k.lastTouchedMs = f.timestampMs;
    return k;
  }

  private samplesFor(prefixKey: string): PrefixSamples {
    let s = this.samples.get(prefixKey);
    if (!s) {
      s = { recent: new RecordRing(this.cfg.onsetSamplesPerPrefix), calm: new RecordRing(this.cfg.baselineSamplesPerPrefix), lastMs: 0 };
      this.samples.set(prefixKey, s);
    }
    return s;
  }

  /** Evicts the least recently touched tenth of the keys that are not under attack. */
  private evictKeys(): void {
    const idle = [...this.keys.values()].filter((k) => !k.attack).sort((a, b) => a.lastTouchedMs - b.lastTouchedMs);
    const n = Math.max(1, Math.ceil(this.cfg.maxTrackedKeys / 10));
    for (const k of idle.slice(0, n)) this.dropKey(k);
  }

  private dropKey(k: KeyState): void {
    this.keys.delete(k.key);
    this.stats.evictedKeys++;
    if (k.isPrefix) this.dropSamples(k.key);
  }

  private dropSamples(prefixKey: string): void {
    const s = this.samples.get(prefixKey);
    if (!s) return;
    this.storedSamples -= s.recent.size + s.calm.size;
    this.samples.delete(prefixKey);
    this.stats.evictedSampleStores++;
  }

  /** Over the sample budget: drop the stores of the least recently seen prefixes not under attack, down to 80%. */
  private evictSampleStores(): void {
    const attacked = new Set<string>();
    for (const k of this.keys.values()) if (k.attack) attacked.add(k.prefixKey);
    const order = [...this.samples.entries()].filter(([p]) => !attacked.has(p)).sort((a, b) => a[1].lastMs - b[1].lastMs);
    for (const [p] of order) {
      if (this.storedSamples <= this.cfg.maxStoredSamples * 0.8) break;
      this.dropSamples(p);
    }
  }

  private sweepIdle(nowMs: number): void {
    for (const k of this.keys.values()) if (!k.attack && nowMs - k.lastTouchedMs > this.cfg.idleEvictMs) this.dropKey(k);
  }

  private windowIsEmpty(): boolean {
    for (const n of this.bucketRecords) if (n > 0) return false;
    return true;
  }

  private collect(a: MutableAttack, f: FlowRecord): void {
    a.seen++;
    if (f.pop) a.popCounts.set(f.pop, (a.popCounts.get(f.pop) ?? 0) + 1);
    if (a.samples.length < this.cfg.maxAttackSamples) {
      a.samples.push(f);
      return;
    }
    // Reservoir sampling (Algorithm R): every record of the attack is kept with equal probability.
    const slot = Math.floor(this.random.next() * a.seen);
    if (slot < this.cfg.maxAttackSamples) a.samples[slot] = f;
  }

  private closeBucket(): void {
    const endMs = this.bucketEndMs;
    // Hosts first: a prefix whose host is above is that host's attack, not carpet bombing.
    const prefixesWithHostAbove = new Set<string>();
    for (const k of this.keys.values()) if (!k.isPrefix) this.evaluate(k, endMs, prefixesWithHostAbove);
    for (const k of this.keys.values()) if (k.isPrefix) this.evaluate(k, endMs, prefixesWithHostAbove);
    this.bucketIndex = (this.bucketIndex + 1) % this.bucketCount;
    this.bucketEndMs += this.cfg.bucketMs;
    const i = this.bucketIndex;
    this.bucketRecords[i] = 0;
    for (const k of this.keys.values()) {
      k.pk[i] = 0;
      k.by[i] = 0;
      k.cls.fill(0, i * CLASS_COUNT, (i + 1) * CLASS_COUNT);
    }
    this.sweepIdle(endMs);
  }

  private rates(k: KeyState): Float64Array {
    const r = this.rate.fill(0);
    const secs = this.cfg.windowMs / 1000;
    for (let b = 0; b < this.bucketCount; b++) {
      r[0] = r[0]! + k.pk[b]!;
      r[1] = r[1]! + k.by[b]!;
      for (let c = 0; c < CLASS_COUNT; c++) r[2 + c] = r[2 + c]! + k.cls[b * CLASS_COUNT + c]!;
    }
    r[1] = r[1]! * 8;
    for (let d = 0; d < DIM_COUNT; d++) r[d] = r[d]! / secs;
    return r;
  }

  /** Alarm level per dimension: the threshold, or baselineFactor × a warm baseline when higher. */
  private levels(k: KeyState): Float64Array {
    const warm = k.warmBuckets >= this.cfg.baselineWarmupBuckets;
    const out = this.level;
    for (let d = 0; d < DIM_COUNT; d++) out[d] = warm ? Math.max(k.limits[d]!, this.cfg.baselineFactor * k.baseline[d]!) : k.limits[d]!;
    return out;
  }

  private evaluate(k: KeyState, endMs: number, prefixesWithHostAbove: Set<string>): void {
    const rate = this.rates(k);
    const level = this.levels(k);
    let above = false;
    for (let d = 0; d < DIM_COUNT; d++) if (rate[d]! > level[d]!) above = true;
    if (above && !k.isPrefix) prefixesWithHostAbove.add(k.prefixKey);

    const a = k.attack;
    if (!a) {
      if (above && k.isPrefix && prefixesWithHostAbove.has(k.key)) {
        // That host's attack, not carpet bombing; and not calm traffic for the prefix's baseline.
        k.above = 0;
        return;
      }
      if (above) {
        if (k.above === 0) k.firstAboveMs = endMs - this.cfg.bucketMs;
        k.above++;
        if (k.above < this.cfg.enterBuckets) return;
        if (this.activeCount >= this.cfg.maxActiveAttacks) this.stats.attacksSuppressed++;
        else this.startAttack(k, endMs, rate, level);
        return;
      }
      k.above = 0;
      const alpha = k.warmBuckets === 0 ? 1 : this.cfg.baselineAlpha;
      for (let d = 0; d < DIM_COUNT; d++) k.baseline[d] = k.baseline[d]! + alpha * (rate[d]! - k.baseline[d]!);
      k.warmBuckets++;
      return;
    }
    a.currentPps = rate[0]!;
    a.lastSeenMs = endMs;
    a.peakPps = Math.max(a.peakPps, rate[0]!);
    a.peakBps = Math.max(a.peakBps, rate[1]!);
    a.series.push([endMs, Math.round(rate[0]!)]);
    if (a.series.length > this.cfg.maxSeriesPoints) a.series.splice(0, a.series.length - this.cfg.maxSeriesPoints);
    let hot = false;
    for (let d = 0; d < DIM_COUNT; d++) {
      if (a.exitLevels[d]! < 0 && rate[d]! > level[d]!) a.exitLevels[d] = this.cfg.exitRatio * level[d]!;
      if (a.exitLevels[d]! >= 0 && rate[d]! >= a.exitLevels[d]!) hot = true;
    }
    if (hot) {
      k.below = 0;
      this.events.push({ kind: 'update', attack: freeze(a) });
      return;
    }
    k.below++;
    if (k.below < this.cfg.exitBuckets) {
      this.events.push({ kind: 'update', attack: freeze(a) });
      return;
    }
    a.state = 'ended';
    a.endMs = endMs;
    this.events.push({ kind: 'end', attack: freeze(a) });
    this.stats.attacksEnded++;
    this.activeCount--;
    this.ended.push(a);
    if (this.ended.length > this.cfg.maxEndedAttacks) this.ended.shift();
    const withSamples = this.ended.length - this.cfg.maxEndedAttacksWithSamples;
    if (withSamples > 0) {
      const old = this.ended[withSamples - 1]!;
      old.samples = [];
      old.baseline = [];
    }
    k.attack = undefined;
    k.above = 0;
    k.below = 0;
  }

  private startAttack(k: KeyState, endMs: number, rate: Float64Array, level: Float64Array): void {
    const startMs = k.firstAboveMs;
    const store = this.samples.get(k.prefixKey);
    const mine = (f: FlowRecord): boolean => k.isPrefix || f.dstAddr === k.key;
    const onset = store ? store.recent.toArray((f) => f.timestampMs >= startMs && mine(f)) : [];
    const exitLevels = new Float64Array(DIM_COUNT).fill(-1);
    for (let d = 0; d < DIM_COUNT; d++) if (rate[d]! > level[d]!) exitLevels[d] = this.cfg.exitRatio * level[d]!;
    const a: MutableAttack = {
      id: `atk-${++this.attackSeq}`,
      destination: k.isPrefix ? k.key : `${k.key}/${k.family === 4 ? 32 : 128}`,
      family: k.family,
      type: this.typeOf(k, rate, level, onset),
      state: 'active',
      startMs,
      detectedMs: endMs,
      lastSeenMs: endMs,
      peakPps: rate[0]!,
      peakBps: rate[1]!,
      currentPps: rate[0]!,
      exitLevels,
      popCounts: new Map(),
      series: [[endMs, Math.round(rate[0]!)]],
      samples: [],
      seen: 0,
      // The first window above the level may hold attack records from its whole span: calm
      // records are those older than that window.
      baseline: store ? store.calm.toArray((f) => f.timestampMs < startMs - this.cfg.windowMs && mine(f)) : [],
    };
    for (const f of onset) this.collect(a, f);
    k.attack = a;
    k.below = 0;
    this.activeCount++;
    this.stats.attacksStarted++;
    this.events.push({ kind: 'start', attack: freeze(a) });
  }

  /**
   * The attack type: carpet bombing for a prefix; otherwise the traffic class that triggered most
   * strongly (rate over level), or the dominant class when only the totals triggered.
   */
  private typeOf(k: KeyState, rate: Float64Array, level: Float64Array, samples: readonly FlowRecord[]): AttackType {
    if (k.isPrefix) return 'carpet-bombing';
    let best = -1;
    let bestRatio = 1;
    for (let c = 0; c < CLASS_COUNT; c++) {
      const ratio = rate[2 + c]! / level[2 + c]!;
      if (ratio > bestRatio) {
        best = c;
        bestRatio = ratio;
      }
    }
    if (best < 0) {
      best = 0;
      for (let c = 1; c < CLASS_COUNT; c++) if (rate[2 + c]! > rate[2 + best]!) best = c;
    }
    const cls = TRAFFIC_CLASSES[best]!;
    if (cls !== 'amplification') return attackTypeOfClass(cls);
    const ports = new Map<number, number>();
    for (const f of samples) if (f.protocol === 17 && AMPLIFICATION_PORTS[f.srcPort] !== undefined) ports.set(f.srcPort, (ports.get(f.srcPort) ?? 0) + f.estimatedPackets);
    const top = [...ports.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0];
    return top ? AMPLIFICATION_PORTS[top[0]]! : 'amplification';
  }
}

function popsSeeing(counts: ReadonlyMap<string, number>): string[] {
  let total = 0;
  for (const n of counts.values()) total += n;
  return [...counts.entries()]
    .filter(([, n]) => n >= 0.02 * total)
    .map(([p]) => p)
    .sort();
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
