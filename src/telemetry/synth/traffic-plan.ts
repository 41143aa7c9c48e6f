// What the packet-level generator is asked for: background traffic towards a victim network and
// attacks against a host or prefix, with rates on the wire (before sampling). Offsets are from
// the start time handed to generatePackets.
import type { WirePacketSpec } from '../export/packet-spec.js';
import { DEFAULT_CARPET_PREFIX, DEFAULT_VICTIM_HOST } from './default-config.js';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.js';

/** Attack kinds plus `mixed` (several attacks one after another, overlapping) for the CLI. */
export const TRAFFIC_SCENARIO_NAMES = [...SCENARIO_NAMES, 'mixed', 'none'] as const;
export type TrafficScenarioName = (typeof TRAFFIC_SCENARIO_NAMES)[number];

export interface AttackPlan {
  /** Ground-truth label of its packets. */
  readonly id: string;
  readonly kind: ScenarioName;
  /** Victim host, or a prefix (/24 or wider for carpet bombing) whose hosts are hit at random. */
  readonly target: string;
  readonly startOffsetMs: number;
  readonly endOffsetMs: number;
  /** Attack packets per second on the wire (fragments count as packets), before sampling. */
  readonly pps: number;
  /** PoPs the attack lands on (anycast: each source reaches one of them). */
  readonly pops: readonly string[];
  /** Reflectors / bots in the pool (spoofed floods ignore it). */
  readonly sources?: number;
}

export interface TrafficPlan {
  readonly durationMs: number;
  /** Link MTU: IP datagrams larger than this are fragmented. */
  readonly mtuBytes: number;
  /** 1-in-N packet sampling: only sampled packets are produced, each standing for N. 1 = every packet. */
  readonly sampleRate: number;
  readonly background: {
    readonly pps: number;
    /** Victim-network addresses that receive legitimate traffic (IPv4 and/or IPv6). */
    readonly destinations: readonly string[];
    readonly pops: readonly string[];
  };
  readonly attacks: readonly AttackPlan[];
}

/** One packet on the wire with its ground truth. */
export interface SynthPacket extends WirePacketSpec {
  readonly timestampMs: number;
  /** 'benign' or the attack id. */
  readonly label: string;
  readonly pop: string;
  /** Packets on the wire this one stands for (the sampling rate; 1 when unsampled). */
  readonly sampleRate: number;
}

export interface DefaultTrafficOptions {
  readonly durationMs?: number;
  readonly sampleRate?: number;
  readonly mtuBytes?: number;
  readonly backgroundPps?: number;
  readonly attackPps?: number;
  readonly attackStartOffsetMs?: number;
  readonly attackEndOffsetMs?: number;
  /** Attack target host (carpet bombing: prefix). */
  readonly victim?: string;
  readonly carpetPrefix?: string;
  readonly destinations?: readonly string[];
  readonly pops?: readonly string[];
  readonly attackPops?: readonly string[];
}

export const DEFAULT_DESTINATIONS: readonly string[] = Array.from({ length: 60 }, (_, i) => `173.245.${48 + (i % 4)}.${10 + i}`).concat([DEFAULT_VICTIM_HOST, '173.245.54.20']);

/** The plan the CLI builds from a scenario name (same victim network as the flow generator). */
export function defaultTrafficPlan(scenario: TrafficScenarioName, o: DefaultTrafficOptions = {}): TrafficPlan {
  const durationMs = o.durationMs ?? 60_000;
  const pops = o.pops ?? ['ams1', 'fra1', 'lhr1', 'sjc1'];
  const attackPops = o.attackPops ?? pops.slice(0, Math.max(1, Math.min(2, pops.length)));
  const start = o.attackStartOffsetMs ?? Math.round(durationMs / 3);
  const end = o.attackEndOffsetMs ?? Math.round((durationMs * 5) / 6);
  const pps = o.attackPps ?? 20_000;
  const victim = o.victim ?? DEFAULT_VICTIM_HOST;
  const attack = (kind: ScenarioName, id: string, from: number, to: number, share = 1): AttackPlan => ({
    id,
    kind,
    target: kind === 'carpet-bombing' ? (o.carpetPrefix ?? DEFAULT_CARPET_PREFIX) : victim,
    startOffsetMs: from,
    endOffsetMs: to,
    pps: pps * share,
    pops: attackPops,
  });
  let attacks: AttackPlan[] = [];
  if (scenario === 'mixed') {
    // Three overlapping attacks across the window: reflection, then a SYN flood, then carpet bombing.
    const span = end - start;
    attacks = [
      attack('dns-amplification', 'attack-dns', start, start + span * 0.5, 0.5),
      attack('syn-flood', 'attack-syn', start + span * 0.3, start + span * 0.8, 0.3),
      attack('carpet-bombing', 'attack-carpet', start + span * 0.6, end, 0.4),
    ];
  } else if (scenario !== 'none') {
    attacks = [attack(scenario, 'attack-1', start, end)];
  }
  return {
    durationMs,
    mtuBytes: o.mtuBytes ?? 1500,
    sampleRate: o.sampleRate ?? 1,
    background: { pps: o.backgroundPps ?? 2_000, destinations: o.destinations ?? DEFAULT_DESTINATIONS, pops },
    attacks,
  };
}
