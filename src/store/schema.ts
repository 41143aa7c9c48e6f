// Row types: the database shape, converted to domain types in the repositories.
import type { Generated } from 'kysely';

export interface RolloutsTable {
  id: string;
  kind: string;
  phase: string;
  author: string;
  title: string;
  state_json: string;
  created_ms: number;
  updated_ms: number;
}

export interface RolloutEventsTable {
  seq: Generated<number>;
  rollout_id: string;
  at_ms: number;
  event_json: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at_ms: number;
  actor: string;
  action: string;
  target: string;
  reason: string;
  diff_json: string;
}

export interface ApiTokensTable {
  token_hash: string;
  subject: string;
  role: string;
  created_ms: number;
  revoked_ms: number | null;
}

export interface AttacksTable {
  id: string;
  attack_json: string;
  updated_ms: number;
}

export interface ApprovalsTable {
  rollout_id: string;
  approver: string;
  at_ms: number;
  reason: string;
}

export interface ArtifactsTable {
  id: string;
  kind: string;
  author: string;
  reason: string;
  created_ms: number;
  artifact_json: string;
  findings_json: string;
}

export interface SignaturesTable {
  id: string;
  attack_id: string;
  signature_json: string;
  updated_ms: number;
}

export interface Database {
  rollouts: RolloutsTable;
  rollout_events: RolloutEventsTable;
  audit_log: AuditLogTable;
  api_tokens: ApiTokensTable;
  attacks: AttacksTable;
  approvals: ApprovalsTable;
  artifacts: ArtifactsTable;
  signatures: SignaturesTable;
}
