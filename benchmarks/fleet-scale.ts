// Scale: a simulated network of 330 PoPs and 10,000 routers rolls out one change with every
// health gate, through the real executor and an SQLite store. Prints wall time, control-plane
// CPU time and peak RSS. Run: npx tsx benchmarks/fleet-scale.ts [pops] [routers]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeviceModelsSync } from '../src/fleet/io/device-model-files.js';
import type { NetworkDescription } from '../src/fleet/network.js';
import { FleetSimulation, SimulationTarget } from '../src/fleet/simulator/index.js';
import { ManualClock } from '../src/lib/clock.js';
import { RolloutExecutor, TERMINAL_PHASES, planRollout } from '../src/rollout/index.js';
import { generateNetwork } from '../src/scenarios/index.js';
import { FailsmallStore } from '../src/store/index.js';

const popCount = Number(process.argv[2] ?? 330);
const routerCount = Number(process.argv[3] ?? 10_000);
const base = generateNetwork({
  seed: 330,
  pops: popCount,
  routersPerPop: Math.ceil(routerCount / popCount),
  mix: [['juniper', 'MX960', '21.4R3', 4], ['cisco', 'ASR9000', '7.3.2', 4], ['arista', '7280R3', '4.28.3M', 2]],
});
// trim to exactly routerCount routers
let left = routerCount;
const network: NetworkDescription = { ...base, pops: base.pops.map((p, i) => { const n = Math.min(p.routers.length, left - (base.pops.length - i - 1)); left -= n; return { ...p, routers: p.routers.slice(0, Math.max(1, n)) }; }) };
const routers = network.pops.reduce((s, p) => s + p.routers.length, 0);

const dir = mkdtempSync(join(tmpdir(), 'failsmall-scale-'));
let peakRss = 0;
const sampleRss = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const rssTimer = setInterval(sampleRss, 50);
const cpu0 = process.cpuUsage();
const t0 = performance.now();

const store = await FailsmallStore.openSqlite(join(dir, 'scale.sqlite'));
const clock = new ManualClock(Date.parse('2026-11-22T12:00:00Z'));
const sim = new FleetSimulation(network, loadDeviceModelsSync(), { seed: 1, startMs: clock.nowMs() });
const executor = new RolloutExecutor(store, new SimulationTarget(sim), clock);
const plan = planRollout(
  { kind: 'flowspec', add: [{ id: 'guard', family: 'ipv4', match: { destination: '173.245.53.10/32', protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }] }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} }], withdraw: [] },
  network,
  { id: 'scale', author: 'bench', nowMs: clock.nowMs(), bakeMs: 60_000, waveShares: [0.01, 0.05, 0.25, 0.5, 1] },
);
await executor.create(plan);
await executor.approve('scale', 'approver');
await executor.start('scale', 'bench');
const tickMs: number[] = [];
let state = await executor.get('scale');
while (!TERMINAL_PHASES.includes(state.phase)) {
  clock.advance(10_000);
  sim.advance(clock.nowMs());
  const t = performance.now();
  await executor.tick();
  tickMs.push(performance.now() - t);
  state = await executor.get('scale');
  sampleRss();
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
clearInterval(rssTimer);
await store.close();
rmSync(dir, { recursive: true, force: true });
tickMs.sort((a, b) => a - b);
console.log(`network: ${network.pops.length} PoPs, ${routers} routers; waves ${plan.waves.map((w) => w.length).join(' / ')}`);
console.log(`outcome: ${state.phase}, ${state.reached.length} PoPs reached, ${tickMs.length} gate evaluations of all reached PoPs`);
console.log(`wall ${(wallMs / 1000).toFixed(2)} s, control-plane CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
console.log(`gate tick: median ${tickMs[Math.floor(tickMs.length / 2)]!.toFixed(1)} ms, max ${tickMs[tickMs.length - 1]!.toFixed(1)} ms`);
