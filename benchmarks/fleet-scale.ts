// Scale: a simulated network of 330 PoPs and 10,000 routers rolls out one change with every
// health gate, (a) through the real executor with an SQLite store (write-ahead event log), and
// (b) through the pure plan + reducer over the simulator (driveRollout, no store). Also a bad
// change (hidden defect) that the canary catches at the same scale. Prints medians of wall time,
// control-plane CPU time and peak RSS.
// Run: npx tsx benchmarks/fleet-scale.ts [pops] [routers] [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact } from '../src/fleet/enforcement.js';
import { FleetSimulation, SimulationTarget, generateNetwork } from '../src/fleet/index.js';
import { loadDeviceModelsSync } from '../src/fleet/io/device-model-files.js';
import { ManualClock } from '../src/lib/clock.js';
import { RolloutExecutor, TERMINAL_PHASES, planRollout } from '../src/rollout/index.js';
import type { MitigationRule } from '../src/rules/model.js';
import { driveRollout } from '../src/scenarios/index.js';
import { FailsmallStore } from '../src/store/index.js';

const popCount = Number(process.argv[2] ?? 330);
const routerCount = Number(process.argv[3] ?? 10_000);
const runs = Number(process.argv[4] ?? 3);
const network = generateNetwork({
  seed: 330,
  pops: popCount,
  totalRouters: routerCount,
  mix: [['juniper', 'MX960', '21.4R3', 4], ['cisco', 'ASR9000', '7.3.2', 4], ['arista', '7280R3', '4.28.3M', 2]],
});
const models = loadDeviceModelsSync();
const START = Date.parse('2026-11-22T12:00:00Z');
const rule = (id: string, match: MitigationRule['match']): MitigationRule => ({ id, family: 'ipv4', match: { destination: '173.245.53.10/32', ...match }, action: { kind: 'discard' }, scope: { kind: 'global' }, provenance: {} });
const GOOD: Artifact = { kind: 'flowspec', add: [rule('guard', { protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: 53, max: 53 }] })], withdraw: [] };
const HIDDEN: Artifact = { kind: 'flowspec', add: [rule('frag', { fragment: [[{ op: 'all', bits: 0x02 }]] })], withdraw: [] };
const planFor = (artifact: Artifact, id: string) => planRollout(artifact, network, { id, author: 'bench', nowMs: START, bakeMs: 60_000, waveShares: [0.01, 0.05, 0.25, 0.5, 1] });

interface Figures {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
  readonly outcome: string;
  readonly ticks: number;
  readonly medianTickMs: number;
}

async function measure(body: (onTick: (ms: number) => void) => Promise<string>): Promise<Figures> {
  globalThis.gc?.();
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const tickMs: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await body((ms) => {
    tickMs.push(ms);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  tickMs.sort((a, b) => a - b);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMiB: peakRss / 2 ** 20, outcome, ticks: tickMs.length, medianTickMs: tickMs[Math.floor(tickMs.length / 2)] ?? 0 };
}

async function viaExecutor(artifact: Artifact, id: string): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'failsmall-scale-'));
  try {
    return await measure(async (onTick) => {
      const store = await FailsmallStore.openSqlite(join(dir, 'scale.sqlite'));
      try {
        const clock = new ManualClock(START);
        const sim = new FleetSimulation(network, models, { seed: 1, startMs: START });
        const target = new SimulationTarget(sim, clock);
        const executor = new RolloutExecutor(store, target, clock);
        await executor.create(planFor(artifact, id));
        await executor.approve(id, 'approver');
        await executor.start(id, 'bench');
        let state = await executor.get(id);
        while (!TERMINAL_PHASES.includes(state.phase)) {
          target.advance(10_000);
          const t = performance.now();
          await executor.tick();
          onTick(performance.now() - t);
          state = await executor.get(id);
        }
        return `${state.phase}, ${state.reached.length} PoPs reached, ${sim.summary().popsImpacted.length} impacted`;
      } finally {
        await store.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function viaReducer(artifact: Artifact, id: string): Promise<Figures> {
  return measure(async (onTick) => {
    const sim = new FleetSimulation(network, models, { seed: 1, startMs: START });
    const t = performance.now();
    const r = driveRollout(sim, planFor(artifact, id), { startMs: START, approver: 'approver' });
    onTick(performance.now() - t);
    return `${r.state.phase}, ${r.state.reached.length} PoPs reached, ${sim.summary().popsImpacted.length} impacted`;
  });
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function report(label: string, run: () => Promise<Figures>): Promise<Figures> {
  const all: Figures[] = [];
  for (let i = 0; i < runs; i++) all.push(await run());
  const m: Figures = { ...all[0]!, wallMs: median(all.map((f) => f.wallMs)), cpuMs: median(all.map((f) => f.cpuMs)), peakRssMiB: Math.max(...all.map((f) => f.peakRssMiB)), medianTickMs: median(all.map((f) => f.medianTickMs)) };
  console.log(
    `${label.padEnd(34)} wall ${(m.wallMs / 1000).toFixed(2)} s  CPU ${(m.cpuMs / 1000).toFixed(2)} s  peak RSS ${m.peakRssMiB.toFixed(0)} MiB  ` +
      `${m.ticks > 1 ? `gate tick median ${m.medianTickMs.toFixed(1)} ms over ${m.ticks} ticks  ` : ''}-> ${m.outcome}`,
  );
  return m;
}

const routers = network.pops.reduce((s, p) => s + p.routers.length, 0);
const plan = planFor(GOOD, 'show');
console.log(`network: ${network.pops.length} PoPs, ${routers} routers; waves ${plan.waves.map((w) => w.length).join(' / ')}; bake ${plan.bakeMs / 1000} s; medians of ${runs} runs (RSS: max)`);
console.log(`process RSS before the runs (node + tsx + network + device models): ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
const exec = await report('good change, executor + SQLite', () => viaExecutor(GOOD, `good-${Math.random().toString(36).slice(2)}`));
const pure = await report('good change, pure reducer', () => viaReducer(GOOD, 'good'));
await report('hidden defect, executor + SQLite', () => viaExecutor(HIDDEN, `bad-${Math.random().toString(36).slice(2)}`));
await report('hidden defect, pure reducer', () => viaReducer(HIDDEN, 'bad'));
console.log(`executor/pure CPU ratio ${(exec.cpuMs / Math.max(1, pure.cpuMs)).toFixed(1)}x (store writes + async executor over the same plan and gates)`);
