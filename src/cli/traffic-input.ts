// Where CLI commands read traffic from: a FlowRecord JSON-lines file, or a seeded synthetic
// scenario "synth:SCENARIO[:SEED]", or a pcap/pcapng capture (every packet one unsampled record).
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { FlowRecord } from '../telemetry/flow-record.js';
import { captureToFlows, readCapture } from '../telemetry/index.js';
import { SCENARIO_NAMES, type ScenarioName, defaultSynthConfig, generateFlows } from '../telemetry/synth/index.js';
import { UsageError } from './exit-codes.js';

export const SYNTH_START_MS = Date.UTC(2026, 10, 22, 12, 0, 0);

export function parseSynthSpec(spec: string): { scenario: ScenarioName | 'none'; seed: number } | undefined {
  const m = /^synth:([a-z-]+)(?::(\d+))?$/.exec(spec);
  if (!m) return undefined;
  const scenario = m[1]!;
  if (scenario !== 'none' && !(SCENARIO_NAMES as readonly string[]).includes(scenario)) {
    throw new UsageError(`unknown synthetic scenario "${scenario}"; expected one of: none, ${SCENARIO_NAMES.join(', ')}`);
  }
  return { scenario: scenario as ScenarioName | 'none', seed: m[2] ? Number(m[2]) : 1 };
}

/** Yields records from the source; bad JSON lines are counted in `errors` and skipped. */
export async function* readTraffic(spec: string, errors: { lines: number[] }, opts: { pop?: string } = {}): AsyncGenerator<FlowRecord> {
  const synth = parseSynthSpec(spec);
  if (synth) {
    yield* generateFlows(defaultSynthConfig(synth.scenario, { seed: synth.seed, startMs: SYNTH_START_MS }));
    return;
  }
  if (/\.(pcap|pcapng|cap)$/i.test(spec)) {
    const read = readCapture(await readFile(spec));
    if (read.format === 'unknown') throw new UsageError(`${spec}: ${read.error?.message ?? 'not a capture'}`);
    if (read.error) process.stderr.write(`failsmall: ${spec}: stopped at byte ${read.error.offset}: ${read.error.code}: ${read.error.message} (${read.packets.length} packets read)\n`);
    const flows = captureToFlows(read.packets, spec);
    for (const [code, n] of Object.entries(flows.errors)) process.stderr.write(`failsmall: ${spec}: ${n} packet(s) skipped: ${code}\n`);
    for (const f of flows.records) yield opts.pop ? { ...f, pop: opts.pop } : f;
    return;
  }
  const rl = createInterface({ input: createReadStream(spec, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (!line.trim()) continue;
    try {
      const f = JSON.parse(line) as FlowRecord;
      if (typeof f.timestampMs !== 'number' || typeof f.dstAddr !== 'string') throw new Error('not a FlowRecord');
      yield f;
    } catch {
      errors.lines.push(n);
    }
  }
}
