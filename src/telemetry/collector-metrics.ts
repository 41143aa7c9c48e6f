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
  /** Current queue depth, read when the registry is read. */
  readonly queueDepth?: () => number;
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
  /**
   * Hot-path counts per format and exporter, in plain numbers: prom-client hashes the labels on
   * every inc(), which costs more than decoding a NetFlow record. They move into the counters
   * when the registry is read (each counter's collect()), so a scrape always sees them.
   */
  private readonly pending = new Map<string, Map<string, { datagrams: number; bytes: number; records: number }>>();

  constructor(readonly registry: Registry, o: CollectorMetricsOptions = {}) {
    const registers = [registry];
    const N = COLLECTOR_METRIC_NAMES;
    const labelNames = ['format', 'exporter'] as const;
    this.maxExporters = o.maxExporters ?? 1024;
    const flush = (): void => this.flush();
    this.datagramsTotal = new Counter({ name: N.datagrams, help: 'Datagrams received, by format and exporter (before the queue)', labelNames, registers, collect: flush });
    this.bytesTotal = new Counter({ name: N.bytes, help: 'UDP payload bytes received, by format and exporter', labelNames, registers, collect: flush });
    this.recordsTotal = new Counter({ name: N.records, help: 'Flow records decoded, by format and exporter', labelNames, registers, collect: flush });
    this.errorsTotal = new Counter({ name: N.decodeErrors, help: 'Decode errors by code (datagrams, sets, samples or records lost)', labelNames: [...labelNames, 'code'], registers });
    this.missesTotal = new Counter({ name: N.templateMisses, help: 'NetFlow v9 / IPFIX data sets that arrived before their template', labelNames, registers });
    this.dropsTotal = new Counter({ name: N.queueDrops, help: 'Datagrams dropped because the decode queue was full', labelNames, registers });
    const depthNow = o.queueDepth;
    this.depth = new Gauge({
      name: N.queueDepth,
      help: 'Datagrams waiting to be decoded',
      registers,
      ...(depthNow ? { collect(this: Gauge) { this.set(depthNow()); } } : {}),
    });
  }

  /** The exporter label to use: the address itself while fewer than maxExporters were seen. */
  exporterLabel(exporter: string): string {
    if (this.exporters.has(exporter)) return exporter;
    if (this.exporters.size >= this.maxExporters) return OTHER_EXPORTER;
    this.exporters.add(exporter);
    return exporter;
  }

  private counts(format: string, exporter: string): { datagrams: number; bytes: number; records: number } {
    let byExporter = this.pending.get(format);
    if (!byExporter) this.pending.set(format, (byExporter = new Map()));
    const label = this.exporterLabel(exporter); // bounded: beyond maxExporters everything is "other"
    let c = byExporter.get(label);
    if (!c) byExporter.set(label, (c = { datagrams: 0, bytes: 0, records: 0 }));
    return c;
  }

  /** Move the hot-path counts into the Prometheus counters (called whenever the registry is read). */
  flush(): void {
    for (const [format, byExporter] of this.pending) {
      for (const [exporter, c] of byExporter) {
        const labels = { format, exporter };
        if (c.datagrams > 0) this.datagramsTotal.inc(labels, c.datagrams);
        if (c.bytes > 0) this.bytesTotal.inc(labels, c.bytes);
        if (c.records > 0) this.recordsTotal.inc(labels, c.records);
        c.datagrams = 0;
        c.bytes = 0;
        c.records = 0;
      }
    }
  }

  datagram(format: string, exporter: string, bytes: number): void {
    const c = this.counts(format, exporter);
    c.datagrams++;
    c.bytes += bytes;
  }

  records(format: string, exporter: string, n: number): void {
    if (n > 0) this.counts(format, exporter).records += n;
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
