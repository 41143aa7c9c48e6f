// Compiled classifier throughput vs the linear reference: N rules, M flows.
// Run: npx tsx benchmarks/classifier.ts [rules] [flows]
import { compileClassifier, classifyLinear } from '../src/rules/classifier/index.js';
import type { MitigationRule } from '../src/rules/model.js';
import { defaultSynthConfig, generateFlows } from '../src/telemetry/synth/index.js';

const nRules = Number(process.argv[2] ?? 10_000);
const nFlows = Number(process.argv[3] ?? 100_000);
const rules: MitigationRule[] = Array.from({ length: nRules }, (_, i) => ({
  id: `r${i}`,
  family: 'ipv4',
  match: { destination: `173.245.${48 + ((i >> 8) % 16)}.${i & 255}/32`, protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: [53, 123, 11211, 1900][i % 4]!, max: [53, 123, 11211, 1900][i % 4]! }], packetLengths: [{ min: 400, max: 4470 }] },
  action: { kind: 'discard' },
  scope: { kind: 'global' },
  provenance: {},
}));
const flows = [...generateFlows(defaultSynthConfig('dns-amplification', { seed: 1, startMs: 0, durationMs: 60_000, backgroundPps: 1_000_000 }))].slice(0, nFlows);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

const t0 = performance.now();
const classifier = compileClassifier(rules);
const compileMs = performance.now() - t0;
const runs: number[] = [];
let matched = 0;
for (let run = 0; run < 5; run++) {
  const t = performance.now();
  matched = 0;
  for (const f of flows) matched += classifier.classify(f).length;
  runs.push(performance.now() - t);
}
const linearFlows = flows.slice(0, Math.min(flows.length, 2000));
const tl = performance.now();
for (const f of linearFlows) classifyLinear(rules, f);
const linearPerFlowMs = (performance.now() - tl) / linearFlows.length;
const compiledPerFlowMs = median(runs) / flows.length;
console.log(`rules ${nRules}, flows ${flows.length}, matched ${matched}`);
console.log(`compile ${compileMs.toFixed(1)} ms`);
console.log(`compiled: median ${median(runs).toFixed(1)} ms = ${Math.round(flows.length / (median(runs) / 1000)).toLocaleString()} flows/s`);
console.log(`linear:   ${Math.round(1000 / linearPerFlowMs).toLocaleString()} flows/s (${linearFlows.length} flows)`);
console.log(`ratio compiled/linear: ${(linearPerFlowMs / compiledPerFlowMs).toFixed(0)}x`);
