// sFlow v5 encoder (flow samples with raw packet headers, generic interface counters):
// the synthetic exporter and the round-trip partner of the decoder.
import { ByteWriter } from '../../lib/byte-writer.js';
import { parseAddress } from '../../lib/prefix.js';
import { SFLOW_COUNTER_RECORD, SFLOW_FLOW_RECORD, SFLOW_SAMPLE, type SflowDatagram } from './types.js';

export function encodeSflowDatagram(d: SflowDatagram): Uint8Array {
  const agent = parseAddress(d.agent);
  if (!agent) throw new Error(`agent address ${d.agent} is not an IP address`);
  const w = new ByteWriter(1500);
  w.u32(5).u32(agent.length === 4 ? 1 : 2).bytes(agent).u32(d.subAgentId).u32(d.sequence).u32(d.uptimeMs).u32(d.samples.length);
  for (const s of d.samples) {
    w.u32(s.kind === 'flow' ? SFLOW_SAMPLE.flow : SFLOW_SAMPLE.counters);
    const lenAt = w.reserve(4);
    const start = w.length;
    w.u32(s.sequence).u32(((s.sourceIdType & 0xff) << 24) | (s.sourceIdIndex & 0xffffff));
    if (s.kind === 'flow') {
      w.u32(s.samplingRate).u32(s.samplePool).u32(s.drops).u32(s.input).u32(s.output).u32(s.records.length);
      for (const r of s.records) {
        const pad = (4 - (r.header.length % 4)) % 4;
        w.u32(SFLOW_FLOW_RECORD.rawHeader).u32(16 + r.header.length + pad).u32(r.headerProtocol).u32(r.frameLength).u32(r.stripped).u32(r.header.length).bytes(r.header).bytes(new Uint8Array(pad));
      }
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
