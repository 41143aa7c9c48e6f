// The one normalised record every telemetry decoder emits (docs/glossary.md).
// Sampled counts (what the exporter saw in its samples) and estimated counts
// (sampled × sampling rate) are kept apart so nobody multiplies twice.

export type FlowSource = 'sflow' | 'netflow5' | 'netflow9' | 'ipfix' | 'pcap' | 'synth';

export interface FlowRecord {
  /** Flow/sample time, ms since the Unix epoch (exporter clock). */
  readonly timestampMs: number;
  readonly source: FlowSource;
  /** Exporter (agent) address as text. */
  readonly exporter: string;
  /** IPFIX observation domain / NetFlow v9 source id / sFlow sub-agent id. */
  readonly observationDomain?: number;
  readonly inputInterface?: number;
  readonly outputInterface?: number;
  readonly family: 4 | 6;
  readonly srcAddr: string;
  readonly dstAddr: string;
  /** IP protocol / IPv6 next header of the transport. */
  readonly protocol: number;
  /** 0 when the protocol has no ports. */
  readonly srcPort: number;
  readonly dstPort: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** TCP flags byte (OR of flags for a flow). */
  readonly tcpFlags: number;
  readonly ttl?: number;
  readonly dscp: number;
  /** RFC 8955 fragment bits: 0x01 DF, 0x02 IsF, 0x04 FF, 0x08 LF. */
  readonly fragmentFlags: number;
  readonly flowLabel?: number;
  /** IP total length of a representative packet in bytes (flows: bytes / packets, rounded). */
  readonly packetLengthBytes: number;
  /** Packets and bytes actually seen in the sample or flow record. */
  readonly sampledPackets: number;
  readonly sampledBytes: number;
  /** 1-in-N sampling rate (1 when unsampled). */
  readonly sampleRate: number;
  /** sampled × sampleRate. */
  readonly estimatedPackets: number;
  readonly estimatedBytes: number;
  /** Direction the exporter observed the flow in (IPFIX flowDirection / NetFlow v9 DIRECTION, IE 61). */
  readonly direction?: 'ingress' | 'egress';
  /** 802.1Q VLAN id (outer tag of a sampled header; IPFIX vlanId IE 58). */
  readonly vlan?: number;
  /** Ground-truth label from the synthetic generator ("benign" or an attack id); absent for real traffic. */
  readonly label?: string;
  /** PoP that observed the flow, when known (synth, simulator, exporter mapping). */
  readonly pop?: string;
}
