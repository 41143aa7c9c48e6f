// `failsmall rule validate|render|import`: read rule files (native YAML/JSON, Junos, ExaBGP),
// validate them against a network description and device models, render vendor configuration,
// or import vendor flow routes as native YAML. Thin: parsing, validation and rendering are the
// pure functions of src/rules; this file reads files, the clock and prints.
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { DeviceModel } from '../../fleet/device-model.js';
import { loadDeviceModelsSync } from '../../fleet/io/device-model-files.js';
import type { NetworkDescription } from '../../fleet/network.js';
import { parseNetworkFile } from '../../fleet/network-file.js';
import {
  type Finding,
  type MitigationRule,
  RENDER_FORMATS,
  type RenderFormat,
  type RuleFileFormat,
  type RuleScope,
  parseRuleFile,
  renderRules,
  validateRules,
} from '../../rules/index.js';
import { RejectedError, UsageError } from '../exit-codes.js';
import { formatFinding, loadModels, loadNetwork, readText } from '../inputs.js';
import { printJson, printLines } from '../output.js';


function countErrors(findings: readonly Finding[]): number {
  return findings.filter((f) => f.severity === 'error').length;
}

function parseScopeOption(text: string): RuleScope {
  if (text === 'global') return { kind: 'global' };
  const m = /^(pops|regions):(.+)$/.exec(text);
  if (!m) throw new UsageError(`--scope: expected global, pops:ID[,ID...] or regions:NAME[,NAME...], found "${text}"`);
  const list = m[2]!.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError(`--scope: expected at least one ${m[1] === 'pops' ? 'PoP id' : 'region'}`);
  return m[1] === 'pops' ? { kind: 'pops', pops: list } : { kind: 'regions', regions: list };
}

function parseNow(text: string | undefined): number {
  if (text === undefined) return Date.now();
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--now: expected an ISO-8601 instant like 2026-01-01T00:00:00Z, found "${text}"`);
  return ms;
}

function parseApprovals(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const at = v.lastIndexOf('=');
    if (at <= 0 || at === v.length - 1) throw new UsageError(`--approve: expected RULE_ID=APPROVER, found "${v}"`);
    out.set(v.slice(0, at), v.slice(at + 1));
  }
  return out;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface ReadRules {
  readonly rules: MitigationRule[];
  readonly findings: Finding[];
  readonly format: RuleFileFormat;
}

function readRules(file: string, format: RuleFileFormat | 'auto', nowMs: number, scope?: RuleScope): ReadRules {
  const text = readText(file, 'rule file');
  return parseRuleFile(text, { format, fileName: file, nowMs, ...(scope ? { scope } : {}) });
}

const INPUT_FORMATS = ['auto', 'native', 'junos', 'exabgp'] as const;

export function register(program: Command): void {
  const rule = program.command('rule').description('Validate, render and import Flowspec mitigation rules');

  rule
    .command('validate')
    .description('Parse a rule file and run every validator check; exit 1 when any error finding')
    .argument('<file>', 'rule file: native YAML/JSON, Junos flow routes or ExaBGP flow routes')
    .addOption(new Option('--format <format>', 'input format').choices(INPUT_FORMATS).default('auto'))
    .option('--network <file>', 'network description YAML (MTU, owned space, PoPs, routers)')
    .option('--installed <file>', 'rules already installed (any rule format), for overlap and capacity checks')
    .option('--device-models <dir>', 'folder of device-model YAML profiles (default: data/device-models)')
    .option('--approve <rule=approver>', 'approval for a wide-scope rule (repeatable)', collect, [] as string[])
    .option('--now <instant>', 'evaluate expiry against this ISO-8601 instant instead of the clock')
    .option('--json', 'print {file, format, ok, rules, findings} as JSON')
    .action((file: string, opts: { format: RuleFileFormat | 'auto'; network?: string; installed?: string; deviceModels?: string; approve: string[]; now?: string; json?: boolean }) => {
      const nowMs = parseNow(opts.now);
      const approvals = parseApprovals(opts.approve);
      const network = opts.network ? loadNetwork(opts.network) : undefined;
      let installed: MitigationRule[] | undefined;
      if (opts.installed) {
        const r = readRules(opts.installed, 'auto', nowMs);
        if (countErrors(r.findings) > 0) {
          process.stderr.write(`${r.findings.map((f) => formatFinding(f, opts.installed)).join('\n')}\n`);
          throw new UsageError(`installed rule file ${opts.installed} has ${countErrors(r.findings)} error(s)`);
        }
        installed = r.rules;
      }
      const deviceModels = network || opts.deviceModels ? loadModels(opts.deviceModels) : undefined;
      const parsed = readRules(file, opts.format, nowMs);
      const validation = validateRules(parsed.rules, {
        nowMs,
        ...(network ? { network } : {}),
        ...(installed ? { installed } : {}),
        ...(deviceModels ? { deviceModels } : {}),
        ...(approvals.size > 0 ? { approvals } : {}),
      });
      const findings = [...parsed.findings, ...validation];
      const errors = countErrors(findings);
      if (opts.json) {
        printJson({ file, format: parsed.format, ok: errors === 0, rules: parsed.rules, findings });
      } else {
        printLines(findings.map((f) => formatFinding(f, file)));
        const warnings = findings.length - errors;
        printLines([`${errors === 0 ? 'ok' : 'rejected'}: ${parsed.rules.length} rule(s) parsed from ${file} (${parsed.format}), ${errors} error(s), ${warnings} warning(s)`]);
      }
      if (errors > 0) throw new RejectedError('');
    });

  rule
    .command('render')
    .description('Render rules as vendor configuration; rules a format cannot express are findings (exit 1), never widened')
    .argument('<file>', 'rule file: native YAML/JSON, Junos or ExaBGP')
    .addOption(new Option('--format <format>', 'output format').choices(RENDER_FORMATS).makeOptionMandatory())
    .addOption(new Option('--from <format>', 'input format').choices(INPUT_FORMATS).default('auto'))
    .option('--gobgp-command <cmd>', 'gobgp: command starting each line', 'gobgp')
    .option('--nft-table <name>', 'nftables: table name (inet family)', 'failsmall')
    .option('--iosxr-policy <name>', 'iosxr: policy-map name stem', 'FAILSMALL-FLOWSPEC')
    .option('--json', 'print {format, text, findings} as JSON')
    .action((file: string, opts: { format: RenderFormat; from: RuleFileFormat | 'auto'; gobgpCommand: string; nftTable: string; iosxrPolicy: string; json?: boolean }) => {
      const parsed = readRules(file, opts.from, Date.now());
      const out = renderRules(parsed.rules, opts.format, { gobgpCommand: opts.gobgpCommand, nftTable: opts.nftTable, iosxrPolicyName: opts.iosxrPolicy });
      const findings = [...parsed.findings, ...out.findings];
      if (opts.json) printJson({ format: opts.format, text: out.text, findings });
      else {
        process.stdout.write(out.text);
        for (const f of findings) process.stderr.write(`${formatFinding(f, file)}\n`);
      }
      const errors = countErrors(findings);
      if (errors > 0) throw new RejectedError(`${errors} error(s): some rules were not rendered`);
    });

  rule
    .command('import')
    .description('Import Junos or ExaBGP flow routes and print them as native YAML')
    .argument('<file>', 'Junos (hierarchical or set lines) or ExaBGP configuration')
    .addOption(new Option('--from <format>', 'input format').choices(['junos', 'exabgp']).makeOptionMandatory())
    .option('--scope <scope>', 'scope for the imported rules: global, pops:ID,ID or regions:NAME,NAME', 'global')
    .option('--json', 'print {rules, findings} as JSON')
    .action((file: string, opts: { from: 'junos' | 'exabgp'; scope: string; json?: boolean }) => {
      const scope = parseScopeOption(opts.scope);
      const parsed = readRules(file, opts.from, Date.now(), scope);
      if (opts.json) printJson({ rules: parsed.rules, findings: parsed.findings });
      else {
        process.stdout.write(renderRules(parsed.rules, 'native').text);
        for (const f of parsed.findings) process.stderr.write(`${formatFinding(f, file)}\n`);
      }
      const errors = countErrors(parsed.findings);
      if (errors > 0) throw new RejectedError(`${errors} error(s): some routes were not imported`);
    });
}
