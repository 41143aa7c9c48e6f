// Calibrates the WAF cost model: for several patterns, V8's own regex time on the sample
// corpus against the step-counting VM's steps, giving nanoseconds per step (NS_PER_STEP in
// src/waf/regex-cost.ts). Also prints the VM's own speed.
// Run: npx tsx benchmarks/waf-regex-cost.ts
import { REGEX_2019, compileRegex, measureRegexCost, runRegex, sampleRequestCorpus } from '../src/waf/index.js';

const corpus = sampleRequestCorpus(7, 200);
const patterns: Array<[string, string]> = [
  ['sql union select', String.raw`union\s+(?:all\s+)?select`],
  ['xss script tag', String.raw`<script[^>]*>`],
  ['path traversal', String.raw`(?:\.\./){2,}`],
  ['api path anchored', String.raw`^https://[^/]+/api/v[0-9]+/`],
  ['2019 regex', REGEX_2019],
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`corpus: ${corpus.length} requests, mean ${(corpus.reduce((s, x) => s + x.length, 0) / corpus.length).toFixed(0)} chars`);
console.log('pattern               VM steps/req   V8 µs/req   ns/step   VM Msteps/s');
const ratios: number[] = [];
for (const [name, source] of patterns) {
  const re = compileRegex(source);
  const native = new RegExp(source);
  const cost = measureRegexCost(re, corpus, 2e8);
  // V8: median of 7 passes over the corpus (warm).
  for (const s of corpus) native.test(s);
  const passes: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t = process.hrtime.bigint();
    for (const s of corpus) native.test(s);
    passes.push(Number(process.hrtime.bigint() - t) / corpus.length);
  }
  const nsPerReq = median(passes);
  const t = process.hrtime.bigint();
  let steps = 0;
  for (const s of corpus) steps += runRegex(re, s, 2e8).steps;
  const vmNs = Number(process.hrtime.bigint() - t);
  const nsPerStep = nsPerReq / cost.meanSteps;
  if (cost.meanSteps > 10_000) ratios.push(nsPerStep);
  console.log(`${name.padEnd(21)} ${cost.meanSteps.toFixed(0).padStart(12)} ${(nsPerReq / 1000).toFixed(2).padStart(11)} ${nsPerStep.toFixed(2).padStart(9)} ${((steps / vmNs) * 1000).toFixed(1).padStart(12)}`);
}
if (ratios.length > 0) console.log(`ns per step on backtracking-heavy patterns (the model's NS_PER_STEP): median ${median(ratios).toFixed(2)}`);
