// `failsmall rollout plan|start|status|approve|pause|resume|abort|rollback` and
// `failsmall killswitch`, against the store and the simulated fleet (rebuilt from the store
// on every invocation, so each command sees what earlier ones installed).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ChangeRejected, type ControlPlane, rolloutView } from '../../control-plane/control-plane.js';
import { PlanError, RolloutError, type RolloutState, TERMINAL_PHASES } from '../../rollout/index.js';
import { parseRuleFile } from '../../rules/index.js';
import { type ControlPlaneCliOptions, DEFAULT_NETWORK, openControlPlane } from '../control-plane-options.js';
import { RejectedError, UsageError } from '../exit-codes.js';
import { formatFinding, loadModels } from '../inputs.js';
import { printJson, printLines } from '../output.js';

interface Common {
  db: string;
  network: string;
  deviceModels?: string;
  as: string;
  json?: boolean;
}

function common(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'SQLite database file', './var/failsmall.sqlite')
    .option('--network <file>', 'network description YAML', DEFAULT_NETWORK)
    .option('--device-models <dir>', 'device model profiles (default: shipped data/device-models)')
    .option('--as <user>', 'who is acting (recorded in the audit log)', process.env.USER ?? 'cli')
    .option('--json', 'machine-readable output');
}

async function withPlane<T>(o: Common, fn: (cp: ControlPlane) => Promise<T>): Promise<T> {
  loadModels(o.deviceModels); // fail early with a usage error on a bad directory
  const cp = await openControlPlane({ ...o, seed: 1, host: '127.0.0.1', port: 0 } as ControlPlaneCliOptions);
  try {
    return await fn(cp);
  } catch (e) {
    if (e instanceof RolloutError) throw e.code === 'rollout_not_found' ? new UsageError(e.message) : new RejectedError(e.message);
    if (e instanceof PlanError) throw new UsageError(e.message);
    throw e;
  } finally {
    await cp.close();
  }
}

function describe(s: RolloutState): string[] {
  const v = rolloutView(s);
  return [
    `${v.id}  ${v.state}  ${v.title}  (by ${v.author}${v.approvedBy ? `, approved by ${v.approvedBy}` : ''}${v.wide ? ', wide scope' : ''})`,
    ...v.waves.map((w) => `  ${w.index === 0 ? 'canary' : `wave ${w.index}`}: ${w.pops.join(', ')}  ${w.state}  (bake ${w.bakeMs / 1000} s)`),
    ...v.gateFailures.map((g) => `  gate ${g.gate} failed at ${g.popId}: ${g.message}`),
    ...(v.rollbackReason ? [`  rolled back: ${v.rollbackReason}`] : []),
  ];
}

function print(o: Common, states: RolloutState[]): void {
  if (o.json) printJson(states.length === 1 ? rolloutView(states[0]!) : states.map(rolloutView));
  else printLines(states.flatMap(describe));
}

/** Run simulated time until the rollout ends (the simulator needs no wall-clock wait). */
async function driveToEnd(cp: ControlPlane, id: string, stepMs = 5_000, maxMs = 24 * 3600_000): Promise<RolloutState> {
  let s = await cp.executor.get(id);
  for (let t = 0; !TERMINAL_PHASES.includes(s.phase) && s.phase === 'running' && t < maxMs; t += stepMs) {
    await cp.advance(stepMs);
    s = await cp.executor.get(id);
  }
  return s;
}

export function register(program: Command): void {
  const rollout = program.command('rollout').description('staged, scoped rollouts with health gates and automatic rollback');
  common(rollout.command('plan').description('validate a rule file and plan its rollout (scope, canary, waves, bake, gates)').argument('<file>', 'rule file'))
    .option('--reason <text>', 'why (audit log)', 'planned from the CLI')
    .option('--bake <sec>', 'bake time per wave, seconds', (v) => Number.parseInt(v, 10))
    .action((file: string, o: Common & { reason: string; bake?: number }) =>
      withPlane(o, async (cp) => {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
        }
        const parsed = parseRuleFile(text, { fileName: file, nowMs: cp.clock.nowMs() });
        const perr = parsed.findings.filter((f) => f.severity === 'error');
        if (perr.length > 0) {
          process.stderr.write(`${perr.map((f) => formatFinding(f, file)).join('\n')}\n`);
          throw new UsageError(`${file} has ${perr.length} error(s)`);
        }
        try {
          const s = await cp.proposeRollout({ artifact: { kind: 'flowspec', add: parsed.rules, withdraw: [] }, author: o.as, reason: o.reason, ...(o.bake ? { bakeMs: o.bake * 1000 } : {}) });
          print(o, [s]);
        } catch (e) {
          if (!(e instanceof ChangeRejected)) throw e;
          if (o.json) printJson({ rejected: true, findings: e.findings });
          else printLines(e.findings.map((f) => formatFinding(f, file)));
          throw new RejectedError('the change was rejected by validation and was not planned');
        }
      }),
    );
  common(rollout.command('start').description('start a planned rollout and follow it on the simulated fleet until it ends').argument('<id>'))
    .option('--no-follow', 'only start it')
    .action((id: string, o: Common & { follow: boolean }) =>
      withPlane(o, async (cp) => {
        await cp.executor.start(id, o.as);
        const s = o.follow ? await driveToEnd(cp, id) : await cp.executor.get(id);
        print(o, [s]);
        if (s.phase === 'rolled-back') throw new RejectedError('a health gate failed; the rollout was rolled back');
      }),
    );
  common(rollout.command('status').description('show one rollout, or all').argument('[id]')).action((id: string | undefined, o: Common) =>
    withPlane(o, async (cp) => print(o, id ? [await cp.executor.get(id)] : await cp.store.listRollouts())),
  );
  common(rollout.command('approve').description('approve a wide-scope rollout (the approver must not be its author)').argument('<id>')).action((id: string, o: Common) =>
    withPlane(o, async (cp) => print(o, [await cp.executor.approve(id, o.as)])),
  );
  for (const verb of ['pause', 'resume', 'abort', 'rollback'] as const) {
    common(rollout.command(verb).description(`${verb} a rollout`).argument('<id>'))
      .option('--reason <text>', 'why (audit log)', `${verb} from the CLI`)
      .action((id: string, o: Common & { reason: string }) =>
        withPlane(o, async (cp) => {
          const s =
            verb === 'pause' ? await cp.executor.pause(id, o.as, o.reason)
            : verb === 'resume' ? await cp.executor.resume(id, o.as)
            : verb === 'abort' ? await cp.executor.abort(id, o.as, o.reason)
            : await cp.executor.rollback(id, o.as, o.reason);
          print(o, [s]);
        }),
      );
  }
  common(program.command('killswitch').description('withdraw every change of a kind everywhere, now'))
    .requiredOption('--kind <kind>', 'flowspec | waf-regex | data-file')
    .requiredOption('--reason <text>', 'why (audit log)')
    .action((o: Common & { kind: string; reason: string }) =>
      withPlane(o, async (cp) => {
        if (!['flowspec', 'waf-regex', 'data-file'].includes(o.kind)) throw new UsageError(`--kind must be flowspec, waf-regex or data-file, got "${o.kind}"`);
        const ids = await cp.killSwitch(o.kind as 'flowspec', o.as, o.reason);
        if (o.json) printJson({ rolledBack: ids });
        else printLines([`kill switch: rolled back ${ids.length} rollout(s)${ids.length ? `: ${ids.join(', ')}` : ''}`]);
      }),
    );
}
