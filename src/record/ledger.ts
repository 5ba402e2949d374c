import type { Pool, PoolClient } from 'pg';
import { toLine, type AuditEntry } from '../audit/entry.js';
import { LedgerHistory, type PendingChange } from '../audit/history.js';
import { AuditLedgerError, type OpenedLedger } from '../audit/ledger.js';

/** Held (per transaction) by every append: rows commit in the order of their ids, so a reader never skips one. */
const APPEND_LOCK = 0x53574153_02;
/** First key of each replica's presence lock (the second is the hash of its id). */
const PRESENCE_LOCK = 0x5357_4153;

const why = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The history of a shared ledger: as the file's, plus the intents whose replica is gone (killed
 * between intent and outcome). Those cannot still be in flight, so they are pending at once rather
 * than after the in-flight margin.
 */
class SharedHistory extends LedgerHistory {
  /** `action\nclientToken` of unanswered intents written by a replica that no longer runs. */
  orphaned = new Set<string>();

  override pending(silentAfter: number, resourceIds?: readonly string[]): PendingChange[] {
    const out = super.pending(silentAfter, resourceIds);
    const seen = new Set(out.map((p) => `${p.intent.action}\n${p.intent.clientToken}`));
    for (const p of super.pending(Number.POSITIVE_INFINITY, resourceIds)) {
      const key = `${p.intent.action}\n${p.intent.clientToken}`;
      if (p.silent && this.orphaned.has(key) && !seen.has(key)) out.push(p);
    }
    return out;
  }
}

/**
 * The audit ledger in PostgreSQL: one row per line, the cleaned line as written to a file (`line`,
 * exported verbatim) and as JSONB (`entry`), with typed columns for the indexes (time, resources,
 * user). Appends commit before they resolve (the intent is durable before the request is sent);
 * the table refuses UPDATE, DELETE and TRUNCATE (trigger). Every replica reads every row.
 */
export class PgLedger implements OpenedLedger {
  readonly path = null;
  private readonly known = new SharedHistory();
  private lastId = 0;
  /** Unanswered intents of other replicas: key → replica. */
  private readonly openIntents = new Map<string, string>();
  private readonly deadReplicas = new Set<string>();
  private reading: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly pool: Pool, readonly replica: string) {}

  async append(e: AuditEntry): Promise<void> {
    if (this.closed) throw new AuditLedgerError('The audit ledger (PostgreSQL) is closed.');
    const line = toLine(e);
    const clean = JSON.parse(line) as AuditEntry & { requestedBy?: { subject?: string } };
    let client: PoolClient | undefined;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      if (clean.outcome === 'reconciled' && clean.clientToken !== undefined && await alreadyReconciled(client, clean.action, clean.clientToken)) {
        // Another replica read this change back first: one reconciled line per intent.
        await client.query('ROLLBACK');
        return;
      }
      await client.query(
        `INSERT INTO swas_ledger (time, phase, tool, action, region_id, resource_ids, client_token, outcome, requested_by, simulated, replica, line, entry)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [clean.time, clean.phase, clean.tool, clean.action, clean.regionId, clean.resourceIds, clean.clientToken ?? null,
          clean.outcome ?? null, clean.requestedBy?.subject ?? null, clean.simulated === true, this.replica, line.trimEnd(), line.trimEnd()],
      );
      await client.query('COMMIT');
    } catch (err) {
      await client?.query('ROLLBACK').catch(() => undefined);
      throw new AuditLedgerError(`Cannot write the audit ledger (PostgreSQL): ${why(err)}.`);
    } finally {
      client?.release();
    }
  }

  history(): Promise<LedgerHistory | undefined> {
    const run = this.reading.then(() => this.readNewRows());
    this.reading = run.catch(() => undefined);
    return run.then(() => this.known);
  }

  /** Feeds the history the rows committed since the last read, then notes which unanswered intents lost their replica. */
  private async readNewRows(): Promise<void> {
    for (;;) {
      const { rows } = await this.pool.query<{ id: string; line: string; phase: string; action: string; client_token: string | null; replica: string }>(
        'SELECT id, line, phase, action, client_token, replica FROM swas_ledger WHERE id > $1 ORDER BY id LIMIT 5000', [this.lastId],
      );
      if (rows.length === 0) break;
      this.known.add(rows.map((r) => r.line));
      for (const r of rows) {
        if (r.client_token === null) continue;
        const key = `${r.action}\n${r.client_token}`;
        if (r.phase === 'intent' && r.replica !== this.replica) this.openIntents.set(key, r.replica);
        else this.openIntents.delete(key);
      }
      this.lastId = Number(rows[rows.length - 1]!.id);
    }
    const replicas = new Set(this.openIntents.values());
    for (const r of replicas) if (!this.deadReplicas.has(r) && !(await replicaAlive(this.pool, r))) this.deadReplicas.add(r);
    this.known.orphaned = new Set([...this.openIntents].filter(([, r]) => this.deadReplicas.has(r)).map(([k]) => k));
  }

  async reopen(): Promise<void> { /* nothing to reopen: a database has no rotated file */ }

  async close(): Promise<void> {
    this.closed = true;
    await this.reading;
  }
}

/**
 * Whether the last row of this request is already a `reconciled` outcome. (A `reconciled` line
 * right after an `ok` one is the write flow's "the API took it as a repeat": that one is kept.)
 */
async function alreadyReconciled(client: PoolClient, action: string, clientToken: string): Promise<boolean> {
  const { rows } = await client.query<{ outcome: string | null }>(
    'SELECT outcome FROM swas_ledger WHERE action = $1 AND client_token = $2 ORDER BY id DESC LIMIT 1', [action, clientToken],
  );
  return rows[0]?.outcome === 'reconciled';
}

/**
 * A replica holds its presence lock on a session of its own for as long as it runs; PostgreSQL
 * drops it when the process dies (its connection closes). Taking the lock here means it is gone.
 */
async function replicaAlive(pool: Pool, replica: string): Promise<boolean> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS got', [PRESENCE_LOCK, replica]);
    if (rows[0]?.got) await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [PRESENCE_LOCK, replica]);
    return rows[0]?.got !== true;
  } finally {
    client.release();
  }
}

/** Takes this replica's presence lock on a connection kept for it; releasing the client ends it. */
export async function holdPresence(pool: Pool, replica: string): Promise<PoolClient> {
  const client = await pool.connect();
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [PRESENCE_LOCK, replica]);
  return client;
}

/** Writes every line of the ledger, oldest first, exactly as the file ledger would hold them. */
export async function exportLedger(pool: Pool, write: (line: string) => Promise<void> | void, opts: { since?: Date } = {}): Promise<number> {
  let lastId = 0;
  let n = 0;
  for (;;) {
    const { rows } = await pool.query<{ id: string; line: string }>(
      'SELECT id, line FROM swas_ledger WHERE id > $1 AND ($2::timestamptz IS NULL OR time >= $2) ORDER BY id LIMIT 1000',
      [lastId, opts.since ?? null],
    );
    if (rows.length === 0) return n;
    for (const r of rows) await write(`${r.line}\n`);
    n += rows.length;
    lastId = Number(rows[rows.length - 1]!.id);
  }
}
