import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../telemetry/flow-record.js';
import { AttackDetector } from './detector.js';
import { profileAttack } from './profiler.js';

const flow = (t: number, dst: string, over: Partial<FlowRecord> = {}): FlowRecord => ({
  timestampMs: t,
  source: 'synth',
  exporter: 'x',
  family: 4,
  srcAddr: '198.18.0.1',
  dstAddr: dst,
  protocol: 17,
  srcPort: 53,
  dstPort: 4444,
  tcpFlags: 0,
  dscp: 0,
  fragmentFlags: 0,
  packetLengthBytes: 1200,
  sampledPackets: 1,
  sampledBytes: 1200,
  sampleRate: 1000,
  estimatedPackets: 1000,
  estimatedBytes: 1_200_000,
  pop: 'ams',
  ...over,
});

/** n records per second towards dst between fromMs and toMs. */
function stream(d: AttackDetector, dst: string, perSec: number, fromMs: number, toMs: number, over: Partial<FlowRecord> = {}): void {
  const step = 1000 / perSec;
  for (let t = fromMs; t < toMs; t += step) d.ingest(flow(t, dst, over));
}

describe('AttackDetector', () => {
  it('starts after the enter hysteresis and ends only after the exit hysteresis', () => {
    const d = new AttackDetector({ thresholdPps: 100_000, thresholdBps: 1e15, enterBuckets: 2, exitBuckets: 4 });
    stream(d, '192.0.2.1', 20, 0, 5000); // 20k pps: calm
    expect(d.activeAttacks()).toEqual([]);
    stream(d, '192.0.2.1', 400, 5000, 8000); // 400k pps
    const started = d.drainEvents().filter((e) => e.kind === 'start');
    expect(started).toHaveLength(1);
    expect(started[0]!.attack.detectedMs - 5000).toBeLessThanOrEqual(750);
    stream(d, '192.0.2.1', 20, 8000, 8600); // drops: not yet ended (hysteresis)
    expect(d.activeAttacks()).toHaveLength(1);
    stream(d, '192.0.2.1', 20, 8600, 12_000);
    const ended = d.drainEvents().filter((e) => e.kind === 'end');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.attack.peakPps).toBeGreaterThanOrEqual(390_000);
  });

  it('sees carpet bombing on the covering prefix when no host crosses its threshold', () => {
    const d = new AttackDetector({ thresholdPps: 100_000, prefixThresholdPps: 300_000, thresholdBps: 1e15, prefixThresholdBps: 1e15 });
    for (let t = 0; t < 3000; t += 1) d.ingest(flow(t, `192.0.2.${(t % 200) + 1}`));
    const attacks = d.activeAttacks();
    expect(attacks.map((a) => [a.destination, a.type])).toEqual([['192.0.2.0/24', 'carpet-bombing']]);
  });

  it('detects towards IPv6 hosts and sees carpet bombing across an IPv6 /48', () => {
    const d = new AttackDetector({ thresholdPps: 100_000, prefixThresholdPps: 300_000, thresholdBps: 1e15, prefixThresholdBps: 1e15 });
    for (let t = 0; t < 2000; t += 2) d.ingest(flow(t, '2400:cb00::10', { family: 6, srcAddr: '2001:db8::1' }));
    expect(d.activeAttacks().map((a) => [a.destination, a.family])).toEqual([['2400:cb00::10/128', 6]]);
    const c = new AttackDetector({ thresholdPps: 100_000, prefixThresholdPps: 300_000, thresholdBps: 1e15, prefixThresholdBps: 1e15 });
    for (let t = 0; t < 3000; t += 1) c.ingest(flow(t, `2400:cb00:0:${(t % 200).toString(16)}::1`, { family: 6 }));
    expect(c.activeAttacks().map((a) => [a.destination, a.type])).toEqual([['2400:cb00::/48', 'carpet-bombing']]);
  });

  it('keeps tracked destinations bounded whatever arrives', () => {
    const d = new AttackDetector({ maxTrackedKeys: 500 });
    for (let i = 0; i < 20_000; i++) d.ingest(flow(i, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
    expect(d.trackedKeys).toBeLessThanOrEqual(500);
    expect(d.stats.evictedKeys).toBeGreaterThan(0);
  });

  it('learns a baseline so a busy destination needs a multiple of it to alarm', () => {
    const d = new AttackDetector({ thresholdPps: 100_000, thresholdBps: 1e15, baselineFactor: 4, baselineWarmupBuckets: 8 });
    stream(d, '192.0.2.9', 80, 0, 20_000); // 80k pps normal: baseline ~80k
    stream(d, '192.0.2.9', 150, 20_000, 25_000); // over the threshold but under 4x baseline
    expect(d.activeAttacks()).toEqual([]);
    stream(d, '192.0.2.9', 600, 25_000, 27_000); // 600k pps: over both (baseline has crept to ~103k)
    expect(d.activeAttacks()).toHaveLength(1);
  });
});

describe('profileAttack', () => {
  it('never proposes a packet-length range beyond the MTU or outside what was observed (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 20, max: 70_000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 576, max: 9000 }), (lengths, mtu) => {
        const samples = lengths.map((len, i) => flow(i, '192.0.2.1', { packetLengthBytes: len }));
        const sig = profileAttack(
          { id: 'a', destination: '192.0.2.1/32', family: 4, type: 'dns-amplification', state: 'active', startMs: 0, detectedMs: 0, lastSeenMs: 0, peakPps: 1, peakBps: 1, currentPps: 1, pops: [], series: [] },
          { attack: samples, baseline: [] },
          { mtuBytes: mtu },
        );
        for (const r of sig.match.packetLengths ?? []) {
          expect(r.max).toBeLessThanOrEqual(mtu);
          expect(r.max).toBeLessThanOrEqual(Math.max(...lengths));
          expect(r.min).toBeGreaterThanOrEqual(Math.min(...lengths));
        }
        expect(sig.coverage).toBeGreaterThanOrEqual(0);
        expect(sig.coverage).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });
});
