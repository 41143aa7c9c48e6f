// A labelled synthetic packet as the FlowRecord a sampling exporter would report for it.
import { describeWirePacket, ipProtocol } from '../export/packet-builder.js';
import type { FlowRecord } from '../flow-record.js';
import type { SynthPacket } from './traffic-plan.js';

export function packetToFlowRecord(p: SynthPacket): FlowRecord {
  const d = p.datagram;
  const info = describeWirePacket(p);
  const t = d.transport;
  const ports = info.hasTransportHeader && t.kind !== 'icmp' ? { srcPort: t.srcPort, dstPort: t.dstPort } : { srcPort: 0, dstPort: 0 };
  return {
    timestampMs: p.timestampMs,
    source: 'synth',
    exporter: `synth-${p.pop}`,
    family: d.family,
    srcAddr: d.srcAddr,
    dstAddr: d.dstAddr,
    protocol: ipProtocol(d),
    ...ports,
    ...(info.hasTransportHeader && t.kind === 'icmp' ? { icmpType: t.type, icmpCode: t.code } : {}),
    tcpFlags: info.hasTransportHeader && t.kind === 'tcp' ? t.flags : 0,
    ttl: d.ttl,
    dscp: d.dscp,
    fragmentFlags: info.fragmentFlags,
    ...(d.family === 6 ? { flowLabel: d.flowLabel ?? 0 } : {}),
    packetLengthBytes: info.ipLengthBytes,
    sampledPackets: 1,
    sampledBytes: info.ipLengthBytes,
    sampleRate: p.sampleRate,
    estimatedPackets: p.sampleRate,
    estimatedBytes: info.ipLengthBytes * p.sampleRate,
    label: p.label,
    pop: p.pop,
  };
}
