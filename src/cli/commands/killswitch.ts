// `failsmall killswitch --kind flowspec|waf-regex|data-file`: withdraw every change of a kind
// from every PoP, now. Every rollout of the kind that holds a PoP is rolled back there (all
// reverts in parallel) and every one not yet started is aborted; one audit entry says who and why.
import type { Command } from 'commander';
import type { Artifact } from '../../fleet/enforcement.js';
import { UsageError, RejectedError } from '../exit-codes.js';
import { printJson, printLines } from '../output.js';
import { type RolloutCliOptions, addRolloutOptions, withControlPlane } from './rollout.js';

const KINDS: ReadonlyArray<Artifact['kind']> = ['flowspec', 'waf-regex', 'data-file'];

export function register(program: Command): void {
  addRolloutOptions(program.command('killswitch').description('withdraw every change of a kind from every PoP, now (rolls back live rollouts, aborts unstarted ones)'))
    .requiredOption('--kind <kind>', KINDS.join(' | '))
    .option('--reason <text>', 'why (audit log)', 'kill switch from the CLI')
    .action((o: RolloutCliOptions & { kind: string; reason: string }) => {
      if (!(KINDS as readonly string[]).includes(o.kind)) throw new UsageError(`--kind must be ${KINDS.join(', ')}, got "${o.kind}"`);
      return withControlPlane(o, async (cp) => {
        const t0 = performance.now();
        const ids = await cp.killSwitch(o.kind as Artifact['kind'], o.as, o.reason);
        const ms = performance.now() - t0;
        const pending = (await Promise.all(ids.map((id) => cp.executor.get(id)))).filter((s) => s.phase === 'rolling-back');
        if (o.json) printJson({ kind: o.kind, rolledBack: ids, pending: pending.map((s) => ({ id: s.plan.id, pops: s.pendingRevert ?? [], error: s.lastError })), ms: Math.round(ms) });
        else {
          printLines([
            `kill switch ${o.kind}: withdrew ${ids.length} rollout(s)${ids.length ? `: ${ids.join(', ')}` : ''} in ${ms.toFixed(0)} ms`,
            ...pending.map((s) => `  ${s.plan.id}: reverts not yet confirmed at ${(s.pendingRevert ?? []).join(', ')} (${s.lastError ?? 'unknown'}); retried on the next tick`),
          ]);
        }
        if (pending.length > 0) throw new RejectedError(`rollout_revert_pending: ${pending.length} rollout(s) still hold PoPs`);
      });
    });
}
