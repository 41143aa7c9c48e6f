// Fuzz run over the telemetry decoders: a million mutated inputs (default) across sFlow v5,
// NetFlow v5, NetFlow v9 and IPFIX datagrams (one long-lived template cache per format, so data
// sets meet real and mutated templates), plus random bytes, mutated frames through the packet
// parser and mutated pcap/pcapng captures fed in random chunks through the incremental reader.
// Prints the count, errors by code, decoder_bug count (must be 0), records that break the
// FlowRecord contract, template cache bounds, throughput and peak RSS. Every failing input is
// written to tests/vectors/telemetry/regressions/ as a vector.
//   npx tsx benchmarks/fuzz-telemetry.ts [count=1000000] [seed=1]
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '../src/lib/byte-writer.js';
import { seededRandom } from '../src/lib/random.js';
import { CaptureParser, FLOW_DATAGRAM_FORMATS, type FlowDatagramFormat, LINK_TYPE, TemplateCache, captureToFlows, decodeFlowDatagram, parsePacket } from '../src/telemetry/index.js';
import { FRAMES } from '../tests/vectors/telemetry/frames.js';
import { type CorpusEntry, loadTelemetryCorpus, mutateDatagram, recordProblem } from '../tests/vectors/telemetry/fuzz/mutate.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const regressions = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'vectors', 'telemetry', 'regressions');

const corpus = loadTelemetryCorpus();
const byFormat = new Map<FlowDatagramFormat, CorpusEntry[]>(FLOW_DATAGRAM_FORMATS.map((f) => [f, corpus.filter((e) => e.format === f)]));
const rnd = seededRandom(seed);
const caches = new Map<FlowDatagramFormat, TemplateCache>(FLOW_DATAGRAM_FORMATS.map((f) => [f, new TemplateCache({ maxTemplates: 512, maxScopes: 64, maxPendingSets: 64, maxPendingBytes: 256 * 1024 })]));
const errorsByCode = new Map<string, number>();
const inputsByKind = new Map<string, number>();
let records = 0;
let bugs = 0;
let throws = 0;
let contract = 0;
let peakRss = process.memoryUsage().rss;
let nowMs = 1_700_000_000_000;

const frames = FRAMES.map((f) => Uint8Array.from(Buffer.from(f.hex, 'hex')));
const LINKS = [LINK_TYPE.ethernet, LINK_TYPE.raw, LINK_TYPE.linuxSll, LINK_TYPE.linuxSll2, LINK_TYPE.ipv4, LINK_TYPE.ipv6, LINK_TYPE.null, 147];

function save(kind: string, format: string, input: Uint8Array, detail: string): void {
  mkdirSync(regressions, { recursive: true });
  const hex = bytesToHex(input);
  const name = `${kind}-${format}-seed${seed}-${hex.length}-${hex.slice(-12)}.hex`;
  writeFileSync(join(regressions, name), `# source: benchmarks/fuzz-telemetry.ts seed ${seed}\n# format: ${format}\n# found: ${kind}: ${detail.replace(/\n/g, ' ')}\n${hex.match(/.{1,64}/g)?.join('\n') ?? ''}\n`);
}

function count1(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function captureBytes(ng: boolean, pick: Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  if (!ng) {
    parts.push(...le32(rnd.next() < 0.5 ? 0xa1b2c3d4 : 0xa1b23c4d), 2, 0, 4, 0, ...le32(0), ...le32(0), ...le32(65535), ...le32(rnd.pick(LINKS)));
    for (const f of pick) parts.push(...le32(1_700_000_000), ...le32(0), ...le32(f.length), ...le32(f.length), ...f);
  } else {
    parts.push(...le32(0x0a0d0d0a), ...le32(28), ...le32(0x1a2b3c4d), 1, 0, 0, 0, ...le32(0xffffffff), ...le32(0xffffffff), ...le32(28));
    parts.push(...le32(1), ...le32(20), rnd.pick(LINKS), 0, 0, 0, ...le32(0), ...le32(20));
    for (const f of pick) {
      const pad = (4 - (f.length % 4)) % 4;
      const len = 32 + f.length + pad;
      parts.push(...le32(6), ...le32(len), ...le32(0), ...le32(0), ...le32(1_000_000), ...le32(f.length), ...le32(f.length), ...f, ...new Array<number>(pad).fill(0), ...le32(len));
    }
  }
  return Uint8Array.from(parts);
}

const started = performance.now();
for (let i = 1; i <= count; i++) {
  const roll = rnd.next();
  let kind: string;
  let format: string;
  let input: Uint8Array;
  try {
    if (roll < 0.86) {
      // a (usually) mutated datagram of a format; now and then an intact one re-primes templates
      const f = rnd.pick(FLOW_DATAGRAM_FORMATS);
      const e = rnd.pick(byFormat.get(f)!);
      input = rnd.next() < 0.03 ? e.datagram : mutateDatagram(e, corpus, rnd);
      kind = `datagram ${f}`;
      format = f;
      nowMs += rnd.int(0, 50);
      const exporter = rnd.pick(['192.0.2.1', '192.0.2.2', '2001:db8::9']);
      const r = decodeFlowDatagram(f, input, { exporter, receivedMs: nowMs, templates: caches.get(f)! });
      records += r.records.length;
      for (const x of r.errors) {
        count1(errorsByCode, x.code);
        if (x.code === 'decoder_bug') {
          bugs++;
          save('decoder_bug', f, input, x.message);
        }
      }
      for (const rec of r.records) {
        const p = recordProblem(rec);
        if (p) {
          contract++;
          save('contract', f, input, p);
          break;
        }
      }
    } else if (roll < 0.9) {
      const f = rnd.pick(FLOW_DATAGRAM_FORMATS);
      input = Uint8Array.from({ length: rnd.int(0, 600) }, () => rnd.int(0, 255));
      kind = 'random bytes';
      format = f;
      const r = decodeFlowDatagram(f, input, { exporter: '192.0.2.3', receivedMs: nowMs, templates: caches.get(f)! });
      for (const x of r.errors) {
        count1(errorsByCode, x.code);
        if (x.code === 'decoder_bug') {
          bugs++;
          save('decoder_bug', f, input, x.message);
        }
      }
    } else if (roll < 0.96) {
      kind = 'frame';
      format = 'frame';
      input = mutateDatagram({ name: 'frame', format: 'sflow', datagram: rnd.pick(frames) }, corpus, rnd);
      const link = rnd.pick(LINKS);
      const r = parsePacket(input, link);
      if (!r.ok) {
        count1(errorsByCode, `packet ${r.error.code}`);
        if (r.error.code === 'decoder_bug') {
          bugs++;
          save('decoder_bug', `frame-link-${link}`, input, r.error.message);
        }
      }
    } else {
      kind = 'capture';
      format = 'capture';
      const ng = rnd.next() < 0.5;
      input = mutateDatagram({ name: 'capture', format: 'sflow', datagram: captureBytes(ng, [rnd.pick(frames), rnd.pick(frames)]) }, corpus, rnd);
      if (rnd.next() < 0.8 && input.length >= 4) input.set(ng ? [0x0a, 0x0d, 0x0d, 0x0a] : [0xd4, 0xc3, 0xb2, 0xa1], 0);
      const p = new CaptureParser();
      let at = 0;
      while (at < input.length) {
        const n = rnd.int(1, 64);
        const { errors } = captureToFlows(p.push(input.subarray(at, at + n)));
        for (const code of Object.keys(errors)) count1(errorsByCode, `packet ${code}`);
        at += n;
      }
      const e = p.finish();
      if (e) count1(errorsByCode, `capture ${e.code}`);
    }
    count1(inputsByKind, kind);
  } catch (e) {
    throws++;
    save('throw', 'unknown', new Uint8Array(0), e instanceof Error ? `${e.message} ${e.stack ?? ''}` : String(e));
  }
  if (i % 100_000 === 0) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    process.stderr.write(`  ${i} inputs, ${bugs} decoder_bug, ${throws} throws, rss ${(peakRss / 2 ** 20).toFixed(0)} MiB\n`);
  }
}
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const seconds = (performance.now() - started) / 1000;
const top = [...errorsByCode.entries()].sort((a, b) => b[1] - a[1]);
const cacheLines = [...caches.entries()].filter(([f]) => f === 'netflow9' || f === 'ipfix').map(([f, c]) => `    ${f}: ${c.stats.templates} templates (max ${c.options.maxTemplates}), ${c.stats.scopes} scopes (max ${c.options.maxScopes}), learned ${c.stats.learned}, changed ${c.stats.changed}, evicted ${c.stats.evicted}, withdrawn ${c.stats.withdrawn}, misses ${c.stats.misses}, pending ${c.stats.pendingSets} sets / ${c.stats.pendingBytes} B (decoded ${c.stats.pendingDecoded}, dropped ${c.stats.pendingDropped}, expired ${c.stats.pendingExpired})`);
process.stdout.write(
  [
    `fuzz-telemetry: ${count} inputs (seed ${seed}, corpus ${corpus.length} datagrams)`,
    `  by kind:            ${[...inputsByKind.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  records decoded:    ${records}`,
    `  decoder_bug:        ${bugs}`,
    `  uncaught throws:    ${throws}`,
    `  contract breaches:  ${contract}`,
    `  peak RSS:           ${(peakRss / 2 ** 20).toFixed(1)} MiB`,
    `  throughput:         ${Math.round(count / seconds)} inputs/s (${seconds.toFixed(1)} s)`,
    '  template caches:',
    ...cacheLines,
    `  errors by code (${errorsByCode.size}):`,
    ...top.map(([k, n]) => `    ${String(n).padStart(8)}  ${k}`),
    '',
  ].join('\n'),
);
if (bugs > 0 || throws > 0 || contract > 0) process.exitCode = 1;
