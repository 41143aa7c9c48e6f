// Compiled rule classifier vs the linear reference matcher (rules in order, every component
// re-parsed per flow). Rule sets mix host rules (/32), prefix rules (/24, /20) and rules without a
// destination, like a busy mitigation table; flows are the seeded synthetic traffic (IPv4).
// Both classifiers must give the same answer on every flow the linear one is timed on.
// Run: npx tsx benchmarks/classifier.ts [flows]
import { classifyLinear, compileClassifier } from '../src/rules/classifier/index.js';
import type { MitigationRule } from '../src/rules/model.js';
import { defaultSynthConfig, generateFlows } from '../src/telemetry/synth/index.js';

const nFlows = Number(process.argv[2] ?? 200_000);
const AMP = [53, 123, 11211, 1900, 19, 161, 389];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function ruleSet(n: number): MitigationRule[] {
  return Array.from({ length: n }, (_, i): MitigationRule => {
    const kind = i % 20;
    const port = AMP[i % AMP.length]!;
    const common = { id: `r${i}`, family: 'ipv4' as const, action: { kind: 'discard' as const }, scope: { kind: 'global' as const }, provenance: {} };
    if (kind === 0) return { ...common, match: { protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: port, max: port }], packetLengths: [{ min: 1400 + (i % 50), max: 4470 }] } };
    if (kind < 4) return { ...common, match: { destination: `173.${240 + ((i >> 10) % 16)}.${(i >> 2) & 255}.0/24`, protocols: [{ min: 6, max: 6 }], tcpFlags: [[{ op: 'all', bits: 0x02 }, { op: 'none', bits: 0x10 }]] } };
    if (kind === 4) return { ...common, match: { destination: `10.${i & 255}.${(i >> 8) & 240}.0/20`, destinationPorts: [{ min: 1, max: 1023 }, { min: 8080, max: 8080 }] } };
    return { ...common, match: { destination: `173.245.${48 + ((i >> 8) % 16)}.${i & 255}/32`, protocols: [{ min: 17, max: 17 }], sourcePorts: [{ min: port, max: port }], packetLengths: [{ min: 400, max: 4470 }] } };
  });
}

const flows = [...generateFlows(defaultSynthConfig('dns-amplification', { seed: 1, startMs: 0, durationMs: 60_000, backgroundPps: 1_000_000 }))].slice(0, nFlows);
console.log(`flows ${flows.length} (seeded synthetic, DNS amplification over background)`);
console.log('rules    compile ms   compiled flows/s   linear flows/s   ratio   matched');
for (const n of [100, 1_000, 10_000, 50_000]) {
  const rules = ruleSet(n);
  const t0 = performance.now();
  const classifier = compileClassifier(rules);
  const compileMs = performance.now() - t0;
  const runs: number[] = [];
  let matched = 0;
  for (let run = 0; run < 5; run++) {
    const t = performance.now();
    matched = 0;
    for (const f of flows) matched += classifier.matchIndexes(f).length;
    runs.push(performance.now() - t);
  }
  const linearFlows = flows.slice(0, Math.max(200, Math.min(flows.length, Math.round(2_000_000 / n))));
  const tl = performance.now();
  const linear = linearFlows.map((f) => classifyLinear(rules, f));
  const linearPerFlowMs = (performance.now() - tl) / linearFlows.length;
  linearFlows.forEach((f, i) => {
    const got = classifier.classify(f);
    if (got.join() !== linear[i]!.join()) throw new Error(`disagreement on flow ${i}: compiled ${got.join()} vs linear ${linear[i]!.join()}`);
  });
  const compiledPerFlowMs = median(runs) / flows.length;
  console.log(
    `${String(n).padEnd(9)}${compileMs.toFixed(0).padStart(10)}   ${Math.round(1000 / compiledPerFlowMs).toLocaleString().padStart(16)}   ${Math.round(1000 / linearPerFlowMs).toLocaleString().padStart(14)}   ${`${(linearPerFlowMs / compiledPerFlowMs).toFixed(0)}x`.padStart(6)}   ${matched}`,
  );
}
