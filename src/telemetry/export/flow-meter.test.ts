// Flow meter: aggregation by key, TCP end, inactive and active timeouts, fragments, cache bound.
import { describe, expect, it } from 'vitest';
import { type MeteredPacket, FlowMeter } from './flow-meter.js';
import type { DatagramSpec } from './packet-spec.js';

const base: DatagramSpec = { family: 4, srcAddr: '198.51.100.7', dstAddr: '173.245.53.10', ttl: 50, dscp: 0, ipId: 1, dontFragment: true, transport: { kind: 'udp', srcPort: 53, dstPort: 40000 }, payload: { kind: 'filler', lengthBytes: 72, seed: 1 } };
const pkt = (t: number, d: Partial<DatagramSpec> = {}, fragmentIndex = 0): MeteredPacket => ({ timestampMs: t, pop: 'ams1', label: 'attack-1', sampleRate: 1, datagram: { ...base, ...d }, fragmentIndex, mtuBytes: 1500 });
const tcp = (flags: number) => ({ transport: { kind: 'tcp' as const, srcPort: 51000, dstPort: 443, seq: 1, ack: 1, flags, window: 100, options: 'none' as const }, payload: { kind: 'none' as const } });

describe('FlowMeter', () => {
  it('aggregates packets of one 5-tuple: counts, bytes, first/last, TTL range', () => {
    const m = new FlowMeter();
    m.add(pkt(1_000, { ttl: 40 }));
    m.add(pkt(1_500, { ttl: 60 }));
    m.add(pkt(1_700, { srcAddr: '198.51.100.8' }));
    const flows = m.flush();
    expect(flows).toHaveLength(2);
    expect(flows[0]).toMatchObject({ packets: 2, bytes: 200, firstMs: 1_000, lastMs: 1_500, minTtl: 40, maxTtl: 60, srcPort: 53, dstPort: 40000, protocol: 17, label: 'attack-1', pop: 'ams1' });
  });

  it('ends a TCP flow at FIN, ORs its flags, and starts a new flow after it', () => {
    const m = new FlowMeter();
    m.add(pkt(0, tcp(0x02)));
    m.add(pkt(10, tcp(0x18)));
    m.add(pkt(20, tcp(0x11)));
    expect(m.expire(25)).toMatchObject([{ packets: 3, tcpFlags: 0x1b }]);
    m.add(pkt(30, tcp(0x02)));
    expect(m.flush()).toMatchObject([{ packets: 1, tcpFlags: 0x02 }]);
  });

  it('exports idle flows after the inactive timeout and long ones at the active timeout', () => {
    const m = new FlowMeter({ inactiveTimeoutMs: 5_000, activeTimeoutMs: 10_000 });
    m.add(pkt(0));
    expect(m.expire(4_999)).toEqual([]);
    expect(m.expire(5_000)).toHaveLength(1);
    for (let t = 0; t <= 12_000; t += 1_000) m.add(pkt(20_000 + t));
    const out = [...m.expire(30_000), ...m.flush()];
    expect(out.map((f) => f.packets)).toEqual([10, 3]);
  });

  it('non-first fragments form their own port-less flow with the fragment bits', () => {
    const m = new FlowMeter();
    const big = { payload: { kind: 'filler' as const, lengthBytes: 3_000, seed: 2 }, dontFragment: false };
    for (const i of [0, 1, 2]) m.add(pkt(0, big, i));
    const [first, rest] = m.flush();
    expect(first).toMatchObject({ packets: 1, bytes: 1500, srcPort: 53, fragmentFlags: 0x04, fragmentOffsetBytes: 0 });
    expect(rest).toMatchObject({ packets: 2, bytes: 1500 + 68, srcPort: 0, dstPort: 0, fragmentFlags: 0x02, fragmentOffsetBytes: 1480 });
  });

  it('exports the oldest flow early when the cache is full', () => {
    const m = new FlowMeter({ maxFlows: 2 });
    for (const [i, src] of ['192.0.2.1', '192.0.2.2', '192.0.2.3'].entries()) m.add(pkt(i, { srcAddr: src }));
    expect(m.size).toBe(2);
    expect(m.expire(3).map((f) => f.srcAddr)).toEqual(['192.0.2.1']);
  });
});
