// In-process decode + normalise rate per format, on one core: medians of 5 runs.
// Run: npx tsx benchmarks/telemetry-decode.ts
import { encodeNetflow5, encodeSflowDatagram, decodeNetflow5, decodeSflowDatagram, netflow5ToFlowRecords, sflowToFlowRecords } from '../src/telemetry/index.js';
import { buildNetflow5Stream } from './support/netflow5-stream.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function rate(name: string, datagrams: Uint8Array[], decode: (b: Uint8Array) => number): void {
  const runs: number[] = [];
  let records = 0;
  for (let run = 0; run < 5; run++) {
    const t = performance.now();
    records = 0;
    for (const d of datagrams) records += decode(d);
    runs.push(performance.now() - t);
  }
  console.log(`${name.padEnd(10)} ${records} records in ${median(runs).toFixed(1)} ms = ${Math.round(records / (median(runs) / 1000)).toLocaleString()} records/s (median of 5)`);
}

const nf5 = buildNetflow5Stream(5000).map(encodeNetflow5);
rate('netflow5', nf5, (b) => {
  const r = decodeNetflow5(b);
  return r.ok ? netflow5ToFlowRecords(r.value, '127.0.0.1').length : 0;
});

const frame = Buffer.from('020000000001020000000002080045280040123400003711000' + '0c6336407adf5350a00359c40002c0000' + '61'.repeat(36), 'hex');
const sflow = Array.from({ length: 5000 }, (_, i) =>
  encodeSflowDatagram({
    agent: '192.0.2.1',
    subAgentId: 0,
    sequence: i,
    uptimeMs: i,
    samples: Array.from({ length: 8 }, (_, j) => ({ kind: 'flow' as const, sequence: i * 8 + j, sourceIdType: 0, sourceIdIndex: 1, samplingRate: 1000, samplePool: 0, drops: 0, input: 1, output: 2, records: [{ kind: 'raw-header' as const, headerProtocol: 1, frameLength: 78, stripped: 4, header: frame }] })),
  }),
);
rate('sflow', sflow, (b) => {
  const r = decodeSflowDatagram(b);
  return r.ok ? sflowToFlowRecords(r.value.datagram, 0).length : 0;
});
