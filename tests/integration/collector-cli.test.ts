// `failsmall collect` and `failsmall synth --emit` as separate processes on loopback: the
// collector writes what the synthetic exporter sent (per format), serves /metrics while it runs,
// and prints its final counters; processes and temp files are cleaned up even on failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'failsmall-collect-cli-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: readonly string[]): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return { child, out: () => out, exited };
}

async function waitFor<T>(what: string, f: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('failsmall collect <- failsmall synth --emit (separate processes)', () => {
  it('collects sFlow, NetFlow v9 and IPFIX from the synthetic exporters: records = what was sent', async () => {
    const out = join(dir, 'flows.jsonl');
    const collector = start(['collect', '--sflow', '127.0.0.1:0', '--netflow', '127.0.0.1:0', '--ipfix', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--out', out, '--json']);
    const ports = await waitFor('listeners', () => {
      const m = [...collector.out().matchAll(/collecting (\w+) on port (\d+)/g)];
      const metrics = /metrics on (http:\/\/\S+)/.exec(collector.out());
      const port = (f: string): number => Number(m.find((x) => x[1] === f)?.[2]);
      return m.length === 3 && metrics ? { sflow: port('sflow'), netflow: port('netflow'), ipfix: port('ipfix'), metrics: metrics[1]! } : undefined;
    });
    const sent: Record<string, number> = {};
    for (const [format, port] of [['sflow', ports.sflow], ['netflow9', ports.netflow], ['ipfix', ports.ipfix]] as const) {
      const synth = start(['synth', '--scenario', 'dns-amplification', '--seed', '5', '--duration', '10s', '--background-pps', '20000', '--attack-pps', '100000', '--sample-rate', '100', '--emit', format, '--to', `127.0.0.1:${port}`, '--speed', '20', '--json']);
      expect(await synth.exited, synth.out()).toBe(0);
      const summary = JSON.parse(synth.out().trim().split('\n').pop()!) as { flows: number; samples: number; datagrams: number; sendErrors: Record<string, number> };
      expect(summary.sendErrors).toEqual({});
      sent[format] = format === 'sflow' ? summary.samples : summary.flows;
      expect(sent[format]).toBeGreaterThan(500);
    }
    const metrics = await (await fetch(`${ports.metrics}`)).text();
    expect(metrics).toMatch(/failsmall_collector_records_total\{format="ipfix",exporter="127\.0\.1\.1"\} \d+/);
    collector.child.kill('SIGTERM');
    expect(await collector.exited, collector.out()).toBe(0);
    const final = JSON.parse(collector.out().trim().split('\n').pop()!) as { records: number; queueDrops: number; decodeErrors: number; templateMisses: number };
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { source: string; sampleRate: number; label?: string });
    const bySource = (s: string) => lines.filter((l) => l.source === s).length;
    expect({ sflow: bySource('sflow'), netflow9: bySource('netflow9'), ipfix: bySource('ipfix') }).toEqual(sent);
    expect(final).toMatchObject({ records: lines.length, queueDrops: 0, decodeErrors: 0, templateMisses: 0 });
    expect(lines.every((l) => l.sampleRate === 100 && l.label === undefined)).toBe(true);
  }, 120_000);

  it('refuses a non-loopback collector address and an unknown format (exit 2)', async () => {
    const a = start(['synth', '--emit', 'ipfix', '--to', '192.0.2.1:4739', '--duration', '1s']);
    expect(await a.exited).toBe(2);
    expect(a.out()).toMatch(/loopback/);
    const b = start(['synth', '--emit', 'netflow7', '--to', '127.0.0.1:4739']);
    expect(await b.exited).toBe(2);
  }, 60_000);
});
