// Prometheus counters of the UDP collector, per format and exporter: datagrams and bytes
// received, flow records decoded, decode errors by code, template misses, queue drops, and the
// queue depth. Exporter labels are bounded: exporters are UDP source addresses anyone can forge,
// so beyond `maxExporters` distinct ones the rest share the label "other".
import { Counter, Gauge, type Registry } from 'prom-client';

export const COLLECTOR_METRIC_NAMES = {
  datagrams: 'failsmall_collector_datagrams_total',
  bytes: 'failsmall_collector_bytes_total',
  records: 'failsmall_collector_records_total',
  decodeErrors: 'failsmall_collector_decode_errors_total',
  templateMisses: 'failsmall_collector_template_misses_total',
  queueDrops: 'failsmall_collector_queue_drops_total',
  queueDepth: 'failsmall_collector_queue_depth',
} as const;

export const OTHER_EXPORTER = 'other';

export interface CollectorMetricsOptions {
  readonly maxExporters?: number;
}

type Labels = 'format' | 'exporter';

export class CollectorMetrics {
  private readonly datagramsTotal: Counter<Labels>;
  private readonly bytesTotal: Counter<Labels>;
  private readonly recordsTotal: Counter<Labels>;
  private readonly errorsTotal: Counter<Labels | 'code'>;
  private readonly missesTotal: Counter<Labels>;
  private readonly dropsTotal: Counter<Labels>;
  private readonly depth: Gauge;
  private readonly exporters = new Set<string>();
  private readonly maxExporters: number;
  /** Bound label children per format|exporter: the hot path skips prom-client's label hashing. */
  private readonly bound = new Map<string, { datagrams: ReturnType<Counter<Labels>['labels']>; bytes: ReturnType<Counter<Labels>['labels']>; records: ReturnType<Counter<Labels>['labels']> }>();

  constructor(readonly registry: Registry, o: CollectorMetricsOptions = {}) {
    const registers = [registry];
    const N = COLLECTOR_METRIC_NAMES;
    const labelNames = ['format', 'exporter'] as const;
    this.maxExporters = o.maxExporters ?? 1024;
    this.datagramsTotal = new Counter({ name: N.datagrams, help: 'Datagrams received, by format and exporter (before the queue)', labelNames, registers });
    this.bytesTotal = new Counter({ name: N.bytes, help: 'UDP payload bytes received, by format and exporter', labelNames, registers });
    this.recordsTotal = new Counter({ name: N.records, help: 'Flow records decoded, by format and exporter', labelNames, registers });
    this.errorsTotal = new Counter({ name: N.decodeErrors, help: 'Decode errors by code (datagrams, sets, samples or records lost)', labelNames: [...labelNames, 'code'], registers });
    this.missesTotal = new Counter({ name: N.templateMisses, help: 'NetFlow v9 / IPFIX data sets that arrived before their template', labelNames, registers });
    this.dropsTotal = new Counter({ name: N.queueDrops, help: 'Datagrams dropped because the decode queue was full', labelNames, registers });
    this.depth = new Gauge({ name: N.queueDepth, help: 'Datagrams waiting to be decoded', registers });
  }

  /** The exporter label to use: the address itself while fewer than maxExporters were seen. */
  exporterLabel(exporter: string): string {
    if (this.exporters.has(exporter)) return exporter;
    if (this.exporters.size >= this.maxExporters) return OTHER_EXPORTER;
    this.exporters.add(exporter);
    return exporter;
  }

  private children(format: string, exporter: string) {
    const key = `${format}|${exporter}`;
    let c = this.bound.get(key);
    if (!c) {
      const labels = { format, exporter: this.exporterLabel(exporter) };
      c = { datagrams: this.datagramsTotal.labels(labels), bytes: this.bytesTotal.labels(labels), records: this.recordsTotal.labels(labels) };
      if (this.bound.size < this.maxExporters * 8) this.bound.set(key, c);
    }
    return c;
  }

  datagram(format: string, exporter: string, bytes: number): void {
    const c = this.children(format, exporter);
    c.datagrams.inc();
    c.bytes.inc(bytes);
  }

  records(format: string, exporter: string, n: number): void {
    if (n > 0) this.children(format, exporter).records.inc(n);
  }

  decodeError(format: string, exporter: string, code: string, n = 1): void {
    if (n > 0) this.errorsTotal.inc({ format, exporter: this.exporterLabel(exporter), code }, n);
  }

  templateMisses(format: string, exporter: string, n = 1): void {
    if (n > 0) this.missesTotal.inc({ format, exporter: this.exporterLabel(exporter) }, n);
  }

  queueDrop(format: string, exporter: string): void {
    this.dropsTotal.inc({ format, exporter: this.exporterLabel(exporter) });
  }

  queueDepth(n: number): void {
    this.depth.set(n);
  }
}
