// Health gates: checks on device and service signals that must hold at every PoP a rollout has
// reached, for the rollout to continue. Pure.
import type { Artifact, PopHealth } from '../fleet/enforcement.js';

export type HealthGate =
  | { readonly kind: 'router-up' }
  | { readonly kind: 'no-crash' }
  | { readonly kind: 'bgp-established' }
  | { readonly kind: 'memory-below'; readonly max: number }
  | { readonly kind: 'cpu-below'; readonly max: number }
  | { readonly kind: 'rules-installed' }
  | { readonly kind: 'http-error-rate-below'; readonly max: number }
  | { readonly kind: 'traffic-failing-below'; readonly max: number }
  | { readonly kind: 'dropped-vs-expected-within'; readonly min: number; readonly max: number };

export const DEFAULT_GATES: readonly HealthGate[] = [
  { kind: 'router-up' },
  { kind: 'no-crash' },
  { kind: 'bgp-established' },
  { kind: 'memory-below', max: 0.85 },
  { kind: 'cpu-below', max: 0.9 },
  { kind: 'rules-installed' },
  { kind: 'http-error-rate-below', max: 0.01 },
  { kind: 'traffic-failing-below', max: 0.01 },
  { kind: 'dropped-vs-expected-within', min: 0.5, max: 2 },
];

export interface GateFailure {
  readonly popId: string;
  /** The gate that failed, or `applied` when the enforcement target refused the change. */
  readonly gate: HealthGate['kind'] | 'applied';
  readonly message: string;
}

/**
 * Evaluate gates against a PoP's health. `baselineCrashes` is each router's crash count when
 * the rollout reached the PoP, so an old crash does not fail a new change.
 */
export function evaluateGates(gates: readonly HealthGate[], health: PopHealth, artifact: Artifact, baselineCrashes: Readonly<Record<string, number>> = {}): GateFailure[] {
  const out: GateFailure[] = [];
  const fail = (gate: HealthGate['kind'], message: string): void => {
    out.push({ popId: health.popId, gate, message });
  };
  const expectedRules = artifact.kind === 'flowspec' ? artifact.add.map((r) => r.id) : [];
  const withdrawnRules = artifact.kind === 'flowspec' ? artifact.withdraw.filter((id) => !expectedRules.includes(id)) : [];
  for (const g of gates) {
    switch (g.kind) {
      case 'router-up':
        for (const r of health.routers) if (!r.up) fail(g.kind, `router ${r.routerId} is down`);
        break;
      case 'no-crash':
        for (const r of health.routers) if (r.crashes > (baselineCrashes[r.routerId] ?? 0)) fail(g.kind, `router ${r.routerId} crashed ${r.crashes - (baselineCrashes[r.routerId] ?? 0)} time(s) since the change arrived`);
        break;
      case 'bgp-established':
        for (const r of health.routers) if (r.up && !r.bgpEstablished) fail(g.kind, `router ${r.routerId} has no established BGP session`);
        break;
      case 'memory-below':
        for (const r of health.routers) if (r.up && r.memory >= g.max) fail(g.kind, `router ${r.routerId} memory ${(r.memory * 100).toFixed(0)}% >= ${(g.max * 100).toFixed(0)}%`);
        break;
      case 'cpu-below':
        for (const r of health.routers) if (r.up && r.cpu >= g.max) fail(g.kind, `router ${r.routerId} CPU ${(r.cpu * 100).toFixed(0)}% >= ${(g.max * 100).toFixed(0)}%`);
        break;
      case 'rules-installed':
        for (const r of health.routers) {
          if (!r.up) continue;
          const missing = expectedRules.filter((id) => !r.installedRuleIds.includes(id));
          if (missing.length > 0) fail(g.kind, `router ${r.routerId} has not confirmed ${missing.join(', ')}`);
          const lingering = withdrawnRules.filter((id) => r.installedRuleIds.includes(id));
          if (lingering.length > 0) fail(g.kind, `router ${r.routerId} still holds withdrawn ${lingering.join(', ')}`);
        }
        break;
      case 'http-error-rate-below':
        if (health.httpErrorRate >= g.max) fail(g.kind, `HTTP error rate ${(health.httpErrorRate * 100).toFixed(1)}% >= ${(g.max * 100).toFixed(1)}%`);
        break;
      case 'traffic-failing-below':
        if (health.trafficFailing >= g.max) fail(g.kind, `${(health.trafficFailing * 100).toFixed(1)}% of traffic failing >= ${(g.max * 100).toFixed(1)}%`);
        break;
      case 'dropped-vs-expected-within':
        if (health.droppedVsExpected !== undefined && (health.droppedVsExpected < g.min || health.droppedVsExpected > g.max)) {
          fail(g.kind, `dropped/expected ${health.droppedVsExpected.toFixed(2)} outside [${g.min}, ${g.max}]`);
        }
        break;
    }
  }
  return out;
}
