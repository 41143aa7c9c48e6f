// `failsmall collect`: receive sFlow v5 and NetFlow v5 over UDP, write FlowRecords as JSON
// lines, serve the collector's Prometheus counters, and optionally detect attacks live.
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import type { Command } from 'commander';
import { Registry } from 'prom-client';
import { AttackDetector } from '../../detect/index.js';
import { type CollectorListener, UdpCollector } from '../../telemetry/index.js';
import { UsageError } from '../exit-codes.js';

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(text);
  if (!m) throw new UsageError(`"${text}" is not [HOST]:PORT`);
  const port = Number(m[2]);
  if (port > 65535) throw new UsageError(`port ${port} is out of range`);
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}

export function register(program: Command): void {
  program
    .command('collect')
    .description('collect sFlow v5 and NetFlow v5 over UDP (loopback unless a host is given); FlowRecords as JSON lines; live detection')
    .option('--sflow <[host]:port>', 'sFlow listener, e.g. :6343')
    .option('--netflow <[host]:port>', 'NetFlow v5 listener, e.g. :2055')
    .option('--metrics <[host]:port>', 'serve Prometheus /metrics')
    .option('--out <file>', 'append FlowRecords as JSON lines')
    .option('--detect', 'run the attack detector on the live stream and print attacks')
    .option('--queue <n>', 'decode queue capacity (datagrams)', (v) => Number.parseInt(v, 10), 10_000)
    .option('--duration <sec>', 'stop after this many seconds', (v) => Number(v))
    .action(async (o: { sflow?: string; netflow?: string; metrics?: string; out?: string; detect?: boolean; queue: number; duration?: number }) => {
      const listeners: CollectorListener[] = [];
      if (o.sflow) listeners.push({ format: 'sflow', ...parseListen(o.sflow) });
      if (o.netflow) listeners.push({ format: 'netflow5', ...parseListen(o.netflow) });
      if (listeners.length === 0) throw new UsageError('give at least one of --sflow, --netflow');
      const registry = new Registry();
      const out = o.out ? createWriteStream(o.out, { flags: 'a' }) : undefined;
      const detector = o.detect ? new AttackDetector() : undefined;
      const collector = new UdpCollector({
        listeners,
        registry,
        queueCapacity: o.queue,
        nowMs: () => Date.now(),
        onRecords: (records) => {
          for (const f of records) {
            out?.write(`${JSON.stringify(f)}\n`);
            detector?.ingest(f);
          }
          for (const e of detector?.drainEvents() ?? []) {
            if (e.kind !== 'update') process.stdout.write(`${e.kind} ${e.attack.id} ${e.attack.type} -> ${e.attack.destination} ${Math.round(e.attack.currentPps)} pps\n`);
          }
        },
      });
      await collector.start();
      for (const [format, port] of collector.ports) process.stdout.write(`collecting ${format} on port ${port}\n`);
      let metricsServer: ReturnType<typeof createServer> | undefined;
      if (o.metrics) {
        const { host, port } = parseListen(o.metrics);
        metricsServer = createServer((req, res) => {
          if (req.url !== '/metrics') return void res.writeHead(404).end();
          registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
        }).listen(port, host);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
        if (o.duration) setTimeout(resolve, o.duration * 1000);
      });
      await collector.stop();
      metricsServer?.close();
      out?.end();
    });
}
