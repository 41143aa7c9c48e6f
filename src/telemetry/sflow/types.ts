// sFlow version 5 (sflow.org sflow_version_5.txt) wire structures.
/** Sample formats (enterprise 0): §5 "sample_data". */
export const SFLOW_SAMPLE = { flow: 1, counters: 2, expandedFlow: 3, expandedCounters: 4 } as const;
/** Flow record formats (enterprise 0): raw packet header, sampled IPv4/IPv6, extended switch. */
export const SFLOW_FLOW_RECORD = { rawHeader: 1, sampledIpv4: 3, sampledIpv6: 4, extendedSwitch: 1001 } as const;
export const SFLOW_COUNTER_RECORD = { genericInterface: 1 } as const;
/** header_protocol values of the raw packet header record. */
export const SFLOW_HEADER_PROTOCOL = { ethernet: 1, ipv4: 11, ipv6: 12 } as const;

export interface SflowRawHeader {
  readonly kind: 'raw-header';
  readonly headerProtocol: number;
  /** Original length of the packet (frame) before sampling, including what was stripped. */
  readonly frameLength: number;
  readonly stripped: number;
  readonly header: Uint8Array;
}

/** sampled_ipv4 (format 3) / sampled_ipv6 (format 4): the agent's own decode of the packet. */
export interface SflowSampledIp {
  readonly kind: 'sampled-ipv4' | 'sampled-ipv6';
  /** IP packet length excluding lower layers. */
  readonly length: number;
  readonly protocol: number;
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly tcpFlags: number;
  /** IPv4 TOS byte / IPv6 priority (traffic class). */
  readonly tos: number;
}

/** extended_switch (format 1001). */
export interface SflowExtendedSwitch {
  readonly kind: 'extended-switch';
  readonly srcVlan: number;
  readonly srcPriority: number;
  readonly dstVlan: number;
  readonly dstPriority: number;
}

export type SflowFlowData = SflowRawHeader | SflowSampledIp | SflowExtendedSwitch;

export interface SflowFlowSample {
  readonly kind: 'flow';
  /** True for expanded_flow_sample (format 3). */
  readonly expanded?: boolean;
  readonly sequence: number;
  readonly sourceIdType: number;
  readonly sourceIdIndex: number;
  readonly samplingRate: number;
  readonly samplePool: number;
  readonly drops: number;
  /** Compact samples: the 32-bit interface word (top 2 bits format, low 30 value). Expanded: the value. */
  readonly input: number;
  readonly output: number;
  /** Expanded samples: interface formats (0 ifIndex, 1 discarded, 2 multiple). */
  readonly inputFormat?: number;
  readonly outputFormat?: number;
  readonly records: readonly SflowFlowData[];
}

export interface InterfaceCounters {
  readonly ifIndex: number;
  readonly ifType: number;
  readonly ifSpeed: number;
  readonly ifDirection: number;
  readonly ifStatus: number;
  readonly ifInOctets: number;
  readonly ifInUcastPkts: number;
  readonly ifInDiscards: number;
  readonly ifInErrors: number;
  readonly ifOutOctets: number;
  readonly ifOutUcastPkts: number;
  readonly ifOutDiscards: number;
  readonly ifOutErrors: number;
}

export interface SflowCounterSample {
  readonly kind: 'counters';
  /** True for expanded_counter_sample (format 4). */
  readonly expanded?: boolean;
  readonly sequence: number;
  readonly sourceIdType: number;
  readonly sourceIdIndex: number;
  readonly interfaces: readonly InterfaceCounters[];
}

export interface SflowDatagram {
  readonly agent: string;
  readonly subAgentId: number;
  readonly sequence: number;
  readonly uptimeMs: number;
  readonly samples: ReadonlyArray<SflowFlowSample | SflowCounterSample>;
}
