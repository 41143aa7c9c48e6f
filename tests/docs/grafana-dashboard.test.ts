// Every metric the Grafana dashboard queries is one the control plane actually exports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from '../../src/control-plane/metrics.js';
import { UdpCollector } from '../../src/telemetry/index.js';

describe('grafana/failsmall-dashboard.json', () => {
  it('queries only metric names that serve/demo or collect export', async () => {
    const dash = JSON.parse(readFileSync(new URL('../../grafana/failsmall-dashboard.json', import.meta.url), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const collectorRegistry = new Registry();
    new UdpCollector({ listeners: [], registry: collectorRegistry, nowMs: () => 0, onRecords: () => {} });
    const exported = new Set([...(await createMetrics().registry.getMetricsAsJSON()), ...(await collectorRegistry.getMetricsAsJSON())].map((m) => m.name));
    const used = dash.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/failsmall_[a-z_]+/g)].map((m) => m[0])));
    expect(used.length).toBeGreaterThan(8);
    expect(used.filter((n) => !exported.has(n))).toEqual([]);
  });
});
