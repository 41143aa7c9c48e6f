// BGP-4 code points (RFC 4271 and extensions), `as const` with their RFC sections.

/** RFC 4271 §4.1 message types; RFC 2918 §3 ROUTE-REFRESH. */
export const MESSAGE_TYPE = {
  open: 1,
  update: 2,
  notification: 3,
  keepalive: 4,
  routeRefresh: 5,
} as const;

/** RFC 4271 §4.1: header is 16-byte marker + 2-byte length + 1-byte type. */
export const HEADER_LENGTH = 19;
/** RFC 4271 §4: largest message (RFC 8654 extended messages are not negotiated). */
export const MAX_MESSAGE_LENGTH = 4096;

/** Smallest legal length per message type (RFC 4271 §4.2-4.5, RFC 2918 §3). */
export const MIN_MESSAGE_LENGTH: Record<number, number> = {
  1: 29,
  2: 23,
  3: 21,
  4: 19,
  5: 23,
};

/** RFC 4271 §4.5 error codes, RFC 7313 §5 ROUTE-REFRESH message error. */
export const ERROR_CODE = {
  messageHeader: 1,
  open: 2,
  update: 3,
  holdTimerExpired: 4,
  fsm: 5,
  cease: 6,
  routeRefresh: 7,
} as const;

/** RFC 4271 §6.1 */
export const HEADER_SUBCODE = {
  connectionNotSynchronized: 1,
  badMessageLength: 2,
  badMessageType: 3,
} as const;

/** RFC 4271 §6.2, RFC 5492 §5 (7: Unsupported Capability). */
export const OPEN_SUBCODE = {
  unspecific: 0,
  unsupportedVersion: 1,
  badPeerAs: 2,
  badBgpIdentifier: 3,
  unsupportedOptionalParameter: 4,
  unacceptableHoldTime: 6,
  unsupportedCapability: 7,
} as const;

/** RFC 4271 §6.3 */
export const UPDATE_SUBCODE = {
  malformedAttributeList: 1,
  unrecognizedWellKnownAttribute: 2,
  missingWellKnownAttribute: 3,
  attributeFlagsError: 4,
  attributeLengthError: 5,
  invalidOriginAttribute: 6,
  invalidNextHopAttribute: 8,
  optionalAttributeError: 9,
  invalidNetworkField: 10,
  malformedAsPath: 11,
} as const;

/** RFC 6608 FSM error subcodes. */
export const FSM_SUBCODE = {
  unspecified: 0,
  unexpectedInOpenSent: 1,
  unexpectedInOpenConfirm: 2,
  unexpectedInEstablished: 3,
} as const;

/** RFC 4486 §4 Cease subcodes. */
export const CEASE_SUBCODE = {
  maxPrefixes: 1,
  administrativeShutdown: 2,
  peerDeconfigured: 3,
  administrativeReset: 4,
  connectionRejected: 5,
  otherConfigurationChange: 6,
  connectionCollision: 7,
  outOfResources: 8,
} as const;

/** RFC 7313 §5 */
export const ROUTE_REFRESH_SUBCODE = { invalidMessageLength: 1 } as const;

/** RFC 4271 §4.2 optional parameter types; RFC 9072 extended length marker. */
export const OPT_PARAM = { capabilities: 2, extendedLength: 255 } as const;

/** IANA capability codes used here. */
export const CAPABILITY = {
  multiprotocol: 1, // RFC 4760 §8
  routeRefresh: 2, // RFC 2918
  gracefulRestart: 64, // RFC 4724 §3
  fourOctetAs: 65, // RFC 6793 §3
  enhancedRouteRefresh: 70, // RFC 7313
} as const;

/** RFC 4271 §5 path attribute type codes; RFC 4760 MP attributes; RFC 4360; RFC 6793. */
export const ATTR = {
  origin: 1,
  asPath: 2,
  nextHop: 3,
  med: 4,
  localPref: 5,
  atomicAggregate: 6,
  aggregator: 7,
  communities: 8, // RFC 1997
  mpReach: 14,
  mpUnreach: 15,
  extCommunities: 16,
  as4Path: 17,
  as4Aggregator: 18,
} as const;

/** RFC 4271 §4.3 attribute flag bits. */
export const ATTR_FLAG = {
  optional: 0x80,
  transitive: 0x40,
  partial: 0x20,
  extendedLength: 0x10,
} as const;

export const AFI = { ipv4: 1, ipv6: 2 } as const;
export const SAFI = { unicast: 1, flowspec: 133 } as const;

/** RFC 6793 §9: the 2-byte placeholder for a 4-byte AS. */
export const AS_TRANS = 23456;

/** AS_PATH segment types (RFC 4271 §4.3, RFC 5065). */
export const AS_PATH_SEGMENT = { set: 1, sequence: 2, confedSequence: 3, confedSet: 4 } as const;
