// Detection domain types (docs/glossary.md: Attack, Signature, coverage, collateral).
import type { RuleMatch } from '../rules/model.js';

export type AttackType =
  | 'dns-amplification'
  | 'ntp-amplification'
  | 'memcached-amplification'
  | 'ssdp-amplification'
  | 'amplification'
  | 'syn-flood'
  | 'udp-flood'
  | 'fragment-flood'
  | 'carpet-bombing'
  | 'volumetric';

export interface Attack {
  readonly id: string;
  /** Victim: a host prefix (/32, /128) or, for carpet bombing, the covering prefix. */
  readonly destination: string;
  readonly family: 4 | 6;
  readonly type: AttackType;
  readonly state: 'active' | 'ended';
  readonly startMs: number;
  /** Telemetry time the detector raised the alarm. */
  readonly detectedMs: number;
  readonly lastSeenMs: number;
  readonly endMs?: number;
  readonly peakPps: number;
  readonly peakBps: number;
  readonly currentPps: number;
  readonly pops: readonly string[];
  /** [windowEndMs, estimated pps] samples for rate graphs (bounded). */
  readonly series: ReadonlyArray<readonly [number, number]>;
}

export interface AttackEvent {
  readonly kind: 'start' | 'update' | 'end';
  readonly attack: Attack;
}

export interface Signature {
  readonly id: string;
  readonly attackId: string;
  readonly family: 4 | 6;
  /** The match components (no action): destination plus what separates attack from legitimate traffic. */
  readonly match: RuleMatch;
  /** Share of the attack's traffic (estimated packets) the match covers. */
  readonly coverage: number;
  /** Share of the victim's recent legitimate traffic the match would also hit. */
  readonly collateral: number;
  /** Share of calm traffic to other destinations the match's pattern (destination ignored) hits. */
  readonly referenceCollateral?: number;
  /** Observed TTL range of the attack (informational: Flowspec has no TTL component). */
  readonly ttlRange?: readonly [number, number];
  readonly samples: { readonly attack: number; readonly baseline: number; readonly reference?: number };
  /** Human summary, e.g. "dst 192.0.2.10/32 proto 17 sport 53 len 512-1500". */
  readonly summary: string;
}
