// Shapes the dashboard reads from the API (converted from domain types at the API boundary).
export interface Finding {
  code: string;
  severity: 'error' | 'warning';
  rule?: string;
  component?: string;
  message: string;
  devices?: string[];
  line?: number;
  column?: number;
}

export interface AttackView {
  id: string;
  destination: string;
  type: string;
  state: 'active' | 'ended';
  startMs: number;
  detectedMs: number;
  endMs?: number;
  peakPps: number;
  peakBps: number;
  pops: string[];
  /** [atMs, pps] samples for the rate graph */
  series: Array<[number, number]>;
  signature?: { id: string; summary: string; coverage: number; collateral: number };
  proposedRule?: { id: string; text: string; findings: Finding[] };
  rolloutId?: string;
}

export interface RouterHealth {
  routerId: string;
  up: boolean;
  cpu: number;
  memory: number;
  bgpEstablished: boolean;
  installedRuleIds: string[];
  crashes: number;
}

export interface PopView {
  id: string;
  region: string;
  status: 'ok' | 'degraded' | 'down';
  routersUp: number;
  routers: number;
  trafficFailing: number;
  httpErrorRate: number;
  load: number;
  installedRules: number;
  location?: { lat: number; lon: number };
  routerHealth: RouterHealth[];
}

export interface PopDetail extends PopView {
  installedRuleIds: string[];
  routerModels: Array<{ id: string; vendor: string; model: string; osVersion: string }>;
}

export interface WaveView {
  index: number;
  pops: string[];
  state: 'pending' | 'applying' | 'baking' | 'passed' | 'failed' | 'reverted';
  startedMs?: number;
  bakeMs: number;
}

export interface GateFailure {
  popId: string;
  gate: string;
  message: string;
}

export interface RolloutView {
  id: string;
  title: string;
  kind: string;
  state: string;
  author: string;
  approvedBy?: string;
  needsApproval: boolean;
  wide: boolean;
  createdMs: number;
  bakeMs: number;
  rollbackReason?: string;
  waves: WaveView[];
  gateFailures: GateFailure[];
}

export interface PlanView {
  id: string;
  title: string;
  scopePops: string[];
  waves: string[][];
  bakeMs: number;
  wide: boolean;
  gates: Array<{ kind: string }>;
}

export interface AuditView {
  id: number;
  atMs: number;
  actor: string;
  action: string;
  target: string;
  reason?: string;
}
