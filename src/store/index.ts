export { STORE_CODES, type StoreCode } from './codes.js';
export {
  type Approval,
  type AuditEntry,
  type AuditInput,
  FailsmallStore,
  type RolloutWrite,
  StoreError,
  type StoredArtifact,
  type StoredSignature,
  type TokenRecord,
  type TokenRole,
} from './store.js';
