// Prometheus metrics for the control plane, on one Registry passed around (never the global).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface ControlPlaneMetrics {
  readonly registry: Registry;
  readonly rollouts: Gauge<'phase'>;
  readonly gateEvaluations: Counter<'gate'>;
  readonly gateFailures: Counter<'gate'>;
  readonly rollbacks: Counter<'cause'>;
  readonly killSwitches: Counter<'kind'>;
  readonly attacksActive: Gauge;
  readonly attacksStarted: Counter<'type'>;
  readonly detectorRecords: Counter;
  readonly popUp: Gauge<'pop'>;
  readonly trafficFailing: Gauge;
  readonly validations: Counter<'outcome'>;
  readonly bgpSessions: Gauge<'state'>;
}

export function createMetrics(): ControlPlaneMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'failsmall_process_' });
  const r = { registers: [registry] };
  return {
    registry,
    rollouts: new Gauge({ name: 'failsmall_rollouts', help: 'Rollouts by phase', labelNames: ['phase'], ...r }),
    gateEvaluations: new Counter({ name: 'failsmall_gate_evaluations_total', help: 'Health gate checks, by gate (one per gate per PoP a live rollout holds, per tick)', labelNames: ['gate'], ...r }),
    gateFailures: new Counter({ name: 'failsmall_gate_failures_total', help: 'Health gate failures by gate', labelNames: ['gate'], ...r }),
    rollbacks: new Counter({ name: 'failsmall_rollbacks_total', help: 'Rollbacks by cause (gate, manual, killswitch)', labelNames: ['cause'], ...r }),
    killSwitches: new Counter({ name: 'failsmall_killswitch_total', help: 'Kill switch activations by artifact kind', labelNames: ['kind'], ...r }),
    attacksActive: new Gauge({ name: 'failsmall_attacks_active', help: 'Attacks currently active', ...r }),
    attacksStarted: new Counter({ name: 'failsmall_attacks_started_total', help: 'Attacks detected, by type', labelNames: ['type'], ...r }),
    detectorRecords: new Counter({ name: 'failsmall_detector_records_total', help: 'Flow records fed to the detector', ...r }),
    popUp: new Gauge({ name: 'failsmall_pop_up', help: '1 when the PoP has at least one router up', labelNames: ['pop'], ...r }),
    trafficFailing: new Gauge({ name: 'failsmall_traffic_failing_share', help: 'Share of offered traffic failing network-wide (simulated fleet)', ...r }),
    validations: new Counter({ name: 'failsmall_validations_total', help: 'Rule validations by outcome', labelNames: ['outcome'], ...r }),
    bgpSessions: new Gauge({ name: 'failsmall_bgp_sessions', help: 'Flowspec BGP sessions to the fleet routers by state (established, down)', labelNames: ['state'], ...r }),
  };
}
