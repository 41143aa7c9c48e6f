// A deterministic stream of full NetFlow v5 datagrams (30 records each) for benchmarks.
import type { Netflow5Datagram } from '../../src/telemetry/index.js';

export function buildNetflow5Stream(datagrams: number): Netflow5Datagram[] {
  return Array.from({ length: datagrams }, (_, i) => ({
    sysUptimeMs: 1_000_000 + i,
    unixSecs: 1_763_800_000 + Math.floor(i / 1000),
    unixNsecs: 0,
    flowSequence: i * 30,
    engineType: 0,
    engineId: 1,
    sampling: 0,
    records: Array.from({ length: 30 }, (_, j) => ({
      srcAddr: `198.51.${(i >> 8) & 255}.${i & 255}`,
      dstAddr: `173.245.53.${j + 1}`,
      nextHop: '0.0.0.0',
      input: 1,
      output: 2,
      packets: 10 + j,
      octets: (10 + j) * 500,
      firstMs: 999_000 + i,
      lastMs: 1_000_000 + i,
      srcPort: 53,
      dstPort: 40_000 + j,
      tcpFlags: 0,
      protocol: 17,
      tos: 0,
      srcAs: 0,
      dstAs: 0,
      srcMask: 24,
      dstMask: 32,
    })),
  }));
}
