export { type AuditEntry, FailsmallStore, StoreError, type TokenRole } from './store.js';
