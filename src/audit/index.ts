export type { AuditEntry, AuditBase } from './entry.js';
export { argsDigest } from './digest.js';
export { openLedger, AuditLedgerError, type AuditLedger, type OpenedLedger } from './ledger.js';
export { audited } from './audited.js';
