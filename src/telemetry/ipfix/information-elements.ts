// Information Elements the templated decoders map into FlowRecord fields or sampling state.
// Numbers from the IANA "IP Flow Information Export (IPFIX) Entities" registry (RFC 7012 §4,
// RFC 5477 for the PSAMP sampling IEs); NetFlow v9 field types 1..127 are the same numbers
// (RFC 3954 §8), so one table serves both. Every other IE (and every enterprise-specific one)
// is skipped by its length.
export const IE = {
  octetDeltaCount: 1,
  packetDeltaCount: 2,
  protocolIdentifier: 4,
  ipClassOfService: 5,
  tcpControlBits: 6,
  sourceTransportPort: 7,
  sourceIPv4Address: 8,
  ingressInterface: 10,
  destinationTransportPort: 11,
  destinationIPv4Address: 12,
  egressInterface: 14,
  /** NetFlow v9 LAST_SWITCHED: sysUptime ms at the last packet. */
  flowEndSysUpTime: 21,
  /** NetFlow v9 FIRST_SWITCHED. */
  flowStartSysUpTime: 22,
  sourceIPv6Address: 27,
  destinationIPv6Address: 28,
  flowLabelIPv6: 31,
  /** type * 256 + code */
  icmpTypeCodeIPv4: 32,
  /** NetFlow v9 SAMPLING_INTERVAL (1-in-N); deprecated in IPFIX for 305/306. */
  samplingInterval: 34,
  samplingAlgorithm: 35,
  /** NetFlow v9 FLOW_SAMPLER_ID. */
  samplerId: 48,
  samplerMode: 49,
  /** NetFlow v9 FLOW_SAMPLER_RANDOM_INTERVAL (1-in-N). */
  samplerRandomInterval: 50,
  minimumTTL: 52,
  maximumTTL: 53,
  vlanId: 58,
  ipVersion: 60,
  /** 0 ingress, 1 egress */
  flowDirection: 61,
  octetTotalCount: 85,
  packetTotalCount: 86,
  fragmentOffset: 88,
  icmpTypeCodeIPv6: 139,
  flowStartSeconds: 150,
  flowEndSeconds: 151,
  flowStartMilliseconds: 152,
  flowEndMilliseconds: 153,
  flowStartMicroseconds: 154,
  flowEndMicroseconds: 155,
  flowStartNanoseconds: 156,
  flowEndNanoseconds: 157,
  flowStartDeltaMicroseconds: 158,
  flowEndDeltaMicroseconds: 159,
  systemInitTimeMilliseconds: 160,
  icmpTypeIPv4: 176,
  icmpCodeIPv4: 177,
  icmpTypeIPv6: 178,
  icmpCodeIPv6: 179,
  udpSourcePort: 180,
  udpDestinationPort: 181,
  tcpSourcePort: 182,
  tcpDestinationPort: 183,
  ipTTL: 192,
  ipDiffServCodePoint: 195,
  /** RFC 5102 fragmentFlags: 0x40 DF, 0x20 MF (bit 0, the reserved bit, is the most significant). */
  fragmentFlags: 197,
  dot1qVlanId: 243,
  /** PSAMP Selector id (RFC 5477 §8.1.1): the sampler a record or options record belongs to. */
  selectorId: 302,
  /** RFC 5477 §8.2.2/8.2.3: count-based sampling selects `interval` packets, then skips `space`. */
  samplingPacketInterval: 305,
  samplingPacketSpace: 306,
  /** RFC 5477 §8.2.6/8.2.7: random n-out-of-N sampling. */
  samplingSize: 309,
  samplingPopulation: 310,
} as const;

/** NetFlow v9 flowset ids (RFC 3954 §5.2, §6.1) and IPFIX set ids (RFC 7011 §3.3.2). */
export const NETFLOW9_FLOWSET = { template: 0, optionsTemplate: 1, minData: 256 } as const;
export const IPFIX_SET = { template: 2, optionsTemplate: 3, minData: 256 } as const;

/** IPFIX variable-length marker in a template field length (RFC 7011 §7). */
export const VARIABLE_LENGTH = 65535;
