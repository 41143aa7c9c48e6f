// `failsmall synth`: seeded, labelled synthetic traffic (background + an attack scenario) as
// FlowRecord JSON lines.
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { SCENARIO_NAMES, type ScenarioName, defaultSynthConfig, generateFlows } from '../../telemetry/synth/index.js';
import { UsageError } from '../exit-codes.js';
import { SYNTH_START_MS } from '../traffic-input.js';

export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`duration "${text}" is not like 500ms, 60s, 5m or 1h`);
  const n = Number(m[1]);
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']);
}

const positive = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got "${v}"`);
  return n;
};

export function register(program: Command): void {
  program
    .command('synth')
    .description('generate seeded, labelled synthetic traffic as sampled FlowRecords (JSON lines)')
    .option('--scenario <name>', `attack scenario: none, ${SCENARIO_NAMES.join(', ')}`, 'dns-amplification')
    .option('--seed <n>', 'random seed (same seed, same traffic)', (v) => Number.parseInt(v, 10), 1)
    .option('--duration <d>', 'length of the capture, e.g. 60s', '50s')
    .option('--attack-start <d>', 'attack onset after the start', '20s')
    .option('--attack-duration <d>', 'attack length', '20s')
    .option('--attack-pps <pps>', 'attack packets per second before sampling', positive('--attack-pps'), 3_000_000)
    .option('--background-pps <pps>', 'background packets per second before sampling', positive('--background-pps'), 400_000)
    .option('--sample-rate <n>', '1-in-N packet sampling', positive('--sample-rate'), 1000)
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { scenario: string; seed: number; duration: string; attackStart: string; attackDuration: string; attackPps: number; backgroundPps: number; sampleRate: number; out?: string }) => {
      if (opts.scenario !== 'none' && !(SCENARIO_NAMES as readonly string[]).includes(opts.scenario)) {
        throw new UsageError(`unknown scenario "${opts.scenario}"; expected one of: none, ${SCENARIO_NAMES.join(', ')}`);
      }
      if (!Number.isInteger(opts.seed)) throw new UsageError('--seed must be an integer');
      const cfg = defaultSynthConfig(opts.scenario as ScenarioName | 'none', {
        seed: opts.seed,
        startMs: SYNTH_START_MS,
        durationMs: parseDurationMs(opts.duration),
        attackOffsetMs: parseDurationMs(opts.attackStart),
        attackDurationMs: parseDurationMs(opts.attackDuration),
        attackPps: opts.attackPps,
        backgroundPps: opts.backgroundPps,
        sampleRate: Math.round(opts.sampleRate),
      });
      const out: NodeJS.WritableStream = opts.out ? createWriteStream(opts.out) : process.stdout;
      let n = 0;
      for (const f of generateFlows(cfg)) {
        if (!out.write(`${JSON.stringify(f)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
        n++;
      }
      if (opts.out) {
        const file = out as ReturnType<typeof createWriteStream>;
        await new Promise<void>((resolve, reject) => {
          file.on('error', reject);
          file.end(() => resolve());
        });
        process.stderr.write(`wrote ${n} records to ${opts.out}\n`);
      }
    });
}
