// Every metric the Grafana dashboard queries is one the control plane actually exports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/control-plane/metrics.js';

describe('grafana/failsmall-dashboard.json', () => {
  it('queries only exported metric names', async () => {
    const dash = JSON.parse(readFileSync(new URL('../../grafana/failsmall-dashboard.json', import.meta.url), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const used = dash.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/failsmall_[a-z_]+/g)].map((m) => m[0])));
    expect(used.length).toBeGreaterThan(8);
    expect(used.filter((n) => !exported.has(n))).toEqual([]);
  });
});
