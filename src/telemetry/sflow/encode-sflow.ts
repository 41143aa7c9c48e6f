// sFlow v5 encoder (compact and expanded flow samples with raw packet headers, sampled IPv4/IPv6
// and extended switch records; generic interface counters): the round-trip partner of the
// decoder and a builder for hand-made test vectors.
import { ByteWriter } from '../../lib/byte-writer.js';
import { parseAddress } from '../../lib/prefix.js';
import { SFLOW_COUNTER_RECORD, SFLOW_FLOW_RECORD, SFLOW_SAMPLE, type SflowDatagram, type SflowFlowData } from './types.js';

function address(text: string, bytes: 4 | 16): Uint8Array {
  const a = parseAddress(text);
  if (!a || a.length !== bytes) throw new Error(`${text} is not an IPv${bytes === 4 ? 4 : 6} address`);
  return a;
}

function writeFlowData(w: ByteWriter, r: SflowFlowData): void {
  switch (r.kind) {
    case 'raw-header': {
      const pad = (4 - (r.header.length % 4)) % 4;
      w.u32(SFLOW_FLOW_RECORD.rawHeader).u32(16 + r.header.length + pad).u32(r.headerProtocol).u32(r.frameLength).u32(r.stripped).u32(r.header.length).bytes(r.header).bytes(new Uint8Array(pad));
      return;
    }
    case 'sampled-ipv4':
    case 'sampled-ipv6': {
      const v6 = r.kind === 'sampled-ipv6';
      w.u32(v6 ? SFLOW_FLOW_RECORD.sampledIpv6 : SFLOW_FLOW_RECORD.sampledIpv4).u32(v6 ? 56 : 32).u32(r.length).u32(r.protocol);
      w.bytes(address(r.srcAddr, v6 ? 16 : 4)).bytes(address(r.dstAddr, v6 ? 16 : 4)).u32(r.srcPort).u32(r.dstPort).u32(r.tcpFlags).u32(r.tos);
      return;
    }
    case 'extended-switch':
      w.u32(SFLOW_FLOW_RECORD.extendedSwitch).u32(16).u32(r.srcVlan).u32(r.srcPriority).u32(r.dstVlan).u32(r.dstPriority);
      return;
  }
}

export function encodeSflowDatagram(d: SflowDatagram): Uint8Array {
  const agent = parseAddress(d.agent);
  if (!agent) throw new Error(`agent address ${d.agent} is not an IP address`);
  const w = new ByteWriter(1500);
  w.u32(5).u32(agent.length === 4 ? 1 : 2).bytes(agent).u32(d.subAgentId).u32(d.sequence).u32(d.uptimeMs).u32(d.samples.length);
  for (const s of d.samples) {
    const expanded = s.expanded === true;
    w.u32(s.kind === 'flow' ? (expanded ? SFLOW_SAMPLE.expandedFlow : SFLOW_SAMPLE.flow) : expanded ? SFLOW_SAMPLE.expandedCounters : SFLOW_SAMPLE.counters);
    const lenAt = w.reserve(4);
    const start = w.length;
    w.u32(s.sequence);
    if (expanded) w.u32(s.sourceIdType).u32(s.sourceIdIndex);
    else w.u32(((s.sourceIdType & 0xff) << 24) | (s.sourceIdIndex & 0xffffff));
    if (s.kind === 'flow') {
      w.u32(s.samplingRate).u32(s.samplePool).u32(s.drops);
      if (expanded) w.u32(s.inputFormat ?? 0).u32(s.input).u32(s.outputFormat ?? 0).u32(s.output);
      else w.u32(s.input).u32(s.output);
      w.u32(s.records.length);
      for (const r of s.records) writeFlowData(w, r);
    } else {
      w.u32(s.interfaces.length);
      for (const c of s.interfaces) {
        w.u32(SFLOW_COUNTER_RECORD.genericInterface).u32(88);
        w.u32(c.ifIndex).u32(c.ifType).u64(c.ifSpeed).u32(c.ifDirection).u32(c.ifStatus);
        w.u64(c.ifInOctets).u32(c.ifInUcastPkts).u32(0).u32(0).u32(c.ifInDiscards).u32(c.ifInErrors).u32(0);
        w.u64(c.ifOutOctets).u32(c.ifOutUcastPkts).u32(0).u32(0).u32(c.ifOutDiscards).u32(c.ifOutErrors).u32(0);
      }
    }
    w.setU32(lenAt, w.length - start);
  }
  return w.finish();
}
