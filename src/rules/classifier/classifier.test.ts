import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../telemetry/flow-record.js';
import type { MitigationRule, NumericRange } from '../model.js';
import { compileClassifier } from './compile.js';
import { classifyLinear } from './match-flow.js';
import { replayRules } from './replay.js';

const range = fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 })).map(([a, b]): NumericRange => ({ min: Math.min(a, b), max: Math.max(a, b) }));
const ranges = fc.option(fc.array(range, { minLength: 1, maxLength: 3 }), { nil: undefined });
const octet = fc.integer({ min: 0, max: 3 });

const ruleArb = fc.record({
  dst: fc.option(fc.tuple(octet, octet, fc.integer({ min: 8, max: 32 })), { nil: undefined }),
  src: fc.option(fc.tuple(octet, fc.integer({ min: 0, max: 16 })), { nil: undefined }),
  protocols: fc.option(fc.constantFrom([{ min: 6, max: 6 }], [{ min: 17, max: 17 }], [{ min: 1, max: 17 }]), { nil: undefined }),
  ports: ranges,
  destinationPorts: ranges,
  sourcePorts: ranges,
  packetLengths: ranges,
  dscp: ranges,
  tcp: fc.option(fc.constantFrom('all', 'any', 'none', 'not-all'), { nil: undefined }),
  frag: fc.option(fc.constantFrom(0x01, 0x02, 0x04), { nil: undefined }),
  terminal: fc.boolean(),
});

const flowArb = fc.record({
  d: fc.tuple(octet, octet, octet),
  s: octet,
  protocol: fc.constantFrom(1, 6, 17),
  srcPort: fc.integer({ min: 0, max: 70 }),
  dstPort: fc.integer({ min: 0, max: 70 }),
  len: fc.integer({ min: 0, max: 70 }),
  dscp: fc.integer({ min: 0, max: 70 }),
  flags: fc.integer({ min: 0, max: 255 }),
  frag: fc.integer({ min: 0, max: 15 }),
});

describe('compiled classifier', () => {
  it('agrees with the linear reference matcher (property)', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 25 }), fc.array(flowArb, { minLength: 1, maxLength: 30 }), (rawRules, rawFlows) => {
        const rules: MitigationRule[] = rawRules.map((r, i) => {
          const dstLen = r.dst?.[2] ?? 0;
          const dstAddr = r.dst ? [10, r.dst[0], r.dst[1], 0] : [];
          const mask = (a: number[], len: number): string => {
            const n = ((a[0]! << 24) >>> 0) + (a[1]! << 16) + (a[2]! << 8) + a[3]!;
            const m = len === 0 ? 0 : (Math.floor(n / 2 ** (32 - len)) * 2 ** (32 - len)) >>> 0;
            return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${len}`;
          };
          return {
            id: `r${i}`,
            family: 'ipv4',
            match: {
              ...(r.dst ? { destination: mask(dstAddr, dstLen) } : {}),
              ...(r.src ? { source: mask([192, r.src[0], 0, 0], r.src[1]) } : {}),
              ...(r.protocols ? { protocols: r.protocols } : {}),
              ...(r.ports ? { ports: r.ports } : {}),
              ...(r.destinationPorts ? { destinationPorts: r.destinationPorts } : {}),
              ...(r.sourcePorts ? { sourcePorts: r.sourcePorts } : {}),
              ...(r.packetLengths ? { packetLengths: r.packetLengths } : {}),
              ...(r.dscp ? { dscp: r.dscp } : {}),
              ...(r.tcp ? { tcpFlags: [[{ op: r.tcp, bits: 0x12 }]] } : {}),
              ...(r.frag ? { fragment: [[{ op: 'all' as const, bits: r.frag }]] } : {}),
            },
            action: { kind: 'discard' },
            terminal: r.terminal,
            scope: { kind: 'global' },
            provenance: {},
          };
        });
        const classifier = compileClassifier(rules);
        for (const x of rawFlows) {
          const f: FlowRecord = {
            timestampMs: 0, source: 'synth', exporter: 'e', family: 4, srcAddr: `192.${x.s}.0.1`, dstAddr: `10.${x.d[0]}.${x.d[1]}.${x.d[2]}`,
            protocol: x.protocol, srcPort: x.srcPort, dstPort: x.dstPort, tcpFlags: x.flags, dscp: x.dscp, fragmentFlags: x.frag,
            packetLengthBytes: x.len, sampledPackets: 1, sampledBytes: x.len, sampleRate: 1, estimatedPackets: 1, estimatedBytes: x.len,
          };
          expect(classifier.classify(f)).toEqual(classifyLinear(rules, f));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('replay splits matched traffic into attack and legitimate per PoP', () => {
    const rule: MitigationRule = { id: 'dns', family: 'ipv4', match: { destination: '192.0.2.1/32', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }] }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} };
    const base = { timestampMs: 0, source: 'synth' as const, exporter: 'e', family: 4 as const, srcAddr: '198.51.100.1', dstAddr: '192.0.2.1', protocol: 17, dstPort: 4000, tcpFlags: 0, dscp: 0, fragmentFlags: 0, packetLengthBytes: 1000, sampledPackets: 1, sampledBytes: 1000, sampleRate: 100, estimatedPackets: 100, estimatedBytes: 100_000 };
    const report = replayRules([rule], [
      { ...base, srcPort: 53, label: 'atk', pop: 'ams' },
      { ...base, srcPort: 53, label: 'benign', pop: 'fra' },
      { ...base, srcPort: 443, label: 'benign', pop: 'ams' },
    ]);
    expect(report.rules[0]).toMatchObject({ attackPackets: 100, legitPackets: 100, byPop: { ams: { attackPackets: 100, legitPackets: 0 }, fra: { legitPackets: 100 } } });
    expect(report.totals.legitPackets).toBe(200);
  });
});
