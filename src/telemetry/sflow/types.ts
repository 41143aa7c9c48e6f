// sFlow version 5 (sflow.org sflow_version_5.txt) wire structures.
export const SFLOW_SAMPLE = { flow: 1, counters: 2, expandedFlow: 3, expandedCounters: 4 } as const;
export const SFLOW_FLOW_RECORD = { rawHeader: 1, sampledIpv4: 3, sampledIpv6: 4 } as const;
export const SFLOW_COUNTER_RECORD = { genericInterface: 1 } as const;
/** header_protocol values of the raw packet header record. */
export const SFLOW_HEADER_PROTOCOL = { ethernet: 1, ipv4: 11, ipv6: 12 } as const;

export interface SflowRawHeader {
  readonly kind: 'raw-header';
  readonly headerProtocol: number;
  readonly frameLength: number;
  readonly stripped: number;
  readonly header: Uint8Array;
}

export interface SflowFlowSample {
  readonly kind: 'flow';
  readonly sequence: number;
  readonly sourceIdType: number;
  readonly sourceIdIndex: number;
  readonly samplingRate: number;
  readonly samplePool: number;
  readonly drops: number;
  readonly input: number;
  readonly output: number;
  readonly records: readonly SflowRawHeader[];
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
