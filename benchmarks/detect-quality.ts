// Detection quality on labelled synthetic scenarios at 1:1000 sampling: detection latency
// (telemetry time from onset to alarm), precision and recall of attack detection, signature
// coverage and collateral (measured, and true from labels). Run: npx tsx benchmarks/detect-quality.ts [seeds]
import { SCENARIO_NAMES } from '../src/telemetry/synth/index.js';
import { runScenario } from '../tests/scenarios/detect-support.js';

const seeds = Number(process.argv[2] ?? 5);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)]!;
};
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.95 * xs.length) - 1)] ?? Number.NaN;

let tp = 0;
let fp = 0;
let fn = 0;
console.log(`scenario              detected  latency med/p95 ms  coverage  collateral  true cov  true coll`);
for (const scenario of SCENARIO_NAMES) {
  const lat: number[] = [];
  const cov: number[] = [];
  const coll: number[] = [];
  const tcov: number[] = [];
  const tcoll: number[] = [];
  let hits = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runScenario(scenario, seed);
    fp += r.falseAlarms.length;
    if (!r.outcome?.detected) {
      fn++;
      continue;
    }
    tp++;
    hits++;
    lat.push(r.outcome!.latencyMs!);
    cov.push(r.outcome!.signature!.coverage);
    coll.push(r.outcome!.signature!.collateral);
    tcov.push(r.outcome!.trueCoverage!);
    tcoll.push(r.outcome!.trueCollateral!);
  }
  console.log(
    `${scenario.padEnd(22)}${`${hits}/${seeds}`.padEnd(10)}${`${median(lat)}/${p95(lat)}`.padEnd(20)}${median(cov).toFixed(3).padEnd(10)}${median(coll).toFixed(4).padEnd(12)}${median(tcov).toFixed(3).padEnd(10)}${median(tcoll).toFixed(4)}`,
  );
}
for (let seed = 1; seed <= seeds; seed++) fp += runScenario('none', seed).attacks.length;
console.log(`\nprecision ${(tp / Math.max(1, tp + fp)).toFixed(3)}  recall ${(tp / Math.max(1, tp + fn)).toFixed(3)}  (tp ${tp}, fp ${fp}, fn ${fn}; ${seeds} seeds per scenario plus ${seeds} attack-free runs)`);
