// `failsmall replay --rules FILE TRAFFIC`: what each rule would match, attack vs legitimate, per PoP.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseRuleFile } from '../../rules/index.js';
import { replayRules } from '../../rules/classifier/index.js';
import type { FlowRecord } from '../../telemetry/flow-record.js';
import { UsageError } from '../exit-codes.js';
import { formatFinding } from '../inputs.js';
import { printJson, printLines } from '../output.js';
import { readTraffic } from '../traffic-input.js';

const pct = (x: number, of: number): string => (of === 0 ? '-' : `${((x / of) * 100).toFixed(2)}%`);

export function register(program: Command): void {
  program
    .command('replay')
    .description('replay recorded or synthetic traffic through a rule set (compiled classifier) and report matches per rule and PoP')
    .requiredOption('--rules <file>', 'rule file (native YAML/JSON, Junos or ExaBGP)')
    .argument('<traffic>', 'FlowRecord .jsonl file or synth:SCENARIO[:SEED]')
    .option('--json', 'machine-readable output')
    .action(async (traffic: string, opts: { rules: string; json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(opts.rules, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read rule file ${opts.rules}: ${(e as Error).message}`);
      }
      const parsed = parseRuleFile(text, { fileName: opts.rules, nowMs: Date.now() });
      const errors = parsed.findings.filter((f) => f.severity === 'error');
      if (errors.length > 0) {
        process.stderr.write(`${errors.map((f) => formatFinding(f, opts.rules)).join('\n')}\n`);
        throw new UsageError(`${opts.rules} has ${errors.length} error(s)`);
      }
      const bad = { lines: [] as number[] };
      const records: FlowRecord[] = [];
      for await (const f of readTraffic(traffic, bad)) records.push(f);
      const report = replayRules(parsed.rules, records);
      if (opts.json) {
        printJson({ ...report, badLines: bad.lines });
        return;
      }
      const t = report.totals;
      const lines = [`${report.records} records: attack ${t.attackPackets} pkts, legitimate ${t.legitPackets} pkts, unlabelled ${t.unlabelledPackets} pkts (estimated)`];
      for (const r of report.rules) {
        lines.push(
          `rule ${r.ruleId}: attack ${r.attackPackets} pkts / ${r.attackBytes} B (${pct(r.attackPackets, t.attackPackets)} of attack), legitimate ${r.legitPackets} pkts / ${r.legitBytes} B (${pct(r.legitPackets, t.legitPackets)} of legitimate), unlabelled ${r.unlabelledPackets} pkts`,
          ...Object.entries(r.byPop)
            .sort()
            .map(([pop, c]) => `  ${pop}: attack ${c.attackPackets} pkts, legitimate ${c.legitPackets} pkts, unlabelled ${c.unlabelledPackets} pkts`),
        );
      }
      printLines(lines);
    });
}
