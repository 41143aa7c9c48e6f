// Attack profiler: from an attack's samples, find the signature that covers the most attack
// traffic with the fewest components while matching the least of the victim's legitimate traffic.
//
// Beam search over components; each state's candidates are derived from the attack samples the
// state still matches, so every value comes from observed traffic:
//   protocol, source/destination ports (the top values, or the observed range), packet length
//   (an observed quantile range, clamped to [max(20, min observed), min(MTU, max observed)] so
//   it is physically sane by construction), TCP flags, fragment bits, ICMP type, and for a prefix
//   attack the narrowest prefix covering the hit hosts.
// Score = coverage − λ·collateral − μ·components, where coverage is the share of the attack-period
// samples matched (weighted by estimated packets; legitimate packets that arrived during the
// attack are in the denominator too, so it is a lower bound) and collateral the share of the
// victim's calm traffic before the onset matched. The score's collateral is smoothed towards the
// share of calm traffic to other destinations the signature's pattern matches (its destination
// ignored), worth referencePseudoSamples victim samples: with a thin victim baseline, a pattern
// that is common in legitimate traffic elsewhere (DNS answers, SYNs) is still narrowed. With no
// usable baseline at all, components are added while they cost at most maxCoverageLoss of
// coverage (narrower is safer when nothing is known). TTL is reported (ttlRange) but is not a match
// component: Flowspec has no TTL component, so a rule could not enforce it.
import { formatPrefix, maskBytes, parseAddress, parsePrefix } from '../lib/prefix.js';
import { type BitmaskMatch, type NumericRange, type RuleMatch, TCP_FLAG_BITS } from '../rules/model.js';
import { compileClassifier } from '../rules/classifier/index.js';
import type { FlowRecord } from '../telemetry/flow-record.js';
import type { Attack, Signature } from './types.js';

export interface ProfilerOptions {
  readonly mtuBytes: number;
  /** λ: weight of collateral against coverage. */
  readonly collateralWeight?: number;
  /** μ: cost of each component, so fewer components win ties. */
  readonly componentCost?: number;
  /** Below this many calm samples, collateral cannot be measured. */
  readonly minBaselineSamples?: number;
  /** Without a measurable baseline: most coverage a component may cost. */
  readonly maxCoverageLoss?: number;
  readonly maxComponents?: number;
  readonly beamWidth?: number;
  /** Weight of the reference (other destinations') collateral, in victim samples. */
  readonly referencePseudoSamples?: number;
}

export interface ProfileSamples {
  /** The victim's traffic during the attack. */
  readonly attack: readonly FlowRecord[];
  /** The victim's calm traffic before the onset. */
  readonly baseline: readonly FlowRecord[];
  /** Calm traffic to other destinations. */
  readonly reference?: readonly FlowRecord[];
}

/** The smallest IP packet: an IPv4 header without options (RFC 791). */
export const MIN_PACKET_BYTES = 20;

type Kind = 'destination' | 'protocols' | 'sourcePorts' | 'destinationPorts' | 'packetLengths' | 'tcpFlags' | 'fragment' | 'icmpTypes';
const KIND_ORDER: readonly Kind[] = ['destination', 'protocols', 'sourcePorts', 'destinationPorts', 'icmpTypes', 'tcpFlags', 'packetLengths', 'fragment'];

interface Candidate {
  readonly kind: Kind;
  readonly match: Partial<RuleMatch>;
  readonly text: string;
}

interface State {
  readonly chosen: readonly Candidate[];
  readonly coverage: number;
  readonly collateral: number;
  readonly referenceCollateral: number;
  readonly score: number;
  /** Attack samples the state matches. */
  readonly matched: readonly FlowRecord[];
}

const weightOf = (f: FlowRecord): number => f.estimatedPackets;

function totalWeight(samples: readonly FlowRecord[]): number {
  let w = 0;
  for (const f of samples) w += weightOf(f);
  return w;
}

/** Values sorted by weight (descending), with their weights. */
function weightedValues(samples: readonly FlowRecord[], get: (f: FlowRecord) => number | undefined): Array<[number, number]> {
  const w = new Map<number, number>();
  for (const f of samples) {
    const v = get(f);
    if (v !== undefined) w.set(v, (w.get(v) ?? 0) + weightOf(f));
  }
  return [...w.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

/** The fewest top values (at most maxValues) that carry coverWanted of the weight. */
function topValues(samples: readonly FlowRecord[], get: (f: FlowRecord) => number | undefined, coverWanted: number, maxValues: number): number[] | undefined {
  const total = totalWeight(samples);
  if (total === 0) return undefined;
  let acc = 0;
  const out: number[] = [];
  for (const [v, x] of weightedValues(samples, get)) {
    if (out.length >= maxValues) break;
    out.push(v);
    acc += x;
    if (acc / total >= coverWanted) return out.sort((a, b) => a - b);
  }
  return undefined;
}

/** Weighted quantile of a field over the samples. */
function weightedQuantile(sorted: ReadonlyArray<readonly [number, number]>, total: number, q: number): number {
  let acc = 0;
  for (const [v, w] of sorted) {
    acc += w;
    if (acc >= q * total) return v;
  }
  return sorted[sorted.length - 1]![0];
}

function share(samples: readonly FlowRecord[], pred: (f: FlowRecord) => boolean): number {
  let all = 0;
  let hit = 0;
  for (const f of samples) {
    all += weightOf(f);
    if (pred(f)) hit += weightOf(f);
  }
  return all === 0 ? 0 : hit / all;
}

const single = (values: readonly number[]): NumericRange[] => values.map((v) => ({ min: v, max: v }));
const isPorted = (f: FlowRecord): boolean => (f.protocol === 6 || f.protocol === 17 || f.protocol === 132) && (f.fragmentFlags & 0x06) !== 0x02;

function portCandidates(matched: readonly FlowRecord[], kind: 'sourcePorts' | 'destinationPorts'): Candidate[] {
  const label = kind === 'sourcePorts' ? 'sport' : 'dport';
  const get = kind === 'sourcePorts' ? (f: FlowRecord) => f.srcPort : (f: FlowRecord) => f.dstPort;
  const ported = matched.filter(isPorted);
  if (ported.length === 0 || totalWeight(ported) < 0.9 * totalWeight(matched)) return [];
  const out: Candidate[] = [];
  const top = topValues(ported, get, 0.9, 3);
  if (top) out.push({ kind, match: { [kind]: single(top) }, text: `${label} ${top.join(',')}` });
  else {
    // No few values dominate (random ports): the observed range, which may still leave out
    // the victim's well-known service ports.
    const sorted = weightedValues(ported, get).sort((a, b) => a[0] - b[0]);
    const total = totalWeight(ported);
    const lo = weightedQuantile(sorted, total, 0.005);
    const hi = weightedQuantile(sorted, total, 0.995);
    if (lo > 0 || hi < 65535) out.push({ kind, match: { [kind]: [{ min: lo, max: hi }] }, text: `${label} ${lo}-${hi}` });
  }
  return out;
}

function lengthCandidates(matched: readonly FlowRecord[], mtuBytes: number): Candidate[] {
  const sorted = weightedValues(matched, (f) => f.packetLengthBytes).sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0) return [];
  const total = totalWeight(matched);
  const observedMin = sorted[0]![0];
  const observedMax = sorted[sorted.length - 1]![0];
  const floor = Math.max(MIN_PACKET_BYTES, observedMin);
  const ceiling = Math.min(mtuBytes, observedMax);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const [qLo, qHi] of [
    [0, 1],
    [0.005, 0.995],
    [0.02, 1],
  ] as const) {
    const lo = Math.max(floor, weightedQuantile(sorted, total, qLo));
    const hi = Math.min(ceiling, weightedQuantile(sorted, total, qHi));
    if (lo > hi || seen.has(`${lo}-${hi}`)) continue;
    seen.add(`${lo}-${hi}`);
    out.push({ kind: 'packetLengths', match: { packetLengths: [{ min: lo, max: hi }] }, text: `len ${lo}-${hi}` });
  }
  return out;
}

function flagCandidates(matched: readonly FlowRecord[]): Candidate[] {
  const tcp = matched.filter((f) => f.protocol === 6);
  if (tcp.length === 0 || totalWeight(tcp) < 0.9 * totalWeight(matched)) return [];
  const top = topValues(tcp, (f) => f.tcpFlags & 0x3f, 0.9, 1);
  if (!top) return [];
  const v = top[0]!;
  if (v === TCP_FLAG_BITS.syn) {
    return [{ kind: 'tcpFlags', match: { tcpFlags: [[{ op: 'all', bits: TCP_FLAG_BITS.syn }, { op: 'none', bits: TCP_FLAG_BITS.ack }]] }, text: 'flags syn&!ack' }];
  }
  const clause: BitmaskMatch[number] = [...(v !== 0 ? [{ op: 'all' as const, bits: v }] : []), { op: 'none' as const, bits: ~v & 0x3f }];
  const names = Object.entries(TCP_FLAG_BITS)
    .filter(([, b]) => v & b)
    .map(([n]) => n);
  return [{ kind: 'tcpFlags', match: { tcpFlags: [clause] }, text: `flags =${names.join('+') || 'none'}` }];
}

/** For a prefix attack: the longest prefix inside it that still covers every hit host. */
function destinationCandidates(attack: Attack, matched: readonly FlowRecord[]): Candidate[] {
  const outer = parsePrefix(attack.destination, { allowHostBits: true });
  if (!outer.ok || outer.value.length === outer.value.bytes.length * 8) return [];
  let common: Uint8Array | undefined;
  let length = outer.value.bytes.length * 8;
  for (const f of matched) {
    const a = parseAddress(f.dstAddr);
    if (!a || a.length !== outer.value.bytes.length) continue;
    if (!common) {
      common = a;
      continue;
    }
    while (length > outer.value.length && !sameBits(common, a, length)) length--;
  }
  if (!common || length <= outer.value.length) return [];
  const p = formatPrefix({ family: outer.value.family, bytes: maskBytes(common, length), length });
  return [{ kind: 'destination', match: { destination: p }, text: `dst ${p}` }];
}

function sameBits(a: Uint8Array, b: Uint8Array, length: number): boolean {
  const m1 = maskBytes(a, length);
  const m2 = maskBytes(b, length);
  for (let i = 0; i < m1.length; i++) if (m1[i] !== m2[i]) return false;
  return true;
}

function deriveCandidates(attack: Attack, matched: readonly FlowRecord[], mtuBytes: number, taken: ReadonlySet<Kind>): Candidate[] {
  if (matched.length === 0) return [];
  const out: Candidate[] = [];
  if (!taken.has('destination')) out.push(...destinationCandidates(attack, matched));
  if (!taken.has('protocols')) {
    const protos = topValues(matched, (f) => f.protocol, 0.9, 2);
    if (protos) out.push({ kind: 'protocols', match: { protocols: single(protos) }, text: `proto ${protos.join(',')}` });
  }
  if (!taken.has('sourcePorts')) out.push(...portCandidates(matched, 'sourcePorts'));
  if (!taken.has('destinationPorts')) out.push(...portCandidates(matched, 'destinationPorts'));
  if (!taken.has('packetLengths')) out.push(...lengthCandidates(matched, mtuBytes));
  if (!taken.has('tcpFlags')) out.push(...flagCandidates(matched));
  if (!taken.has('fragment') && share(matched, (f) => (f.fragmentFlags & 0x02) !== 0) >= 0.9) {
    out.push({ kind: 'fragment', match: { fragment: [[{ op: 'all', bits: 0x02 }]] }, text: 'fragment is-fragment' });
  }
  if (!taken.has('icmpTypes') && share(matched, (f) => f.protocol === 1 || f.protocol === 58) >= 0.9) {
    const types = topValues(matched, (f) => f.icmpType, 0.9, 2);
    if (types) out.push({ kind: 'icmpTypes', match: { icmpTypes: single(types) }, text: `icmp-type ${types.join(',')}` });
  }
  return out;
}

function matchOf(attack: Attack, chosen: readonly Candidate[]): RuleMatch {
  const sorted = [...chosen].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  return Object.assign({ destination: attack.destination }, ...sorted.map((c) => c.match)) as RuleMatch;
}

export function profileAttack(attack: Attack, samples: ProfileSamples, opts: ProfilerOptions): Signature {
  const lambda = opts.collateralWeight ?? 5;
  const mu = opts.componentCost ?? 0.002;
  const reference = samples.reference ?? [];
  const pseudo = reference.length > 0 ? (opts.referencePseudoSamples ?? 50) : 0;
  const thin = samples.baseline.length + pseudo < (opts.minBaselineSamples ?? 30);
  const maxLoss = opts.maxCoverageLoss ?? 0.02;
  const maxComponents = opts.maxComponents ?? 5;
  const beamWidth = opts.beamWidth ?? 4;
  const family = attack.family === 4 ? 'ipv4' : 'ipv6';
  const attackTotal = totalWeight(samples.attack);
  const baselineTotal = totalWeight(samples.baseline);
  const referenceTotal = totalWeight(reference);

  const evaluate = (chosen: readonly Candidate[]): State => {
    const classifier = compileClassifier([{ id: 'sig', family, match: matchOf(attack, chosen), action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} }]);
    const matched = samples.attack.filter((f) => classifier.matchIndexes(f).length > 0);
    const coverage = attackTotal === 0 ? 0 : totalWeight(matched) / attackTotal;
    let hit = 0;
    for (const f of samples.baseline) if (classifier.matchIndexes(f).length > 0) hit += weightOf(f);
    const collateral = baselineTotal === 0 ? 0 : hit / baselineTotal;
    let refHit = 0;
    if (pseudo > 0) {
      // the same pattern towards any destination
      const pattern = compileClassifier([{ id: 'ref', family, match: { ...matchOf(attack, chosen), destination: undefined }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} }]);
      for (const f of reference) if (pattern.matchIndexes(f).length > 0) refHit += weightOf(f);
    }
    const referenceCollateral = referenceTotal === 0 ? 0 : refHit / referenceTotal;
    const n = samples.baseline.length;
    const estimated = (collateral * n + referenceCollateral * pseudo) / Math.max(1, n + pseudo);
    // Without any baseline, narrower is safer: the most components within the coverage budget,
    // then the most coverage.
    const score = thin ? chosen.length + coverage : coverage - lambda * estimated - mu * chosen.length;
    return { chosen, coverage, collateral, referenceCollateral, score, matched };
  };
  const root = evaluate([]);
  const acceptable = (s: State): boolean => !thin || root.coverage - s.coverage <= maxLoss;
  const better = (a: State, b: State): boolean => a.score > b.score + 1e-9 || (Math.abs(a.score - b.score) <= 1e-9 && a.chosen.length < b.chosen.length);

  let best = root;
  let beam: State[] = [root];
  const visited = new Set<string>([keyOf([])]);
  for (let depth = 0; depth < maxComponents && beam.length > 0; depth++) {
    const next: State[] = [];
    for (const s of beam) {
      const taken = new Set(s.chosen.map((c) => c.kind));
      for (const c of deriveCandidates(attack, s.matched, opts.mtuBytes, taken)) {
        const chosen = [...s.chosen, c];
        const key = keyOf(chosen);
        if (visited.has(key)) continue;
        visited.add(key);
        const e = evaluate(chosen);
        if (!acceptable(e) || !(e.score > s.score + 1e-9)) continue;
        next.push(e);
      }
    }
    next.sort((a, b) => b.score - a.score || a.chosen.length - b.chosen.length || keyOf(a.chosen).localeCompare(keyOf(b.chosen)));
    beam = next.slice(0, beamWidth);
    for (const s of beam) if (better(s, best)) best = s;
  }

  // An amplification attack is defined by the reflected service: anchor its signature on the
  // service's source port (and so UDP) whenever that costs at most maxLoss of coverage. Packet
  // lengths alone may separate the attack just as well in the samples, but reflectors vary their
  // answer sizes, and an operator reading the rule expects to see the service it blocks.
  let chosen = best.chosen;
  if (attack.type.endsWith('amplification') && !chosen.some((c) => c.kind === 'sourcePorts')) {
    const ports = topValues(best.matched.filter(isPorted), (f) => f.srcPort, 0.98, 4);
    if (ports) {
      const anchored = evaluate([...chosen, { kind: 'sourcePorts', match: { sourcePorts: single(ports) }, text: `sport ${ports.join(',')}` }]);
      if (best.coverage - anchored.coverage <= maxLoss) {
        best = anchored;
        chosen = anchored.chosen;
      }
    }
  }
  // A Flowspec port component matches TCP and UDP alike: pin the protocol whenever ports were chosen.
  if (chosen.some((c) => c.kind === 'sourcePorts' || c.kind === 'destinationPorts') && !chosen.some((c) => c.kind === 'protocols')) {
    const protos = topValues(best.matched, (f) => f.protocol, 1, 3);
    if (protos) {
      chosen = [...chosen, { kind: 'protocols', match: { protocols: single(protos) }, text: `proto ${protos.join(',')}` }];
      best = evaluate(chosen);
    }
  }
  const sorted = [...best.chosen].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  let ttlMin = Number.POSITIVE_INFINITY;
  let ttlMax = Number.NEGATIVE_INFINITY;
  for (const f of best.matched) {
    if (f.ttl === undefined) continue;
    ttlMin = Math.min(ttlMin, f.ttl);
    ttlMax = Math.max(ttlMax, f.ttl);
  }
  const destinationText = sorted.find((c) => c.kind === 'destination') ? [] : [`dst ${attack.destination}`];
  return {
    id: `sig-${attack.id}`,
    attackId: attack.id,
    family: attack.family,
    match: matchOf(attack, best.chosen),
    coverage: best.coverage,
    collateral: best.collateral,
    ...(reference.length > 0 ? { referenceCollateral: best.referenceCollateral } : {}),
    ...(ttlMin <= ttlMax ? { ttlRange: [ttlMin, ttlMax] as const } : {}),
    samples: { attack: samples.attack.length, baseline: samples.baseline.length, reference: reference.length },
    summary: [...destinationText, ...sorted.map((c) => c.text)].join(' '),
  };
}

function keyOf(chosen: readonly Candidate[]): string {
  return chosen
    .map((c) => `${c.kind}:${c.text}`)
    .sort()
    .join('|');
}
