// Shapes the dashboard reads from the API (converted from domain types at the API boundary).
export interface Finding {
  code: string;
  severity: 'error' | 'warning';
  rule?: string;
  component?: string;
  message: string;
  devices?: string[];
}

export interface AttackView {
  id: string;
  destination: string;
  type: string;
  state: 'active' | 'ended';
  startMs: number;
  endMs?: number;
  peakPps: number;
  peakBps: number;
  pops: string[];
  /** [atMs, pps] samples for the rate graph */
  series: Array<[number, number]>;
  signature?: { id: string; summary: string; coverage: number; collateral: number };
  proposedRule?: { id: string; text: string; findings: Finding[] };
}

export interface PopView {
  id: string;
  region: string;
  status: 'ok' | 'degraded' | 'down' | 'canary';
  routersUp: number;
  routers: number;
  trafficFailing: number;
  load: number;
  installedRules: number;
  location?: { lat: number; lon: number };
}

export interface WaveView {
  index: number;
  pops: string[];
  state: 'pending' | 'applying' | 'baking' | 'passed' | 'failed' | 'reverted';
  startedMs?: number;
  bakeMs: number;
}

export interface RolloutView {
  id: string;
  title: string;
  state: string;
  author: string;
  approvedBy?: string;
  needsApproval: boolean;
  createdMs: number;
  waves: WaveView[];
  gateFailures: Array<{ popId: string; gate: string; message: string }>;
}

export interface AuditView {
  id: number;
  atMs: number;
  actor: string;
  action: string;
  target: string;
  reason?: string;
}
