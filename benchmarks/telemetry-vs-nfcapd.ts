// The same NetFlow v5 stream replayed over loopback at fixed rates to failsmall's collector
// and to nfcapd (nfdump), each a separate process; records received vs sent on both sides.
// Run: npx tsx benchmarks/telemetry-vs-nfcapd.ts [datagrams] [rates,comma-separated datagrams/s]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNetflow5 } from '../src/telemetry/index.js';
import { buildNetflow5Stream } from './support/netflow5-stream.js';

const datagrams = Number(process.argv[2] ?? 20_000);
const rates = (process.argv[3] ?? '10000,40000').split(',').map(Number);
const root = fileURLToPath(new URL('..', import.meta.url));
const stream = buildNetflow5Stream(datagrams).map(encodeNetflow5);
const sentRecords = datagrams * 30;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function replay(port: number, perSec: number): Promise<number> {
  const sock = createSocket('udp4');
  const t0 = performance.now();
  const sliceMs = 10;
  const perSlice = Math.max(1, Math.round((perSec * sliceMs) / 1000));
  for (let i = 0; i < stream.length; i += perSlice) {
    for (let j = i; j < Math.min(stream.length, i + perSlice); j++) sock.send(stream[j]!, port, '127.0.0.1');
    const due = t0 + ((i + perSlice) / perSec) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(50);
  sock.close();
  return (performance.now() - t0) / 1000;
}

async function runFailsmall(perSec: number): Promise<{ received: number; seconds: number }> {
  const port = await freePort();
  const mport = await freePort();
  const child: ChildProcess = spawn('node', ['--import', 'tsx', 'src/cli/main.ts', 'collect', '--netflow', `127.0.0.1:${port}`, '--metrics', `127.0.0.1:${mport}`, '--queue', '100000'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => child.stdout!.once('data', () => r()));
  const seconds = await replay(port, perSec);
  await sleep(1500);
  const text = await (await fetch(`http://127.0.0.1:${mport}/metrics`)).text();
  child.kill('SIGTERM');
  const received = [...text.matchAll(/^failsmall_collector_records_total\{[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
  return { received, seconds };
}

async function runNfcapd(perSec: number): Promise<{ received: number; seconds: number }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'failsmall-nfcapd-'));
  const child = spawn('nfcapd', ['-b', '127.0.0.1', '-p', String(port), '-w', dir, '-t', '3600', '-B', String(8 * 1024 * 1024)], { stdio: 'ignore' });
  await sleep(700);
  const seconds = await replay(port, perSec);
  await sleep(1500);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const summary = execFileSync('nfdump', ['-R', dir, '-q', '-o', 'fmt:%pr'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  rmSync(dir, { recursive: true, force: true });
  return { received: summary.split('\n').filter((l) => l.trim()).length, seconds };
}

console.log(`NetFlow v5 replay over loopback: ${datagrams} datagrams x 30 = ${sentRecords} records per run`);
console.log('rate (flows/s)   tool        received   loss     send time');
for (const perSec of rates) {
  for (const [name, run] of [['failsmall', runFailsmall], ['nfcapd', runNfcapd]] as const) {
    const r = await run(perSec);
    console.log(`${String(perSec * 30).padEnd(17)}${name.padEnd(12)}${String(r.received).padEnd(11)}${(((sentRecords - r.received) / sentRecords) * 100).toFixed(2).padStart(5)}%   ${r.seconds.toFixed(2)} s`);
  }
}
