export type { AuditEntry, AuditBase, Expectation, Outcome } from './entry.js';
export { argsDigest, requestArgs } from './digest.js';
export { openLedger, fileIo, AuditLedgerError, type AuditLedger, type OpenedLedger, type LedgerIo, type LedgerFile } from './ledger.js';
export { audited, OutcomeUnknownError, NotSentError } from './audited.js';
export { LedgerHistory, type LedgerLine } from './history.js';
export { reconcilePending, readBack } from './reconcile.js';
export { shareShown, tagsShown, type ShareExpectation, type TagsExpectation } from './expectation.js';
