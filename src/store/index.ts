export { type Approval, type AuditEntry, FailsmallStore, StoreError, type TokenRole } from './store.js';
