// The MitigationRule domain model (docs/glossary.md). Wire types (Flowspec NLRI) and
// API schemas are separate and converted at each boundary.
//
// Numeric match components are a union of inclusive integer ranges: any AND/OR chain of
// RFC 8955 §4.2.1.1 numeric operators over integers denotes exactly such a union, so this
// is the canonical form. Values are NOT clamped to physical limits here: the model must be
// able to hold a bad rule (e.g. packet length 99971-99985) so the validator can reject it.

export type RuleFamily = 'ipv4' | 'ipv6';

/** Inclusive integer range; a single value has min === max. */
export interface NumericRange {
  readonly min: number;
  readonly max: number;
}

/**
 * One RFC 8955 §4.2.1.2 bitmask test against a field (TCP flags, fragment bits):
 * - all:     (field & bits) == bits      (m=1, not=0)
 * - any:     (field & bits) != 0         (m=0, not=0)
 * - none:    (field & bits) == 0         (m=0, not=1)
 * - not-all: (field & bits) != bits      (m=1, not=1)
 */
export interface BitmaskTerm {
  readonly op: 'all' | 'any' | 'none' | 'not-all';
  readonly bits: number;
}

/** A bitmask match in disjunctive normal form: OR over clauses, each an AND of terms. */
export type BitmaskMatch = ReadonlyArray<ReadonlyArray<BitmaskTerm>>;

export const TCP_FLAG_BITS = {
  // RFC 9293 §3.1 / RFC 8955 §4.2.2.9 (low-order byte of the TCP flags field)
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
  urg: 0x20,
  ece: 0x40,
  cwr: 0x80,
} as const;
export type TcpFlagName = keyof typeof TCP_FLAG_BITS;

export const FRAGMENT_BITS = {
  // RFC 8955 §4.2.2.12: | 0 | 0 | 0 | 0 |LF |FF |IsF|DF |
  'dont-fragment': 0x01,
  'is-fragment': 0x02,
  'first-fragment': 0x04,
  'last-fragment': 0x08,
} as const;
export type FragmentFlagName = keyof typeof FRAGMENT_BITS;

/** Match components: RFC 8955 (IPv4) and RFC 8956 (IPv6). Absent means "any". */
export interface RuleMatch {
  /** Type 1: destination prefix (CIDR text). */
  readonly destination?: string;
  /** RFC 8956 §3.1 destination prefix offset (IPv6 only; 0 when absent). */
  readonly destinationOffset?: number;
  /** Type 2: source prefix. */
  readonly source?: string;
  readonly sourceOffset?: number;
  /** Type 3: IP protocol (IPv4) / upper-layer protocol (IPv6 next header, RFC 8956 §3.3). */
  readonly protocols?: readonly NumericRange[];
  /** Type 4: source OR destination port. */
  readonly ports?: readonly NumericRange[];
  /** Type 5 */
  readonly destinationPorts?: readonly NumericRange[];
  /** Type 6 */
  readonly sourcePorts?: readonly NumericRange[];
  /** Type 7 (ICMP type; ICMPv6 type for IPv6) */
  readonly icmpTypes?: readonly NumericRange[];
  /** Type 8 */
  readonly icmpCodes?: readonly NumericRange[];
  /** Type 9 */
  readonly tcpFlags?: BitmaskMatch;
  /** Type 10: packet length in bytes (IPv4 total length, RFC 8955 §4.2.2.10; IPv6 per RFC 8956). */
  readonly packetLengths?: readonly NumericRange[];
  /** Type 11: DSCP, 6 bits. */
  readonly dscp?: readonly NumericRange[];
  /** Type 12 */
  readonly fragment?: BitmaskMatch;
  /** Type 13 (IPv6 only, RFC 8956 §3.7): flow label, 20 bits. */
  readonly flowLabel?: readonly NumericRange[];
}

/** The primary action (RFC 8955 §7 traffic filtering actions). */
export type RuleAction =
  | { readonly kind: 'accept' }
  | { readonly kind: 'discard' }
  /** traffic-rate-bytes (0x8006), bytes per second; 0 means discard. */
  | { readonly kind: 'rate-limit-bytes'; readonly bytesPerSec: number }
  /** traffic-rate-packets (0x800c), packets per second. */
  | { readonly kind: 'rate-limit-packets'; readonly packetsPerSec: number }
  /** rt-redirect to a route target "ASN:NN" / "IP:NN" (0x8008 / 0x8108 / 0x8208), or redirect-to-IP. */
  | { readonly kind: 'redirect'; readonly target: string }
  /** traffic-marking (0x8009). */
  | { readonly kind: 'mark-dscp'; readonly dscp: number };

export type RuleScope =
  | { readonly kind: 'global' }
  | { readonly kind: 'pops'; readonly pops: readonly string[] }
  | { readonly kind: 'regions'; readonly regions: readonly string[] };

export interface RuleProvenance {
  readonly author?: string;
  readonly reason?: string;
  readonly attackId?: string;
  readonly signatureId?: string;
  /** Where the rule came from: native file, Junos/ExaBGP import, profiler proposal, API. */
  readonly origin?: 'native' | 'junos' | 'exabgp' | 'profiler' | 'api';
}

export interface MitigationRule {
  /** Stable identifier (the Junos route name, the native id, or a generated one). */
  readonly id: string;
  readonly family: RuleFamily;
  readonly match: RuleMatch;
  readonly action: RuleAction;
  /** traffic-action (0x8007) S bit: sample (log) matching traffic. */
  readonly sample?: boolean;
  /** traffic-action T bit: terminal action (default true: stop evaluating further rules). */
  readonly terminal?: boolean;
  readonly scope: RuleScope;
  /** ISO-8601 instant after which the rule must be withdrawn. */
  readonly expiresAt?: string;
  readonly provenance: RuleProvenance;
  /** Who approved a wide-scope rule (needed for global scope). */
  readonly approvedBy?: string;
}

/** Validation finding (STYLE: errors kind 2). Codes are listed in docs/errors.md. */
export interface Finding {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  /** Rule id the finding is about (absent for file-level findings). */
  readonly rule?: string;
  /** Match component or field path, e.g. "match.packetLengths". */
  readonly component?: string;
  readonly message: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** Devices (router ids) the finding applies to, for capability/defect findings. */
  readonly devices?: readonly string[];
  /** Source location for findings from parsing a file. */
  readonly line?: number;
  readonly column?: number;
}
