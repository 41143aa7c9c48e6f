// `failsmall rollout plan|start|status|approve|pause|resume|abort|rollback`, against the store and
// an enforcement target (`--target sim`: the simulated fleet, rebuilt from the store on every
// invocation by recovery, so each command sees what earlier ones installed).
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { ChangeRejected, type ControlPlane, rolloutView } from '../../control-plane/control-plane.js';
import { PlanError, RolloutError, type RolloutState } from '../../rollout/index.js';
import { parseRuleFile } from '../../rules/index.js';
import { type ControlPlaneCliOptions, DEFAULT_NETWORK, openControlPlane } from '../control-plane-options.js';
import { RejectedError, UsageError } from '../exit-codes.js';
import { formatFinding, loadModels } from '../inputs.js';
import { printJson, printLines } from '../output.js';

/** Enforcement targets the CLI can drive. The simulated fleet is the one a CLI process can own. */
export const CLI_TARGETS = ['sim'] as const;

export interface RolloutCliOptions {
  db: string;
  network: string;
  deviceModels?: string;
  target: string;
  as: string;
  json?: boolean;
}

/** Options every rollout and killswitch command takes. */
export function addRolloutOptions(cmd: Command): Command {
  return cmd
    .option('--db <path|url>', 'SQLite database file, or postgres://... (multi-node)', './var/failsmall.sqlite')
    .option('--network <file>', 'network description YAML', DEFAULT_NETWORK)
    .option('--device-models <dir>', 'device model profiles (default: shipped data/device-models)')
    .option('--target <name>', `enforcement target: ${CLI_TARGETS.join(', ')} (the simulated fleet)`, 'sim')
    .option('--as <user>', 'who is acting (recorded in the audit log)', process.env.USER ?? 'cli')
    .option('--json', 'machine-readable output');
}

/** Open the control plane over the store and target, run `fn`, map engine errors to exit codes, close. */
export async function withControlPlane<T>(o: RolloutCliOptions, fn: (cp: ControlPlane) => Promise<T>): Promise<T> {
  if (!(CLI_TARGETS as readonly string[]).includes(o.target)) throw new UsageError(`--target must be one of ${CLI_TARGETS.join(', ')}, got "${o.target}"`);
  loadModels(o.deviceModels); // fail early with a usage error on a bad directory
  const cp = await openControlPlane({ db: o.db, network: o.network, deviceModels: o.deviceModels, seed: 1, host: '127.0.0.1', port: 0 } as ControlPlaneCliOptions);
  try {
    return await fn(cp);
  } catch (e) {
    if (e instanceof RolloutError) throw e.code === 'rollout_not_found' ? new UsageError(e.message) : new RejectedError(`${e.code}: ${e.message}`);
    if (e instanceof PlanError) throw new UsageError(`${e.code}: ${e.message}`);
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
    ...((s.pendingRevert ?? []).length > 0 ? [`  reverts not yet confirmed: ${(s.pendingRevert ?? []).join(', ')}${s.lastError ? ` (${s.lastError})` : ''}`] : []),
  ];
}

function print(o: RolloutCliOptions, states: RolloutState[]): void {
  if (o.json) printJson(states.length === 1 ? rolloutView(states[0]!) : states.map(rolloutView));
  else printLines(states.flatMap(describe));
}

/** Run simulated time until the rollout stops moving (the simulator needs no wall-clock wait). */
async function driveToEnd(cp: ControlPlane, id: string, stepMs = 5_000, maxMs = 24 * 3600_000): Promise<RolloutState> {
  let s = await cp.executor.get(id);
  for (let t = 0; (s.phase === 'running' || s.phase === 'rolling-back') && t < maxMs; t += stepMs) {
    await cp.advance(stepMs);
    s = await cp.executor.get(id);
  }
  return s;
}

/** Parse a rule file and propose it (validated, planned, stored); prints findings and throws on rejection. */
async function proposeFile(cp: ControlPlane, file: string, o: RolloutCliOptions & { reason: string; bake?: number }): Promise<RolloutState> {
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
  if (o.bake !== undefined && !(Number.isFinite(o.bake) && o.bake >= 0)) throw new UsageError(`--bake must be a non-negative number of seconds, got ${o.bake}`);
  try {
    return await cp.proposeRollout({ artifact: { kind: 'flowspec', add: parsed.rules, withdraw: [] }, author: o.as, reason: o.reason, ...(o.bake !== undefined ? { bakeMs: o.bake * 1000 } : {}) });
  } catch (e) {
    if (!(e instanceof ChangeRejected)) throw e;
    if (o.json) printJson({ rejected: true, findings: e.findings });
    else printLines(e.findings.map((f) => formatFinding(f, file)));
    throw new RejectedError('rollout_rejected_by_validation: the change was rejected by validation and was not planned');
  }
}

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();
const parseSeconds = (v: string): number => Number(v);

export function register(program: Command): void {
  const rollout = program.command('rollout').description('staged, scoped rollouts with health gates and automatic rollback');
  addRolloutOptions(rollout.command('plan').description('validate a rule file and plan its rollout (scope, canary, waves, bake, gates); stored as planned').argument('<file>', 'rule file (native YAML/JSON, Junos, ExaBGP)'))
    .option('--reason <text>', 'why (audit log)', 'planned from the CLI')
    .option('--bake <sec>', 'bake time per wave, seconds', parseSeconds)
    .action((file: string, o: RolloutCliOptions & { reason: string; bake?: number }) => withControlPlane(o, async (cp) => print(o, [await proposeFile(cp, file, o)])));
  addRolloutOptions(rollout.command('start').description('start a planned rollout (or plan and start a rule file) and follow it on the simulated fleet until it ends').argument('<file|id>', 'a rollout id, or a rule file to plan first'))
    .option('--no-follow', 'only start it')
    .option('--reason <text>', 'why, when planning a file (audit log)', 'started from the CLI')
    .option('--bake <sec>', 'bake time per wave when planning a file, seconds', parseSeconds)
    .action((ref: string, o: RolloutCliOptions & { follow: boolean; reason: string; bake?: number }) =>
      withControlPlane(o, async (cp) => {
        const id = isFile(ref) ? (await proposeFile(cp, ref, o)).plan.id : ref;
        await cp.executor.start(id, o.as);
        const s = o.follow ? await driveToEnd(cp, id) : await cp.executor.get(id);
        print(o, [s]);
        if (s.phase === 'rolled-back' || s.phase === 'rolling-back') throw new RejectedError('the rollout was rolled back (see the gate failures above)');
      }),
    );
  addRolloutOptions(rollout.command('status').description('show one rollout (with --events, its event log), or all').argument('[id]'))
    .option('--events', 'print the rollout event log (the source of truth) as well')
    .action((id: string | undefined, o: RolloutCliOptions & { events?: boolean }) =>
      withControlPlane(o, async (cp) => {
        if (!id) return print(o, await cp.executor.list());
        const s = await cp.executor.get(id);
        if (!o.events) return print(o, [s]);
        const events = await cp.executor.history(id);
        if (o.json) printJson({ ...rolloutView(s), events });
        else printLines([...describe(s), ...events.map((e) => `  ${new Date(e.atMs).toISOString()}  ${e.type}${'by' in e ? ` by ${e.by}` : ''}${'popIds' in e ? ` ${e.popIds.join(', ')}` : ''}`)]);
      }),
    );
  addRolloutOptions(rollout.command('approve').description('approve a wide-scope rollout (the approver must not be its author)').argument('<id>')).action((id: string, o: RolloutCliOptions) =>
    withControlPlane(o, async (cp) => print(o, [await cp.executor.approve(id, o.as)])),
  );
  for (const verb of ['pause', 'resume', 'abort', 'rollback'] as const) {
    const what = { pause: 'stop further waves (gates keep running)', resume: 'continue a paused rollout', abort: 'stop a rollout where it is (reached PoPs keep the change)', rollback: 'withdraw the change from every PoP it reached' }[verb];
    addRolloutOptions(rollout.command(verb).description(`${verb}: ${what}`).argument('<id>'))
      .option('--reason <text>', 'why (audit log)', `${verb} from the CLI`)
      .action((id: string, o: RolloutCliOptions & { reason: string }) =>
        withControlPlane(o, async (cp) => {
          const s =
            verb === 'pause' ? await cp.executor.pause(id, o.as, o.reason)
            : verb === 'resume' ? await cp.executor.resume(id, o.as)
            : verb === 'abort' ? await cp.executor.abort(id, o.as, o.reason)
            : await cp.executor.rollback(id, o.as, o.reason);
          print(o, [s]);
          if (s.phase === 'rolling-back') throw new RejectedError(`rollout_revert_pending: ${s.lastError ?? 'some PoPs have not confirmed the revert'}; retried on the next tick`);
        }),
      );
  }
}
