// Where CLI commands read traffic from: a FlowRecord JSON-lines file, or a seeded synthetic
// scenario "synth:SCENARIO[:SEED]". (Packet captures go through the telemetry decoders.)
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FlowRecord } from '../telemetry/flow-record.js';
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
export async function* readTraffic(spec: string, errors: { lines: number[] }): AsyncGenerator<FlowRecord> {
  const synth = parseSynthSpec(spec);
  if (synth) {
    yield* generateFlows(defaultSynthConfig(synth.scenario, { seed: synth.seed, startMs: SYNTH_START_MS }));
    return;
  }
  if (/\.(pcap|pcapng|cap)$/i.test(spec)) throw new UsageError(`${spec}: packet captures are not readable here yet; convert to FlowRecord JSON lines or use synth:SCENARIO`);
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
