// UDP collector (I/O shell): one socket per format, a bounded queue between the sockets and
// decoding (datagrams beyond it are dropped and counted), per-exporter Prometheus counters.
import { type Socket, createSocket } from 'node:dgram';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FlowRecord } from '../flow-record.js';
import { decodeNetflow5, netflow5ToFlowRecords } from '../netflow/index.js';
import { decodeSflowDatagram, sflowToFlowRecords } from '../sflow/index.js';
import type { DecodeError } from '../../lib/result.js';

export type CollectorFormat = 'sflow' | 'netflow5';

export interface CollectorListener {
  readonly format: CollectorFormat;
  readonly host: string;
  readonly port: number;
}

export interface CollectorOptions {
  readonly listeners: readonly CollectorListener[];
  readonly registry: Registry;
  readonly queueCapacity?: number;
  /** Socket receive buffer (SO_RCVBUF), bytes. */
  readonly recvBufferBytes?: number;
  readonly nowMs: () => number;
  readonly onRecords: (records: readonly FlowRecord[]) => void;
}

interface Queued {
  readonly format: CollectorFormat;
  readonly exporter: string;
  readonly buf: Buffer;
  readonly receivedMs: number;
}

export class UdpCollector {
  private readonly sockets: Socket[] = [];
  private readonly queue: Queued[] = [];
  private draining = false;
  private readonly capacity: number;
  readonly ports = new Map<CollectorFormat, number>();
  private readonly m: {
    datagrams: Counter<'format' | 'exporter'>;
    records: Counter<'format' | 'exporter'>;
    errors: Counter<'format' | 'exporter' | 'code'>;
    drops: Counter<'format'>;
    depth: Gauge;
  };

  constructor(private readonly o: CollectorOptions) {
    this.capacity = o.queueCapacity ?? 10_000;
    const registers = [o.registry];
    this.m = {
      datagrams: new Counter({ name: 'failsmall_collector_datagrams_total', help: 'Datagrams received, by format and exporter', labelNames: ['format', 'exporter'], registers }),
      records: new Counter({ name: 'failsmall_collector_records_total', help: 'Flow records decoded, by format and exporter', labelNames: ['format', 'exporter'], registers }),
      errors: new Counter({ name: 'failsmall_collector_decode_errors_total', help: 'Decode errors by code (datagrams or samples lost)', labelNames: ['format', 'exporter', 'code'], registers }),
      drops: new Counter({ name: 'failsmall_collector_queue_drops_total', help: 'Datagrams dropped because the decode queue was full', labelNames: ['format'], registers }),
      depth: new Gauge({ name: 'failsmall_collector_queue_depth', help: 'Datagrams waiting to be decoded', registers }),
    };
  }

  async start(): Promise<void> {
    for (const l of this.o.listeners) {
      // A large receive buffer absorbs bursts while the event loop decodes (the kernel caps it
      // at net.core.rmem_max; raise that on a busy collector).
      const sock = createSocket({ type: l.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: this.o.recvBufferBytes ?? 16 * 1024 * 1024 });
      sock.on('message', (buf, rinfo) => this.enqueue({ format: l.format, exporter: rinfo.address, buf, receivedMs: this.o.nowMs() }));
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(l.port, l.host, () => resolve());
      });
      this.ports.set(l.format, sock.address().port);
      this.sockets.push(sock);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.drain();
  }

  private enqueue(q: Queued): void {
    this.m.datagrams.inc({ format: q.format, exporter: q.exporter });
    if (this.queue.length >= this.capacity) {
      this.m.drops.inc({ format: q.format });
      return;
    }
    this.queue.push(q);
    this.m.depth.set(this.queue.length);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  /** Decode everything queued. Exposed for tests and shutdown. */
  drain(): void {
    this.draining = false;
    const batch = this.queue.splice(0, this.queue.length);
    this.m.depth.set(0);
    const out: FlowRecord[] = [];
    for (const q of batch) {
      const errors: DecodeError[] = [];
      let records: FlowRecord[] = [];
      if (q.format === 'sflow') {
        const r = decodeSflowDatagram(q.buf);
        if (r.ok) {
          errors.push(...r.value.errors);
          records = sflowToFlowRecords(r.value.datagram, q.receivedMs, errors);
        } else errors.push(r.error);
      } else {
        const r = decodeNetflow5(q.buf);
        if (r.ok) records = netflow5ToFlowRecords(r.value, q.exporter);
        else errors.push(r.error);
      }
      for (const e of errors) this.m.errors.inc({ format: q.format, exporter: q.exporter, code: e.code });
      if (records.length > 0) this.m.records.inc({ format: q.format, exporter: q.exporter }, records.length);
      out.push(...records);
    }
    if (out.length > 0) this.o.onRecords(out);
  }
}
