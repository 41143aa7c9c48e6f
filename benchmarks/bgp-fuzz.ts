// Fuzz run: a million mutated BGP messages through the decoder (and, when they decode, the
// encoder and decoder again). Prints the count, decoder_bugs, throws, outcome mix, throughput and
// peak RSS; every failing input is written to tests/vectors/bgp/regressions/ as a vector.
//   npx tsx benchmarks/bgp-fuzz.ts [count=1000000] [seed=1]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/lib/random.js';
import { bytesToHex } from '../src/lib/byte-writer.js';
import { decodeBgpMessage, encodeBgpMessage } from '../src/bgp/messages/index.js';
import { loadCorpus, mutate } from '../tests/vectors/bgp/fuzz/mutate.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const regressions = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'vectors', 'bgp', 'regressions');

const corpus = loadCorpus();
const rnd = seededRandom(seed);
const outcomes = new Map<string, number>();
let bugs = 0;
let throws = 0;
let peakRss = process.memoryUsage().rss;
const started = performance.now();

function record(kind: string, input: Uint8Array, detail: string): void {
  const hex = bytesToHex(input);
  const name = `${kind}-seed${seed}-${hex.length}-${hex.slice(-16)}.hex`;
  writeFileSync(join(regressions, name), `# source: benchmarks/bgp-fuzz.ts seed ${seed}\n# found: ${kind}: ${detail.replace(/\n/g, ' ')}\n${hex.match(/.{1,64}/g)!.join('\n')}\n`);
}

for (let i = 1; i <= count; i++) {
  const input = mutate(corpus, rnd);
  try {
    const d = decodeBgpMessage(input);
    let key: string;
    if (d.ok) {
      key = d.value.issues.length > 0 ? `issue ${d.value.issues[0]!.code}` : `ok ${d.value.message.type}`;
      const again = decodeBgpMessage(encodeBgpMessage(d.value.message));
      if (!again.ok) {
        bugs++;
        record('reencode', input, `${again.error.code} ${again.error.message}`);
      }
    } else {
      key = `error ${d.error.code}`;
      if (d.error.code === 'decoder_bug') {
        bugs++;
        record('decoder_bug', input, d.error.message);
      }
    }
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  } catch (e) {
    throws++;
    record('throw', input, e instanceof Error ? e.message : String(e));
  }
  if (i % 50_000 === 0) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    process.stderr.write(`  ${i} messages, ${bugs} bugs, ${throws} throws, rss ${(peakRss / 2 ** 20).toFixed(0)} MiB\n`);
  }
}
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const seconds = (performance.now() - started) / 1000;
const top = [...outcomes.entries()].sort((a, b) => b[1] - a[1]);
process.stdout.write(
  [
    `bgp-fuzz: ${count} mutated messages (seed ${seed}, corpus ${corpus.length})`,
    `  decoder_bug / re-encode failures: ${bugs}`,
    `  uncaught throws:                  ${throws}`,
    `  peak RSS:                         ${(peakRss / 2 ** 20).toFixed(1)} MiB`,
    `  throughput:                       ${Math.round(count / seconds)} messages/s (${seconds.toFixed(1)} s)`,
    `  distinct outcomes:                ${outcomes.size}; most common:`,
    ...top.slice(0, 15).map(([k, n]) => `    ${String(n).padStart(8)}  ${k}`),
    '',
  ].join('\n'),
);
if (bugs > 0 || throws > 0) process.exitCode = 1;
