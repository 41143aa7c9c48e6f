// Codes produced by src/store (operational failures, STYLE errors kind 3).
export const STORE_CODES = {
  store_stale_write: 'the rollout changed (another control-plane node wrote it) since it was read; nothing was recorded, read it again',
  store_migration_failed: 'a schema migration failed; the database was left at the last migration that succeeded',
  store_append_only: 'UPDATE or DELETE on an append-only table (audit_log, rollout_events, approvals) was refused by the database',
} as const;

export type StoreCode = keyof typeof STORE_CODES;
