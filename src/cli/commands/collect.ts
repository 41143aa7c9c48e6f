// `failsmall collect`: receive sFlow v5, NetFlow v5/v9 and IPFIX over UDP, write FlowRecords as
// JSON lines, serve the collector's Prometheus counters, and optionally detect attacks live.
import { createWriteStream } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { Command } from 'commander';
import { Registry } from 'prom-client';
import { AttackDetector } from '../../detect/index.js';
import { type CollectorListener, DEFAULT_RECV_BUFFER_BYTES, UdpCollector } from '../../telemetry/index.js';
import { UsageError } from '../exit-codes.js';
import { parseHostPort } from './synth.js';

/** "[host]:port"; a bare ":port" or "port" listens on 127.0.0.1 (port 0: any free port). */
function parseListen(text: string): { host: string; port: number } {
  return parseHostPort(text, '127.0.0.1', true);
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes >= 1024 * 1024 ? 0 : 2)} MiB`;

interface CollectOptions {
  sflow?: string;
  netflow?: string;
  ipfix?: string;
  metrics?: string;
  out?: string;
  detect?: boolean;
  queue: number;
  rcvbuf: number;
  duration?: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('collect')
    .description('collect sFlow v5, NetFlow v5/v9 and IPFIX over UDP (127.0.0.1 unless a host is given); FlowRecords as JSON lines; Prometheus counters; live detection')
    .option('--sflow <[host]:port>', 'sFlow v5 listener, e.g. :6343')
    .option('--netflow <[host]:port>', 'NetFlow v5 and v9 listener, e.g. :2055')
    .option('--ipfix <[host]:port>', 'IPFIX listener, e.g. :4739')
    .option('--metrics <[host]:port>', 'serve Prometheus /metrics, e.g. :9108')
    .option('--out <file>', 'append FlowRecords as JSON lines')
    .option('--detect', 'run the attack detector on the live stream and print attacks')
    .option('--queue <n>', 'decode queue capacity (datagrams)', (v) => Number.parseInt(v, 10), 10_000)
    .option('--rcvbuf <bytes>', 'socket receive buffer to ask for (the kernel caps it at net.core.rmem_max)', (v) => Number.parseInt(v, 10), DEFAULT_RECV_BUFFER_BYTES)
    .option('--duration <sec>', 'stop after this many seconds', (v) => Number(v))
    .option('--json', 'print the final counters as JSON')
    .action(async (o: CollectOptions) => {
      const listeners: CollectorListener[] = [];
      if (o.sflow) listeners.push({ format: 'sflow', ...parseListen(o.sflow) });
      if (o.netflow) listeners.push({ format: 'netflow', ...parseListen(o.netflow) });
      if (o.ipfix) listeners.push({ format: 'ipfix', ...parseListen(o.ipfix) });
      if (listeners.length === 0) throw new UsageError('give at least one of --sflow, --netflow, --ipfix');
      if (!Number.isInteger(o.queue) || o.queue < 0) throw new UsageError(`--queue must be a non-negative integer, got ${o.queue}`);
      if (!Number.isInteger(o.rcvbuf) || o.rcvbuf < 4096) throw new UsageError(`--rcvbuf must be an integer of at least 4096 bytes, got ${o.rcvbuf}`);
      if (o.duration !== undefined && !(o.duration > 0)) throw new UsageError('--duration must be a positive number of seconds');
      const registry = new Registry();
      const out = o.out ? createWriteStream(o.out, { flags: 'a' }) : undefined;
      const detector = o.detect ? new AttackDetector() : undefined;
      const collector = new UdpCollector({
        listeners,
        registry,
        queueCapacity: o.queue,
        recvBufferBytes: o.rcvbuf,
        nowMs: () => Date.now(),
        onRecords: (records) => {
          if (out) out.write(records.map((f) => `${JSON.stringify(f)}\n`).join(''));
          if (!detector) return;
          for (const f of records) detector.ingest(f);
          for (const e of detector.drainEvents()) {
            if (e.kind !== 'update') process.stdout.write(`${e.kind} ${e.attack.id} ${e.attack.type} -> ${e.attack.destination} ${Math.round(e.attack.currentPps)} pps\n`);
          }
        },
      });
      try {
        await collector.start();
      } catch (e) {
        throw new UsageError(`cannot listen: ${(e as Error).message}`);
      }
      for (const [format, port] of collector.ports) {
        // Linux reports twice the buffer it grants (the rest is its bookkeeping).
        const granted = (collector.receiveBuffers.get(format) ?? 0) / 2;
        const capped = granted < o.rcvbuf ? `; asked for ${mib(o.rcvbuf)}: raise net.core.rmem_max to absorb bursts` : '';
        process.stdout.write(`collecting ${format} on port ${port} (receive buffer ${mib(granted)}${capped})\n`);
      }
      let metricsServer: Server | undefined;
      if (o.metrics) {
        const { host, port } = parseListen(o.metrics);
        metricsServer = createServer((req, res) => {
          if (req.url !== '/metrics') return void res.writeHead(404).end();
          registry.metrics().then(
            (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
            (e: Error) => res.writeHead(500).end(e.message),
          );
        });
        await new Promise<void>((resolve, reject) => {
          metricsServer!.once('error', reject);
          metricsServer!.listen(port, host, () => resolve());
        });
        process.stdout.write(`metrics on http://${host.includes(':') ? `[${host}]` : host}:${(metricsServer.address() as { port: number }).port}/metrics\n`);
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          process.removeListener('SIGINT', done);
          process.removeListener('SIGTERM', done);
          resolve();
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        if (o.duration) setTimeout(done, o.duration * 1000).unref();
      });
      await collector.stop();
      await new Promise<void>((r) => (metricsServer ? metricsServer.close(() => r()) : r()));
      if (out) await new Promise<void>((r) => out.end(() => r()));
      const s = collector.stats;
      process.stdout.write(o.json ? `${JSON.stringify({ ...s, templates: collector.templates.stats })}\n` : `received ${s.datagrams} datagrams, ${s.records} records, ${s.decodeErrors} decode errors, ${s.templateMisses} template misses, ${s.queueDrops} queue drops\n`);
    });
}
