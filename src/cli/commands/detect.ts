// `failsmall detect TRAFFIC`: attacks with start/end, type, peak rates, signature, coverage,
// collateral and the proposed rule with its validation findings.
import type { Command } from 'commander';
import { AttackDetector, type Attack, type Signature, profileAttack, proposeRule } from '../../detect/index.js';
import { type Finding, type MitigationRule, renderRules, validateRules } from '../../rules/index.js';
import { UsageError } from '../exit-codes.js';
import { formatFinding, loadModels, loadNetwork } from '../inputs.js';
import { printJson, printLines } from '../output.js';
import { readTraffic } from '../traffic-input.js';

export interface DetectionResult {
  readonly attack: Attack;
  readonly signature: Signature;
  readonly rule: MitigationRule;
  readonly findings: readonly Finding[];
}

const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got "${v}"`);
  return n;
};

const rate = (v: number, unit: string): string => (v >= 1e9 ? `${(v / 1e9).toFixed(2)} G${unit}` : v >= 1e6 ? `${(v / 1e6).toFixed(2)} M${unit}` : `${(v / 1e3).toFixed(1)} k${unit}`);

export function register(program: Command): void {
  program
    .command('detect')
    .description('detect attacks in traffic (FlowRecord JSON lines, or synth:SCENARIO[:SEED]) and propose validated rules')
    .argument('<traffic>', 'FlowRecord .jsonl file or synth:SCENARIO[:SEED]')
    .option('--network <file>', 'network description (MTU, owned space, PoPs, routers) for validation')
    .option('--mtu <bytes>', 'network MTU when no --network is given', num('--mtu'), 4470)
    .option('--threshold-pps <pps>', 'per-host alarm threshold (estimated pps)', num('--threshold-pps'))
    .option('--threshold-bps <bps>', 'per-host alarm threshold (estimated bits/s)', num('--threshold-bps'))
    .option('--pop <id>', 'PoP where a packet capture was taken (captures carry none)')
    .option('--json', 'machine-readable output')
    .action(async (traffic: string, opts: { network?: string; mtu: number; thresholdPps?: number; thresholdBps?: number; pop?: string; json?: boolean }) => {
      const network = opts.network ? loadNetwork(opts.network) : undefined;
      const mtuBytes = network?.mtuBytes ?? opts.mtu;
      const detector = new AttackDetector({ ...(opts.thresholdPps ? { thresholdPps: opts.thresholdPps } : {}), ...(opts.thresholdBps ? { thresholdBps: opts.thresholdBps } : {}) });
      const errors = { lines: [] as number[] };
      let lastMs = 0;
      for await (const f of readTraffic(traffic, errors, opts.pop ? { pop: opts.pop } : {})) {
        detector.ingest(f);
        lastMs = Math.max(lastMs, f.timestampMs);
      }
      detector.advance(lastMs + 60_000);
      const deviceModels = network ? loadModels(undefined) : undefined;
      const results: DetectionResult[] = detector.allAttacks().map((attack) => {
        const signature = profileAttack(attack, detector.attackSamples(attack.id)!, { mtuBytes });
        const rule = proposeRule(attack, signature, { nowMs: attack.detectedMs });
        const findings = validateRules([rule], { nowMs: attack.detectedMs, ...(network ? { network } : {}), ...(deviceModels ? { deviceModels } : {}) });
        return { attack, signature, rule, findings };
      });
      if (opts.json) {
        printJson({ records: detector.stats.records, badLines: errors.lines, attacks: results });
        return;
      }
      const lines: string[] = [`${detector.stats.records} records, ${results.length} attack(s)${errors.lines.length ? `, ${errors.lines.length} unreadable line(s) skipped` : ''}`];
      for (const r of results) {
        const a = r.attack;
        lines.push(
          '',
          `attack ${a.id}: ${a.type} -> ${a.destination} at ${a.pops.join(', ')}`,
          `  start ${new Date(a.startMs).toISOString()}  detected +${a.detectedMs - a.startMs} ms  ${a.endMs ? `end ${new Date(a.endMs).toISOString()}` : 'still active'}`,
          `  peak ${rate(a.peakPps, 'pps')} / ${rate(a.peakBps, 'bps')}`,
          `  signature: ${r.signature.summary}`,
          `  coverage ${(r.signature.coverage * 100).toFixed(1)}%  collateral ${(r.signature.collateral * 100).toFixed(2)}%  (${r.signature.samples.attack} attack / ${r.signature.samples.baseline} baseline samples)`,
          '  proposed rule:',
          ...renderRules([r.rule], 'native').text.trimEnd().split('\n').map((l) => `    ${l}`),
          r.findings.length === 0 ? '  validation: no findings' : '  validation:',
          ...r.findings.map((f) => `    ${formatFinding(f)}`),
        );
      }
      printLines(lines);
    });
}
