// `failsmall serve`: the HTTP API and dashboard over the store and the simulated fleet, with
// simulated time following the wall clock.
import type { Command } from 'commander';
import { runDemo } from '../../control-plane/demo.js';
import { startServer } from '../../control-plane/server.js';
import { type ControlPlaneCliOptions, addControlPlaneOptions, openControlPlane } from '../control-plane-options.js';
import { ensureDashboardBuilt } from '../dashboard-build.js';

export function register(program: Command): void {
  addControlPlaneOptions(program.command('serve').description('serve the HTTP API (OpenAPI at /openapi.json), the dashboard and /metrics'), './var/failsmall.sqlite')
    .option('--tick <ms>', 'how often simulated time advances', (v) => Number.parseInt(v, 10), 1000)
    .option('--log', 'request logging')
    .action(async (o: ControlPlaneCliOptions & { tick: number; log?: boolean }) => {
      const cp = await openControlPlane(o);
      ensureDashboardBuilt();
      const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
      const server = await startServer(cp, { host: o.host, port: o.port, logger: Boolean(o.log), runDemo: () => runDemo(cp, { speed: 10, log: () => {}, autoApprove: false, sleep }) });
      process.stdout.write(`failsmall serving ${server.url} (dashboard /, API /api, OpenAPI /openapi.json, metrics /metrics)\n`);
      process.stdout.write('Create a token with: failsmall token create --role approver --subject you\n');
      const timer = setInterval(() => cp.advance(o.tick).catch((e: unknown) => process.stderr.write(`failsmall: advancing the fleet failed: ${e instanceof Error ? e.message : String(e)}\n`)), o.tick);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      clearInterval(timer);
      await server.app.close();
      await cp.close();
    });
}
