// The UDP collector on loopback: sFlow v5 and NetFlow v5 datagrams in, FlowRecords out, and
// per-exporter counters for datagrams, records, decode errors by code and queue drops.
import { createSocket } from 'node:dgram';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../src/lib/byte-writer.js';
import { type FlowRecord, UdpCollector, encodeSflowDatagram } from '../../src/telemetry/index.js';
import { FRAMES } from '../vectors/telemetry/frames.js';

const NF5 = hexToBytes('00050002000000006b038879248b97400000000000000000c6336407adf5350a000000000000000000000003000000aeca184cf2ca1854c200359c40000011280000000000000000cb007105adf5350a00000000000000000000000200000050ca1858aaca185c92c73801bb000206000000000000000000');
const sflow = (seq: number): Uint8Array =>
  encodeSflowDatagram({
    agent: '192.0.2.250',
    subAgentId: 0,
    sequence: seq,
    uptimeMs: seq * 1000,
    samples: [{ kind: 'flow', sequence: seq, sourceIdType: 0, sourceIdIndex: 1, samplingRate: 1000, samplePool: 0, drops: 0, input: 1, output: 2, records: [{ kind: 'raw-header', headerProtocol: 1, frameLength: 72, stripped: 4, header: Uint8Array.from(Buffer.from(FRAMES[0]!.hex, 'hex')) }] }],
  });

async function send(port: number, datagrams: Uint8Array[]): Promise<void> {
  const s = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((r) => s.send(d, port, '127.0.0.1', () => r()));
  s.close();
}

describe('UdpCollector', () => {
  it('decodes both formats, counts per exporter, and keeps good records when bad datagrams arrive', async () => {
    const registry = new Registry();
    const records: FlowRecord[] = [];
    const c = new UdpCollector({ listeners: [{ format: 'sflow', host: '127.0.0.1', port: 0 }, { format: 'netflow5', host: '127.0.0.1', port: 0 }], registry, nowMs: () => 1_000, onRecords: (r) => records.push(...r) });
    await c.start();
    await send(c.ports.get('sflow')!, [sflow(1), Uint8Array.of(0, 0, 0, 4) /* sFlow version 4 */, sflow(2), sflow(3)]);
    await send(c.ports.get('netflow5')!, [NF5, NF5.subarray(0, 30)]);
    for (let i = 0; i < 50 && records.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
    await c.stop();
    expect(records.filter((f) => f.source === 'sflow')).toHaveLength(3);
    expect(records.filter((f) => f.source === 'netflow5')).toHaveLength(2);
    expect(records.find((f) => f.source === 'sflow')).toMatchObject({ exporter: '192.0.2.250', sampleRate: 1000, estimatedPackets: 1000, srcPort: 53 });
    const text = await registry.metrics();
    expect(text, text).toMatch(/failsmall_collector_datagrams_total\{format="sflow",exporter="127.0.0.1"\} 4/);
    expect(text).toMatch(/failsmall_collector_records_total\{format="netflow5",exporter="127.0.0.1"\} 2/);
    expect(text).toMatch(/failsmall_collector_decode_errors_total\{format="sflow",exporter="127.0.0.1",code="sflow_bad_version"\} 1/);
    expect(text).toMatch(/failsmall_collector_decode_errors_total\{format="netflow5",exporter="127.0.0.1",code="truncated"\} 1/);
  });

  it('drops and counts datagrams beyond the queue capacity', async () => {
    const registry = new Registry();
    const c = new UdpCollector({ listeners: [{ format: 'sflow', host: '127.0.0.1', port: 0 }], registry, queueCapacity: 0, nowMs: () => 0, onRecords: () => {} });
    await c.start();
    await send(c.ports.get('sflow')!, [sflow(1), sflow(2)]);
    for (let i = 0; i < 50 && !/queue_drops_total\{format="sflow"\} 2/.test(await registry.metrics()); i++) await new Promise((r) => setTimeout(r, 20));
    await c.stop();
    expect(await registry.metrics()).toMatch(/failsmall_collector_queue_drops_total\{format="sflow"\} 2/);
  });
});
