// Time to announce N (default 100,000) Flowspec routes to gobgpd, side by side:
//   failsmall  - FlowspecSpeaker over BGP to gobgpd
//   exabgp     - the same routes as exabgp API "announce flow route" commands, over BGP to gobgpd
//   gobgp CLI  - `gobgp global rib -a ipv4-flowspec add ...` per route into gobgpd (GoBGP's own
//                injection path; measured on --cli-routes routes and projected to N, since one CLI
//                process per route would take many minutes)
// plus failsmall's heap per 100k routes in its Adj-RIB-Out and the daemons' RSS growth.
//   npx tsx benchmarks/bgp-announce.ts [--routes 100000] [--runs 1] [--cli-routes 2000] [--skip exabgp,cli]
import { FlowspecSpeaker } from '../src/bgp/index.js';
import type { MitigationRule } from '../src/rules/model.js';
import { type Gobgpd, rssOf, startExabgp, startGobgpd, waitFor } from '../tests/interop/bgp-peers.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const N = Number(arg('routes', '100000'));
const RUNS = Number(arg('runs', '1'));
const CLI_ROUTES = Math.min(N, Number(arg('cli-routes', '2000')));
const SKIP = new Set(arg('skip', '').split(',').filter(Boolean));

const dst = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;

function rules(n: number): MitigationRule[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-${i}`,
    family: 'ipv4',
    match: { destination: dst(i), protocols: [{ min: 17, max: 17 }], destinationPorts: [{ min: 53, max: 53 }], packetLengths: [{ min: 512, max: 65535 }] },
    action: { kind: 'rate-limit-bytes', bytesPerSec: 9600 },
    scope: { kind: 'global' },
    provenance: {},
  }));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (b: number | undefined): string => (b === undefined ? 'n/a' : `${(b / 2 ** 20).toFixed(1)} MiB`);

/** Routes gobgpd has received from its (single) neighbor, from `gobgp neighbor`. */
async function received(gobgp: Gobgpd): Promise<number> {
  const out = await gobgp.cli(['neighbor']);
  const line = out.split('\n').find((l) => l.startsWith('127.0.0.1'));
  const m = line ? /\|\s*(\d+)\s+(\d+)/.exec(line) : null;
  return m ? Number(m[1]) : 0;
}

async function untilReceived(gobgp: Gobgpd, n: number, timeoutMs: number): Promise<void> {
  await waitFor(`gobgpd to hold ${n} routes`, async () => ((await received(gobgp)) === n ? true : undefined), timeoutMs, 100);
}

interface Result {
  seconds: number;
  gobgpRssGrowth?: number;
  extra?: string;
}

async function runFailsmall(): Promise<Result> {
  const gobgp = await startGobgpd({ as: 65010, routerId: '127.0.0.10', neighbors: [{ address: '127.0.0.1', peerAs: 65000, passive: true, families: ['ipv4-flowspec'] }] });
  const speaker = new FlowspecSpeaker({ localAs: 65000, routerId: '127.0.0.1', connectRetrySec: 1, holdTimeSec: 90 });
  try {
    speaker.addPeer({ id: 'gobgp', address: '127.0.0.1', port: gobgp.port, peerAs: 65010, families: ['ipv4'] });
    await speaker.waitEstablished('gobgp', 30_000);
    const list = rules(N);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = rssOf(gobgp.pid);
    const t0 = performance.now();
    const report = speaker.announce(list);
    const tEncoded = performance.now();
    await speaker.flush();
    const tSent = performance.now();
    await untilReceived(gobgp, N, 600_000);
    const t1 = performance.now();
    gc?.();
    const heap = process.memoryUsage().heapUsed - heapBefore;
    const rssAfter = rssOf(gobgp.pid);
    if (report.rejected.length) throw new Error(`${report.rejected.length} rules rejected`);
    const w0 = performance.now();
    speaker.withdrawAll();
    await speaker.flush();
    await untilReceived(gobgp, 0, 600_000);
    const w1 = performance.now();
    return {
      seconds: (t1 - t0) / 1000,
      ...(rssAfter !== undefined && rssBefore !== undefined ? { gobgpRssGrowth: rssAfter - rssBefore } : {}),
      extra: `encode+RIB ${((tEncoded - t0) / 1000).toFixed(2)} s, on the wire after ${((tSent - t0) / 1000).toFixed(2)} s; withdraw all ${((w1 - w0) / 1000).toFixed(2)} s; failsmall heap for the Adj-RIB-Out ${mib(heap)} (${mib((heap / N) * 100_000)} per 100k${gc ? '' : ', no --expose-gc: approximate'})`,
    };
  } finally {
    await speaker.stop();
    await gobgp.stop();
  }
}

async function runExabgp(): Promise<Result> {
  const gobgp = await startGobgpd({ as: 65010, routerId: '127.0.0.10', neighbors: [{ address: '127.0.0.1', peerAs: 65020, passive: true, families: ['ipv4-flowspec'] }] });
  const exa = await startExabgp({ localAs: 65020, peerAs: 65010, routerId: '127.0.0.20', peerAddress: '127.0.0.1', connectPort: gobgp.port, families: ['ipv4 flow'], holdTimeSec: 180 });
  try {
    await waitFor('exabgp session', async () => ((await gobgp.cli(['neighbor'])).includes('Establ') ? true : undefined), 60_000);
    const rssBefore = rssOf(gobgp.pid);
    const lines = Array.from({ length: N }, (_, i) => `announce flow route { match { destination ${dst(i)}; protocol udp; destination-port =53; packet-length >=512; } then { rate-limit 9600; } }`);
    const t0 = performance.now();
    exa.command(lines.join('\n'));
    await untilReceived(gobgp, N, 1_800_000);
    const t1 = performance.now();
    const rssAfter = rssOf(gobgp.pid);
    return {
      seconds: (t1 - t0) / 1000,
      ...(rssAfter !== undefined && rssBefore !== undefined ? { gobgpRssGrowth: rssAfter - rssBefore } : {}),
      extra: `exabgp RSS ${mib(rssOf(exa.pid))}`,
    };
  } finally {
    await exa.stop();
    await gobgp.stop();
  }
}

async function runGobgpCli(): Promise<Result> {
  const gobgp = await startGobgpd({ as: 65010, routerId: '127.0.0.10', neighbors: [] });
  try {
    const t0 = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < CLI_ROUTES) {
        const i = next++;
        await gobgp.cli(['global', 'rib', '-a', 'ipv4-flowspec', 'add', 'match', 'destination', dst(i), 'protocol', 'udp', 'destination-port', '==53', 'packet-length', '>=512', 'then', 'rate-limit', '9600']);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const t1 = performance.now();
    const count = (await gobgp.cli(['global', 'rib', '-a', 'ipv4-flowspec', 'summary'])).match(/\d+/g)?.map(Number) ?? [];
    const perRoute = (t1 - t0) / 1000 / CLI_ROUTES;
    return { seconds: perRoute * N, extra: `measured ${CLI_ROUTES} routes in ${((t1 - t0) / 1000).toFixed(1)} s with 4 CLI processes in flight (${Math.round(1 / perRoute)} routes/s), projected to ${N}; rib summary ${count.join('/')}` };
  } finally {
    await gobgp.stop();
  }
}

async function measure(name: string, fn: () => Promise<Result>): Promise<{ name: string; seconds: number; results: Result[] }> {
  const results: Result[] = [];
  for (let r = 0; r < RUNS; r++) {
    process.stderr.write(`  ${name} run ${r + 1}/${RUNS}...\n`);
    results.push(await fn());
  }
  return { name, seconds: median(results.map((x) => x.seconds)), results };
}

async function main(): Promise<void> {
  process.stdout.write(`bgp-announce: ${N} IPv4 Flowspec routes to gobgpd on 127.0.0.1 (median of ${RUNS} run(s))\n`);
  const rows = [await measure('failsmall -> gobgpd', runFailsmall)];
  if (!SKIP.has('exabgp')) rows.push(await measure('exabgp    -> gobgpd', runExabgp));
  if (!SKIP.has('cli')) rows.push(await measure('gobgp CLI -> gobgpd', runGobgpCli));
  const base = rows[0]!.seconds;
  for (const row of rows) {
    const last = row.results[row.results.length - 1]!;
    process.stdout.write(
      `  ${row.name}: ${row.seconds.toFixed(2)} s (${Math.round(N / row.seconds)} routes/s, ${(row.seconds / base).toFixed(2)}x failsmall)` +
        `${last.gobgpRssGrowth !== undefined ? `; gobgpd RSS +${mib(last.gobgpRssGrowth)}` : ''}\n    ${last.extra ?? ''}\n`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
