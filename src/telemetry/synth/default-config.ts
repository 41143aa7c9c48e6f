// The default synthetic setup shared by the CLI, the demo and the quality suite: a victim
// network inside 173.245.48.0/20 (the 2013 story's space), background web/DNS/QUIC traffic at
// four PoPs and one labelled attack starting 20 s in.
import type { SynthConfig } from './flow-synth.js';
import type { ScenarioName } from './scenarios.js';

export const DEFAULT_VICTIM_HOST = '173.245.53.10';
export const DEFAULT_CARPET_PREFIX = '173.245.54.0/24';

export interface DefaultSynthOptions {
  readonly seed: number;
  readonly startMs: number;
  readonly durationMs?: number;
  readonly sampleRate?: number;
  readonly mtuBytes?: number;
  readonly attackPps?: number;
  readonly backgroundPps?: number;
  readonly attackOffsetMs?: number;
  readonly attackDurationMs?: number;
  readonly pops?: readonly string[];
  readonly attackPops?: readonly string[];
}

export function defaultSynthConfig(scenario: ScenarioName | 'none', o: DefaultSynthOptions): SynthConfig {
  const onset = o.startMs + (o.attackOffsetMs ?? 20_000);
  // PoP ids of tests/fixtures/network/example.yaml
  const pops = o.pops ?? ['ams1', 'fra1', 'lhr1', 'sjc1'];
  return {
    seed: o.seed,
    startMs: o.startMs,
    durationMs: o.durationMs ?? 50_000,
    sampleRate: o.sampleRate ?? 1000,
    mtuBytes: o.mtuBytes ?? 4470,
    background: {
      pps: o.backgroundPps ?? 400_000,
      destinations: Array.from({ length: 60 }, (_, i) => `173.245.${48 + (i % 4)}.${10 + i}`).concat([DEFAULT_VICTIM_HOST, '173.245.54.20']),
      pops,
    },
    attacks:
      scenario === 'none'
        ? []
        : [
            {
              id: 'attack-1',
              scenario,
              target: scenario === 'carpet-bombing' ? DEFAULT_CARPET_PREFIX : DEFAULT_VICTIM_HOST,
              startMs: onset,
              endMs: onset + (o.attackDurationMs ?? 20_000),
              pps: o.attackPps ?? 3_000_000,
              pops: o.attackPops ?? pops.slice(0, 2),
            },
          ],
  };
}
