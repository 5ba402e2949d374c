import { randomUUID } from '../node-crypto.js';
import type { Logger } from 'pino';
import type { Pool, PoolClient } from 'pg';
import { redactUrl } from '../config.js';
import { PgApprovalStore, PgUsedTokens } from './approvals.js';
import { holdPresence, PgLedger } from './ledger.js';
import { migrate, SCHEMA_VERSION } from './migrate.js';

export { PgLedger, exportLedger } from './ledger.js';
export { PgApprovalStore, PgUsedTokens } from './approvals.js';
export { migrate, MIGRATIONS, SCHEMA_VERSION } from './migrate.js';

/** Serialises the start-up reconciliation of replicas starting together (the ledger's append guard is the last word). */
const RECONCILE_LOCK = 0x53574153_03;

/** The record every replica shares: ledger, approvals and used consent tokens, in one PostgreSQL database. */
export interface SharedRecord {
  pool: Pool;
  replica: string;
  ledger: PgLedger;
  approvals: PgApprovalStore;
  usedTokens: PgUsedTokens;
  /** Runs `work` while no other replica runs its own start-up reconciliation. */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Connects (`pg` is loaded only here), brings the schema up to date, and marks this replica present. */
export async function openSharedRecord(url: string, log: Logger): Promise<SharedRecord> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000, application_name: 'swas-image-mcp' });
  // An idle connection the server drops is replaced by the next query; never a crash.
  pool.on('error', (err) => log.warn({ err: err.message }, 'PostgreSQL connection lost'));
  let presence: PoolClient | undefined;
  try {
    const applied = await migrate(pool);
    const replica = randomUUID();
    presence = await holdPresence(pool, replica);
    presence.on('error', (err) => log.error({ err: err.message }, 'PostgreSQL presence connection lost: other replicas may take this one for gone'));
    log.info({ database: redactUrl(url), schemaVersion: SCHEMA_VERSION, ...(applied.length ? { migrated: applied } : {}), replica }, 'shared record: PostgreSQL');
    const ledger = new PgLedger(pool, replica);
    const approvals = new PgApprovalStore(pool);
    const held = presence;
    return {
      pool, replica, ledger, approvals, usedTokens: new PgUsedTokens(pool),
      exclusively: async (work) => {
        const client = await pool.connect();
        try {
          await client.query('SELECT pg_advisory_lock($1)', [RECONCILE_LOCK]);
          try { return await work(); } finally { await client.query('SELECT pg_advisory_unlock($1)', [RECONCILE_LOCK]).catch(() => undefined); }
        } finally {
          client.release();
        }
      },
      close: async () => {
        await ledger.close();
        await approvals.close();
        held.release();
        await pool.end();
      },
    };
  } catch (err) {
    presence?.release();
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot open the shared record at ${redactUrl(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
