// BGP message wire types (what is on the wire, decoded). Domain types (MitigationRule) are
// converted at the flowspec boundary; these stay close to the bytes so vectors round-trip.
import type { DecodeError } from '../../lib/result.js';
import type { FlowspecExtCommunity, FlowspecNlri, Ipv6OffsetLayout } from '../../flowspec/index.js';

export interface AddressFamily {
  readonly afi: number;
  readonly safi: number;
}

export type Capability =
  | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly kind: 'route-refresh' }
  | { readonly kind: 'enhanced-route-refresh' }
  | { readonly kind: 'four-octet-as'; readonly asn: number }
  | {
      readonly kind: 'graceful-restart';
      /** R bit (restarting). */
      readonly restarting: boolean;
      /** N bit (RFC 8538 notification support). */
      readonly notification: boolean;
      readonly restartTimeSec: number;
      readonly families: ReadonlyArray<AddressFamily & { readonly forwardingPreserved: boolean }>;
    }
  | { readonly kind: 'unknown'; readonly code: number; readonly value: string };

export interface OpenMessage {
  readonly type: 'open';
  readonly version: number;
  /** The 2-byte "My Autonomous System" field (AS_TRANS when the real AS needs 4 bytes). */
  readonly myAs: number;
  readonly holdTimeSec: number;
  /** BGP identifier, dotted quad. */
  readonly bgpId: string;
  readonly capabilities: readonly Capability[];
  /** RFC 9072 extended optional parameters length was used. */
  readonly extendedParams?: boolean;
  /** How many capabilities each optional parameter held, when not one per parameter (kept so a capture re-encodes exactly). */
  readonly capabilityGroups?: readonly number[];
}

export interface AsPathSegment {
  readonly type: 'set' | 'sequence' | 'confed-sequence' | 'confed-set';
  readonly asns: readonly number[];
}

/** One NLRI inside MP_REACH/MP_UNREACH of a Flowspec family. */
export interface FlowspecNlriItem {
  /** Decoded NLRI; absent when malformed. Encoding uses it when present, else `hex`. */
  readonly nlri?: FlowspecNlri;
  /** Value bytes as received (set by the decoder). */
  readonly hex?: string;
  /** Why the NLRI is malformed (it is treated as withdrawn). */
  readonly error?: DecodeError;
}

export type MpNlri =
  | { readonly kind: 'flowspec'; readonly items: readonly FlowspecNlriItem[] }
  | { readonly kind: 'prefixes'; readonly prefixes: readonly string[] }
  /** A family this decoder does not parse; kept as bytes. */
  | { readonly kind: 'raw'; readonly hex: string };

interface AttrBase {
  /** Attribute flags as on the wire (optional, transitive, partial, extended length). */
  readonly flags: number;
}

export type PathAttribute =
  | (AttrBase & { readonly code: 1; readonly origin: 'igp' | 'egp' | 'incomplete' })
  | (AttrBase & { readonly code: 2; readonly segments: readonly AsPathSegment[] })
  | (AttrBase & { readonly code: 3; readonly nextHop: string })
  | (AttrBase & { readonly code: 4; readonly med: number })
  | (AttrBase & { readonly code: 5; readonly localPref: number })
  | (AttrBase & { readonly code: 6 })
  | (AttrBase & { readonly code: 7; readonly asn: number; readonly address: string })
  | (AttrBase & { readonly code: 8; readonly communities: readonly string[] })
  | (AttrBase & { readonly code: 14; readonly afi: number; readonly safi: number; readonly nextHop: string; readonly nlri: MpNlri })
  | (AttrBase & { readonly code: 15; readonly afi: number; readonly safi: number; readonly nlri: MpNlri })
  | (AttrBase & { readonly code: 16; readonly communities: readonly FlowspecExtCommunity[] })
  | (AttrBase & { readonly code: 17; readonly segments: readonly AsPathSegment[] })
  | (AttrBase & { readonly code: 18; readonly asn: number; readonly address: string })
  /** Unknown optional attribute (kept and passed on), or a known one we discarded as malformed. */
  | (AttrBase & { readonly code: number; readonly unknown: true; readonly value: string });

export interface UpdateMessage {
  readonly type: 'update';
  /** IPv4 unicast withdrawn prefixes (CIDR). */
  readonly withdrawn: readonly string[];
  readonly attributes: readonly PathAttribute[];
  /** IPv4 unicast NLRI (CIDR). */
  readonly nlri: readonly string[];
}

export interface NotificationMessage {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  /** Data field, hex. */
  readonly data: string;
}

export interface KeepaliveMessage {
  readonly type: 'keepalive';
}

export interface RouteRefreshMessage {
  readonly type: 'route-refresh';
  readonly afi: number;
  /** RFC 7313 §3: 0 normal request, 1 BoRR, 2 EoRR. */
  readonly subtype: number;
  readonly safi: number;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/** The NOTIFICATION a decode error makes us send (RFC 4271 §6). */
export interface NotificationSpec {
  readonly code: number;
  readonly subcode: number;
  /** Data field, hex. */
  readonly data: string;
}

/** A message we cannot accept: the session is reset with `notification`. */
export interface BgpDecodeError extends DecodeError {
  readonly notification: NotificationSpec;
}

/** RFC 7606 outcome for a malformed part of an otherwise usable UPDATE. */
export interface UpdateIssue {
  readonly code: string;
  readonly offset: number;
  readonly message: string;
  /** treat-as-withdraw: every NLRI of the UPDATE is withdrawn; attribute-discard: the attribute is dropped; nlri-withdraw: only that Flowspec NLRI. */
  readonly action: 'treat-as-withdraw' | 'attribute-discard' | 'nlri-withdraw';
  readonly attributeCode?: number;
}

export interface DecodeContext {
  /** RFC 6793: AS numbers in AS_PATH/AGGREGATOR are 4 bytes (both sides sent the capability). */
  readonly fourOctetAs: boolean;
  /** Layout of IPv6 Flowspec prefixes with an offset (default RFC 8956; see Ipv6OffsetLayout). */
  readonly ipv6OffsetLayout?: Ipv6OffsetLayout;
}

export interface DecodedMessage {
  readonly message: BgpMessage;
  /** RFC 7606 issues found in an UPDATE (empty otherwise). */
  readonly issues: readonly UpdateIssue[];
  /** True when some issue requires treat-as-withdraw of the whole UPDATE's NLRI. */
  readonly treatAsWithdraw: boolean;
}
