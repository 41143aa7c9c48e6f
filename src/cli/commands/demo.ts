// `failsmall demo`: the full pipeline on the embedded default (SQLite, simulated network,
// synthetic attack), with the API and dashboard served throughout.
import type { Command } from 'commander';
import { runDemo } from '../../control-plane/demo.js';
import { startServer } from '../../control-plane/server.js';
import { type ControlPlaneCliOptions, addControlPlaneOptions, openControlPlane } from '../control-plane-options.js';
import { ensureDashboardBuilt } from '../dashboard-build.js';
import { RejectedError, UsageError } from '../exit-codes.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  addControlPlaneOptions(
    program
      .command('demo')
      .description('run the whole pipeline on the simulator (attack -> detection -> signature -> validation -> canary -> waves) and serve the dashboard'),
    './var/demo.sqlite',
  )
    .option('--speed <x>', 'simulated seconds per real second', (v) => Number(v), 10)
    .option('--exit-after-run', 'exit when the pipeline has finished (demo-approver approves the wide-scope change)')
    .option('--no-serve', 'do not start the HTTP server; run the pipeline and exit (demo-approver approves)')
    .option('--json', 'print a JSON summary at the end')
    .action(async (o: ControlPlaneCliOptions & { speed: number; exitAfterRun?: boolean; serve: boolean; json?: boolean }, cmd: Command) => {
      if (!Number.isFinite(o.speed) || o.speed <= 0 || o.speed > 100_000) throw new UsageError(`--speed must be a number above 0 (at most 100000), got ${o.speed}`);
      const cp = await openControlPlane(o, true);
      const log = (line: string): void => {
        if (!o.json) process.stdout.write(`${line}\n`);
      };
      const operator = await cp.issueToken('demo-operator', 'operator');
      const approver = await cp.issueToken('demo-approver', 'approver');
      const viewer = await cp.issueToken('demo-viewer', 'viewer');
      const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
      // Without a dashboard (or when asked to exit) nobody can approve: demo-approver does.
      const demo = () => runDemo(cp, { speed: o.speed, log, autoApprove: Boolean(o.exitAfterRun) || !o.serve, sleep });
      let server: Awaited<ReturnType<typeof startServer>> | undefined;
      if (o.serve) {
        ensureDashboardBuilt();
        try {
          server = await startServer(cp, { host: o.host, port: o.port, runDemo: demo });
        } catch (e) {
          // The default port is taken (another demo?): any free port will do unless --port was given.
          if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || cmd.getOptionValueSource('port') !== 'default') throw e;
          log(`Port ${o.port} is in use; serving on a free port instead.`);
          server = await startServer(cp, { host: o.host, port: 0, runDemo: demo });
        }
        log(`Dashboard: ${server.url}/?token=${approver}`);
        log(`  tokens (shown once): approver ${approver}  operator ${operator}  viewer ${viewer}`);
        log(`  API: ${server.url}/openapi.json   metrics: ${server.url}/metrics`);
      }
      log(`Simulated time runs ${o.speed}x faster than wall time (a ${cp.bakeMs / 1000} s bake takes ${Number((cp.bakeMs / 1000 / o.speed).toPrecision(2))} s); [sim HH:MM:SS] is simulated time.`);
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
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      clearInterval(timer);
      await server.app.close();
      await cp.close();
    });
}
