// Attack profiler: from an attack's samples, find the signature that covers the most attack
// traffic with the fewest components while matching the least of the victim's legitimate
// traffic. Greedy search; candidates are re-derived from the samples the current signature
// still matches, so every value comes from observed traffic (a packet-length range is the
// observed range, clamped to the MTU, never wider).
import { TCP_FLAG_BITS, type NumericRange, type RuleMatch } from '../rules/model.js';
import type { FlowRecord } from '../telemetry/flow-record.js';
import type { Attack, Signature } from './types.js';

export interface ProfilerOptions {
  readonly mtuBytes: number;
  /** Weight of collateral against coverage in the score. */
  readonly collateralWeight?: number;
  /** Cost of each component, so fewer components win ties. */
  readonly componentCost?: number;
  /** Below this many baseline samples, collateral cannot be measured: narrow while coverage loss stays under maxCoverageLoss. */
  readonly minBaselineSamples?: number;
  readonly maxCoverageLoss?: number;
  readonly maxComponents?: number;
}

type Pred = (f: FlowRecord) => boolean;
interface Candidate {
  readonly kind: 'protocols' | 'sourcePorts' | 'destinationPorts' | 'packetLengths' | 'tcpFlags' | 'fragment';
  readonly pred: Pred;
  readonly match: Partial<RuleMatch>;
  readonly text: string;
}

const weightOf = (f: FlowRecord): number => f.estimatedPackets;

function share(samples: readonly FlowRecord[], pred: Pred): number {
  let all = 0;
  let hit = 0;
  for (const f of samples) {
    const w = weightOf(f);
    all += w;
    if (pred(f)) hit += w;
  }
  return all === 0 ? 0 : hit / all;
}

function topValues(samples: readonly FlowRecord[], get: (f: FlowRecord) => number, coverWanted: number, maxValues: number): number[] | undefined {
  const w = new Map<number, number>();
  let total = 0;
  for (const f of samples) {
    const v = get(f);
    w.set(v, (w.get(v) ?? 0) + weightOf(f));
    total += weightOf(f);
  }
  const sorted = [...w.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  let acc = 0;
  const out: number[] = [];
  for (const [v, x] of sorted) {
    if (out.length >= maxValues) break;
    out.push(v);
    acc += x;
    if (acc / total >= coverWanted) return out.sort((a, b) => a - b);
  }
  return undefined;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}

function deriveCandidates(matched: readonly FlowRecord[], mtuBytes: number, taken: ReadonlySet<string>): Candidate[] {
  const out: Candidate[] = [];
  if (matched.length === 0) return out;
  if (!taken.has('protocols')) {
    const protos = topValues(matched, (f) => f.protocol, 0.9, 2);
    if (protos) out.push({ kind: 'protocols', pred: (f) => protos.includes(f.protocol), match: { protocols: protos.map((p) => ({ min: p, max: p })) }, text: `proto ${protos.join(',')}` });
  }
  const ported = matched.filter((f) => f.protocol === 6 || f.protocol === 17);
  if (ported.length > matched.length * 0.9) {
    for (const [kind, get, label] of [
      ['sourcePorts', (f: FlowRecord) => f.srcPort, 'sport'],
      ['destinationPorts', (f: FlowRecord) => f.dstPort, 'dport'],
    ] as const) {
      if (taken.has(kind)) continue;
      const ports = topValues(matched, get, 0.9, 3);
      if (ports && !ports.includes(0)) {
        out.push({ kind, pred: (f) => ports.includes(get(f)), match: { [kind]: ports.map((p) => ({ min: p, max: p })) }, text: `${label} ${ports.join(',')}` });
      }
    }
  }
  if (!taken.has('packetLengths')) {
    const lens = matched.map((f) => f.packetLengthBytes).sort((a, b) => a - b);
    const observedMax = lens[lens.length - 1]!;
    const lo = quantile(lens, 0.01);
    const hi = Math.min(observedMax, mtuBytes);
    if (lo <= hi) {
      const range: NumericRange = { min: lo, max: hi };
      out.push({ kind: 'packetLengths', pred: (f) => f.packetLengthBytes >= lo && f.packetLengthBytes <= hi, match: { packetLengths: [range] }, text: `len ${lo}-${hi}` });
    }
  }
  if (!taken.has('tcpFlags') && share(matched, (f) => f.protocol === 6) > 0.9 && share(matched, (f) => (f.tcpFlags & 0x12) === 0x02) > 0.9) {
    out.push({
      kind: 'tcpFlags',
      pred: (f) => (f.tcpFlags & 0x12) === 0x02,
      match: { tcpFlags: [[{ op: 'all', bits: TCP_FLAG_BITS.syn }, { op: 'none', bits: TCP_FLAG_BITS.ack }]] },
      text: 'flags syn&!ack',
    });
  }
  if (!taken.has('fragment') && share(matched, (f) => (f.fragmentFlags & 0x02) !== 0) > 0.9) {
    out.push({ kind: 'fragment', pred: (f) => (f.fragmentFlags & 0x02) !== 0, match: { fragment: [[{ op: 'all', bits: 0x02 }]] }, text: 'fragment is-fragment' });
  }
  return out;
}

export function profileAttack(attack: Attack, samples: { attack: readonly FlowRecord[]; baseline: readonly FlowRecord[] }, opts: ProfilerOptions): Signature {
  const lambda = opts.collateralWeight ?? 5;
  const mu = opts.componentCost ?? 0.002;
  const thinBaseline = samples.baseline.length < (opts.minBaselineSamples ?? 30);
  const maxLoss = opts.maxCoverageLoss ?? 0.02;
  const maxComponents = opts.maxComponents ?? 4;

  let chosen: Candidate[] = [];
  const predOf = (cs: readonly Candidate[]): Pred => (f) => cs.every((c) => c.pred(f));
  const scoreOf = (cs: readonly Candidate[]): { cov: number; coll: number; score: number } => {
    const p = predOf(cs);
    const cov = share(samples.attack, p);
    const coll = samples.baseline.length === 0 ? 0 : share(samples.baseline, p);
    return { cov, coll, score: cov - lambda * coll - mu * cs.length };
  };
  let current = scoreOf(chosen);
  while (chosen.length < maxComponents) {
    const matched = samples.attack.filter(predOf(chosen));
    const taken = new Set(chosen.map((c) => c.kind));
    let best: { c: Candidate; s: ReturnType<typeof scoreOf> } | undefined;
    for (const c of deriveCandidates(matched, opts.mtuBytes, taken)) {
      const s = scoreOf([...chosen, c]);
      const acceptable = thinBaseline ? current.cov - s.cov <= maxLoss : s.score > current.score + 1e-6;
      if (!acceptable) continue;
      if (!best || s.score > best.s.score || (thinBaseline && s.cov > best.s.cov)) best = { c, s };
    }
    if (!best) break;
    chosen = [...chosen, best.c];
    current = best.s;
  }

  // A Flowspec port component matches TCP and UDP alike: pin the protocol whenever ports were chosen.
  if (chosen.some((c) => c.kind === 'sourcePorts' || c.kind === 'destinationPorts') && !chosen.some((c) => c.kind === 'protocols')) {
    const proto = deriveCandidates(samples.attack.filter(predOf(chosen)), opts.mtuBytes, new Set(['sourcePorts', 'destinationPorts', 'packetLengths', 'tcpFlags', 'fragment'])).find((c) => c.kind === 'protocols');
    if (proto) {
      chosen = [...chosen, proto];
      current = scoreOf(chosen);
    }
  }
  const order = ['protocols', 'sourcePorts', 'destinationPorts', 'packetLengths', 'tcpFlags', 'fragment'] as const;
  chosen.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const match: RuleMatch = Object.assign({ destination: attack.destination }, ...chosen.map((c) => c.match)) as RuleMatch;
  const matchedAttack = samples.attack.filter(predOf(chosen));
  const ttls = matchedAttack.map((f) => f.ttl).filter((t): t is number => t !== undefined);
  return {
    id: `sig-${attack.id}`,
    attackId: attack.id,
    family: attack.family,
    match,
    coverage: current.cov,
    collateral: current.coll,
    ...(ttls.length > 0 ? { ttlRange: [Math.min(...ttls), Math.max(...ttls)] as const } : {}),
    samples: { attack: samples.attack.length, baseline: samples.baseline.length },
    summary: [`dst ${attack.destination}`, ...chosen.map((c) => c.text)].join(' '),
  };
}
