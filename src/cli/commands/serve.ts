// `failsmall serve`: the HTTP API and dashboard over the store and the simulated fleet, with
// simulated time following the wall clock; optionally live sFlow/NetFlow into the detector.
import type { Command } from 'commander';
import { runDemo } from '../../control-plane/demo.js';
import { startServer } from '../../control-plane/server.js';
import { type CollectorListener, UdpCollector } from '../../telemetry/index.js';
import { type ControlPlaneCliOptions, addControlPlaneOptions, openControlPlane } from '../control-plane-options.js';
import { ensureDashboardBuilt } from '../dashboard-build.js';
import { UsageError } from '../exit-codes.js';

interface ServeOptions extends ControlPlaneCliOptions {
  tick: number;
  log?: boolean;
  sflow?: string;
  netflow?: string;
}

function parseListen(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new UsageError(`${flag} wants [HOST]:PORT (port 0-65535), got "${text}"`);
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}

export function register(program: Command): void {
  addControlPlaneOptions(program.command('serve').description('serve the HTTP API (OpenAPI at /openapi.json), the dashboard and /metrics'), './var/failsmall.sqlite')
    .option('--tick <ms>', 'how often simulated time catches up with the wall clock', (v) => Number.parseInt(v, 10), 1000)
    .option('--sflow <[host]:port>', 'also collect sFlow v5 on this UDP address and feed the detector (e.g. :6343)')
    .option('--netflow <[host]:port>', 'also collect NetFlow v5 on this UDP address and feed the detector (e.g. :2055)')
    .option('--log', 'request logging')
    .action(async (o: ServeOptions) => {
      if (!Number.isInteger(o.tick) || o.tick < 10) throw new UsageError(`--tick must be an integer of at least 10 ms, got ${o.tick}`);
      const listeners: CollectorListener[] = [];
      if (o.sflow) listeners.push({ format: 'sflow', ...parseListen(o.sflow, '--sflow') });
      if (o.netflow) listeners.push({ format: 'netflow5', ...parseListen(o.netflow, '--netflow') });
      const cp = await openControlPlane(o);
      ensureDashboardBuilt();
      const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
      const server = await startServer(cp, { host: o.host, port: o.port, logger: Boolean(o.log), runDemo: () => runDemo(cp, { speed: 10, log: () => {}, autoApprove: false, sleep }) });
      // Live telemetry: the collector's counters join the control plane's registry on /metrics.
      const collector =
        listeners.length > 0 ? new UdpCollector({ listeners, registry: cp.metrics.registry, nowMs: () => cp.clock.nowMs(), onRecords: (records) => cp.ingest(records) }) : undefined;
      await collector?.start();
      process.stdout.write(`failsmall serving ${server.url} (dashboard /, API /api, OpenAPI /openapi.json, metrics /metrics)\n`);
      for (const [format, port] of collector?.ports ?? []) process.stdout.write(`collecting ${format} on UDP port ${port}\n`);
      process.stdout.write('Create a token with: failsmall token create --role approver --subject you\n');
      // Simulated time follows the wall clock (a demo run may have moved it ahead; then it waits).
      const timer = setInterval(() => {
        cp.advance(Math.max(0, Date.now() - cp.clock.nowMs())).catch((e: unknown) =>
          process.stderr.write(`failsmall: advancing the fleet failed: ${e instanceof Error ? e.message : String(e)}\n`),
        );
      }, o.tick);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      clearInterval(timer);
      await collector?.stop();
      await server.app.close();
      await cp.close();
    });
}
