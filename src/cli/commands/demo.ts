// `failsmall demo`: the full pipeline on the embedded default (SQLite, simulated network,
// synthetic attack), with the API and dashboard served throughout.
import type { Command } from 'commander';
import { runDemo } from '../../control-plane/demo.js';
import { startServer } from '../../control-plane/server.js';
import { type ControlPlaneCliOptions, addControlPlaneOptions, openControlPlane } from '../control-plane-options.js';
import { ensureDashboardBuilt } from '../dashboard-build.js';
import { RejectedError } from '../exit-codes.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  addControlPlaneOptions(
    program
      .command('demo')
      .description('run the whole pipeline on the simulator (attack -> detection -> signature -> validation -> canary -> waves) and serve the dashboard'),
    './var/demo.sqlite',
  )
    .option('--speed <x>', 'simulated seconds per real second', (v) => Number(v), 10)
    .option('--exit-after-run', 'exit when the pipeline has finished (approves the wide-scope change as demo-approver)')
    .option('--no-serve', 'do not start the HTTP server')
    .option('--json', 'print a JSON summary at the end')
    .action(async (o: ControlPlaneCliOptions & { speed: number; exitAfterRun?: boolean; serve: boolean; json?: boolean }) => {
      const cp = await openControlPlane(o, true);
      const log = (line: string): void => {
        if (!o.json) process.stdout.write(`${line}\n`);
      };
      const operator = await cp.issueToken('demo-operator', 'operator');
      const approver = await cp.issueToken('demo-approver', 'approver');
      const viewer = await cp.issueToken('demo-viewer', 'viewer');
      const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
      const demo = () => runDemo(cp, { speed: o.speed, log, autoApprove: Boolean(o.exitAfterRun), sleep });
      let server: Awaited<ReturnType<typeof startServer>> | undefined;
      if (o.serve) {
        ensureDashboardBuilt();
        server = await startServer(cp, { host: o.host, port: o.port, runDemo: demo });
        log(`Dashboard: ${server.url}/?token=${approver}`);
        log(`  tokens (shown once): approver ${approver}  operator ${operator}  viewer ${viewer}`);
        log(`  API: ${server.url}/openapi.json   metrics: ${server.url}/metrics`);
      }
      log(`Simulated time runs ${o.speed}x faster than wall time.`);
      const outcome = await demo();
      if (o.json) printJson({ ...outcome, ...(server ? { url: server.url } : {}) });
      else log(`Done: attack ${outcome.attackId ?? '-'}, rollout ${outcome.rolloutId ?? '-'} ${outcome.rolloutPhase ?? '-'}, wide-scope rollout ${outcome.wideRolloutPhase ?? '-'}.`);
      if (o.exitAfterRun || !server) {
        await server?.app.close();
        await cp.close();
        if (outcome.rolloutPhase !== 'completed' || !outcome.rejected2013) throw new RejectedError('the demo pipeline did not complete as expected');
        return;
      }
      log('Serving until Ctrl-C. Keep advancing simulated time in real time.');
      const timer = setInterval(() => cp.advance(1000).catch((e: unknown) => process.stderr.write(`failsmall: advancing the fleet failed: ${e instanceof Error ? e.message : String(e)}\n`)), 1000);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      clearInterval(timer);
      await server.app.close();
      await cp.close();
    });
}
