// `failsmall synth` in-process: byte-identical captures for one seed, pcapng read back, FlowRecord
// JSON lines, and usage errors (exit 2).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCliCaptured } from '../../../tests/support/run-cli.js';
import { readCapture } from '../../telemetry/pcap/read-capture.js';

const tmp = mkdtempSync(join(tmpdir(), 'failsmall-synth-cli-'));
afterEach(() => vi.restoreAllMocks());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const run = (...argv: string[]) => runCliCaptured(argv);

describe('failsmall synth', () => {
  it('writes a byte-identical pcap for the same seed and a different one for another seed', async () => {
    const args = ['synth', '--scenario', 'mixed', '--duration', '4s', '--background-pps', '300', '--attack-pps', '1500'];
    const a = join(tmp, 'a.pcap');
    const b = join(tmp, 'b.pcap');
    const c = join(tmp, 'c.pcap');
    const r = await run(...args, '--seed', '7', '--out', a, '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { packets: number; labels: Record<string, number> };
    expect(Object.keys(summary.labels).sort()).toEqual(['attack-carpet', 'attack-dns', 'attack-syn', 'benign']);
    await run(...args, '--seed', '7', '--out', b);
    await run(...args, '--seed', '8', '--out', c);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
    const read = readCapture(readFileSync(a));
    expect(read.error).toBeUndefined();
    expect(read.packets.length).toBe(summary.packets);
  });

  it('writes pcapng with a snap length', async () => {
    const f = join(tmp, 'x.pcapng');
    expect((await run('synth', '--scenario', 'fragments', '--duration', '2s', '--background-pps', '100', '--attack-pps', '500', '--snaplen', '128', '--out', f)).code).toBe(0);
    const read = readCapture(readFileSync(f));
    expect(read.format).toBe('pcapng');
    expect(read.packets.every((p) => p.data.length <= 128)).toBe(true);
    expect(read.packets.some((p) => p.originalLength > 1_000)).toBe(true);
  });

  it('prints sampled FlowRecords as JSON lines with labels and PoPs', async () => {
    const r = await run('synth', '--scenario', 'syn-flood', '--duration', '3s', '--sample-rate', '100', '--background-pps', '10000', '--attack-pps', '50000', '--pops', 'ams1,fra1', '--attack-pops', 'fra1');
    expect(r.code).toBe(0);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { label: string; pop: string; sampleRate: number; tcpFlags: number; protocol: number });
    const attack = records.filter((x) => x.label === 'attack-1');
    expect(attack.length).toBeGreaterThan(700);
    expect(attack.every((x) => x.pop === 'fra1' && x.protocol === 6 && x.tcpFlags === 0x02 && x.sampleRate === 100)).toBe(true);
    expect(new Set(records.map((x) => x.pop))).toEqual(new Set(['ams1', 'fra1']));
  });

  it.each([
    [['--scenario', 'nope']],
    [['--emit', 'sflow']],
    [['--emit', 'ipfix', '--to', '10.0.0.1:4739']],
    [['--duration', 'ten']],
    [['--victim', 'not-an-ip']],
    [['--attack-start', '5s', '--attack-end', '2s']],
  ])('usage error %j exits 2', async (argv) => {
    expect((await run('synth', ...argv)).code).toBe(2);
  });
});
