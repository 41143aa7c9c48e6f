// Sends exported datagrams to a collector over UDP, paced (I/O shell). Loopback only: the
// destination must be in 127.0.0.0/8 or ::1. Each exporter sends from its own socket, bound to
// the exporter's address when that is a local loopback address (so a NetFlow/IPFIX collector sees
// one source per PoP), else from an ephemeral port on the default address.
import { type Socket, createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { ExportBatch } from '../export/export-stream.js';

export function isLoopbackAddress(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

export interface SendOptions {
  readonly host: string;
  readonly port: number;
  /**
   * Pacing. 'realtime' (default): batches go out at their stream timestamps scaled by `speed`.
   * A number: that many datagrams per second, whatever the timestamps say.
   */
  readonly pace?: 'realtime' | number;
  /** Time scale for 'realtime' pacing (2 = twice as fast). */
  readonly speed?: number;
  /** Bind each exporter's socket to its (loopback) exporter address. Default true. */
  readonly bindExporters?: boolean;
  /** Stop early (e.g. SIGINT). */
  readonly signal?: AbortSignal;
  readonly onBatch?: (b: ExportBatch, sent: SendStats) => void;
}

export interface SendStats {
  datagrams: number;
  bytes: number;
  batches: number;
  /** Send errors by message (e.g. ECONNREFUSED on loopback when nobody listens). */
  errors: Record<string, number>;
  seconds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ExporterSender {
  private readonly sockets = new Map<string, Socket>();

  constructor(private readonly o: SendOptions) {
    if (!isLoopbackAddress(o.host)) throw new Error(`collector address ${o.host} is not a loopback address (127.0.0.0/8 or ::1); the synthetic exporter only sends on loopback`);
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65_535) throw new Error(`port ${o.port} is out of range`);
  }

  private async socketFor(exporter: string): Promise<Socket> {
    const existing = this.sockets.get(exporter);
    if (existing) return existing;
    const v6 = isIP(this.o.host) === 6;
    const sock = createSocket({ type: v6 ? 'udp6' : 'udp4', sendBufferSize: 4 * 1024 * 1024 });
    const bindTo = this.o.bindExporters !== false && isIP(exporter) === (v6 ? 6 : 4) && isLoopbackAddress(exporter) ? exporter : undefined;
    await new Promise<void>((resolve) => {
      const onError = (): void => {
        // The exporter address is not local: fall back to an ephemeral port on the default address.
        sock.removeListener('error', onError);
        const again = createSocket({ type: v6 ? 'udp6' : 'udp4' });
        again.bind(0, () => {
          this.sockets.set(exporter, again);
          resolve();
        });
      };
      sock.once('error', onError);
      sock.bind({ port: 0, ...(bindTo ? { address: bindTo } : {}) }, () => {
        sock.removeListener('error', onError);
        this.sockets.set(exporter, sock);
        resolve();
      });
    });
    return this.sockets.get(exporter)!;
  }

  /** Send every batch, paced; resolves when all datagrams were handed to the kernel. */
  async send(batches: Iterable<ExportBatch> | AsyncIterable<ExportBatch>): Promise<SendStats> {
    const stats: SendStats = { datagrams: 0, bytes: 0, batches: 0, errors: {}, seconds: 0 };
    const t0 = performance.now();
    const speed = this.o.speed ?? 1;
    const pace = this.o.pace ?? 'realtime';
    let firstTs: number | undefined;
    let inFlight = 0;
    let drained: (() => void) | undefined;
    const done = (e: Error | null): void => {
      if (e) stats.errors[e.message] = (stats.errors[e.message] ?? 0) + 1;
      inFlight--;
      if (inFlight < 256 && drained) {
        const d = drained;
        drained = undefined;
        d();
      }
    };
    for await (const b of batches) {
      if (this.o.signal?.aborted) break;
      const sock = await this.socketFor(b.exporter);
      if (pace === 'realtime') {
        firstTs ??= b.timestampMs;
        const wait = t0 + (b.timestampMs - firstTs) / speed - performance.now();
        if (wait > 1) await sleep(wait);
      }
      for (const d of b.datagrams) {
        if (typeof pace === 'number') {
          const wait = t0 + (stats.datagrams / pace) * 1000 - performance.now();
          if (wait > 1) await sleep(wait);
        }
        inFlight++;
        sock.send(d, this.o.port, this.o.host, done);
        stats.datagrams++;
        stats.bytes += d.length;
        if (inFlight >= 1024) await new Promise<void>((r) => (drained = r));
      }
      stats.batches++;
      this.o.onBatch?.(b, stats);
    }
    while (inFlight > 0) await new Promise<void>((r) => (drained = r));
    stats.seconds = (performance.now() - t0) / 1000;
    return stats;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sockets.values()].map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.sockets.clear();
  }
}
