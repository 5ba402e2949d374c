import { createHash, randomBytes } from '../node-crypto.js';
import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { APPROVAL_TTL_MS, type Approval, type ApprovalStatus, type ApprovalStore, type ConsentRecord, type Requester, type SecretGrant } from '../consent/approvals.js';
import type { Plan } from '../consent/plan.js';

const CHANNEL = 'swas_approval_decided';
const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

interface Row {
  id: string; tool: string; digest: string; plan: Plan; created_at: string; expires_at: string;
  status: ApprovalStatus; offered: boolean; decided_by: ConsentRecord | null; requested_by: Requester | null; in_app: boolean;
}

const COLUMNS = 'id, tool, digest, plan, created_at, expires_at, status, offered, decided_by, requested_by, in_app';

function approvalOf(r: Row): Approval {
  return {
    id: r.id, tool: r.tool, digest: r.digest, plan: r.plan, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
    status: r.status, offered: r.offered, ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.in_app ? { inApp: true } : {}), ...(r.requested_by ? { requestedBy: r.requested_by } : {}),
  };
}

/**
 * Approvals in PostgreSQL, shared by every replica: the page's POST and the call's retry may reach
 * different ones. Each method is one statement; `consume` is one `UPDATE … WHERE status =
 * 'approved' RETURNING`, so of two replicas consuming one approval exactly one gets it. A decision
 * is announced with NOTIFY; waiters LISTEN on one connection of this store.
 */
export class PgApprovalStore implements ApprovalStore {
  private readonly decided = new EventEmitter();
  private listener: Promise<PoolClient> | undefined;
  private lastPrune = 0;

  constructor(private readonly pool: Pool, private readonly ttlMs: number = APPROVAL_TTL_MS) {
    this.decided.setMaxListeners(0);
  }

  async create(input: { tool: string; digest: string; plan: Plan; now: number; requestedBy?: Requester }): Promise<Approval> {
    await this.prune(input.now);
    const id = `apv-${randomBytes(12).toString('base64url')}`;
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO swas_approvals (id, tool, digest, plan, created_at, expires_at, status, requested_by) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING ${COLUMNS}`,
      [id, input.tool, input.digest, JSON.stringify(input.plan), input.now, input.now + this.ttlMs,
        input.requestedBy ? JSON.stringify({ subject: input.requestedBy.subject, ...(input.requestedBy.clientId ? { clientId: input.requestedBy.clientId } : {}) }) : null],
    );
    return approvalOf(rows[0]!);
  }

  async get(id: string, now: number): Promise<Approval | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM swas_approvals WHERE id = $1 AND expires_at > $2`, [id, now]);
    return rows[0] ? approvalOf(rows[0]) : undefined;
  }

  async addSecret(id: string, needsPasskey: boolean): Promise<string> {
    const secret = randomBytes(24).toString('base64url');
    await this.pool.query(
      `WITH a AS (UPDATE swas_approvals SET offered = true WHERE id = $2 RETURNING id)
       INSERT INTO swas_approval_secrets (hash, approval_id, needs_passkey) SELECT $1, id, $3 FROM a`,
      [hashOf(secret), id, needsPasskey],
    );
    return secret;
  }

  async showInApp(id: string): Promise<void> {
    await this.pool.query('UPDATE swas_approvals SET offered = true, in_app = true WHERE id = $1', [id]);
  }

  async bySecret(secret: string, now: number): Promise<SecretGrant | undefined> {
    const { rows } = await this.pool.query<Row & { needs_passkey: boolean }>(
      `SELECT ${COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')}, s.needs_passkey FROM swas_approval_secrets s JOIN swas_approvals a ON a.id = s.approval_id
       WHERE s.hash = $1 AND a.expires_at > $2`,
      [hashOf(secret), now],
    );
    return rows[0] ? { approval: approvalOf(rows[0]), needsPasskey: rows[0].needs_passkey } : undefined;
  }

  async decide(id: string, verdict: 'approved' | 'declined', by: ConsentRecord, now: number): Promise<boolean> {
    const { rows } = await this.pool.query<{ id: string }>(
      `WITH d AS (UPDATE swas_approvals SET status = $2, decided_by = $3 WHERE id = $1 AND status = 'pending' AND expires_at > $4 RETURNING id)
       SELECT id, pg_notify('${CHANNEL}', id) FROM d`,
      [id, verdict, JSON.stringify(by), now],
    );
    return rows.length === 1;
  }

  async consume(id: string, digest: string, now: number): Promise<Approval | undefined> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE swas_approvals SET status = 'used' WHERE id = $1 AND digest = $2 AND status = 'approved' AND expires_at > $3 RETURNING ${COLUMNS}`,
      [id, digest, now],
    );
    return rows[0] ? approvalOf(rows[0]) : undefined;
  }

  async findByDigest(digest: string, now: number): Promise<Approval | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM swas_approvals WHERE digest = $1 AND status IN ('pending', 'approved') AND expires_at > $2 ORDER BY created_at DESC, id DESC LIMIT 1`,
      [digest, now],
    );
    return rows[0] ? approvalOf(rows[0]) : undefined;
  }

  async waitForDecision(id: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await this.listen();
    let done!: () => void;
    const decided = new Promise<void>((resolve) => { done = resolve; });
    const timer = setTimeout(done, timeoutMs);
    this.decided.on(id, done);
    signal.addEventListener('abort', done, { once: true });
    try {
      // Read after listening: a decision made in between is either seen here or notified.
      const { rows } = await this.pool.query<{ status: string }>('SELECT status FROM swas_approvals WHERE id = $1', [id]);
      if (rows[0]?.status === 'pending') await decided;
    } finally {
      clearTimeout(timer);
      this.decided.off(id, done);
      signal.removeEventListener('abort', done);
    }
  }

  async pendingCount(now: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM swas_approvals WHERE status = 'pending' AND expires_at > $1`, [now]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Stops listening (the pool itself is closed by its owner). */
  async close(): Promise<void> {
    const l = this.listener;
    this.listener = undefined;
    if (l) (await l.catch(() => undefined))?.release(true);
  }

  private listen(): Promise<PoolClient> {
    this.listener ??= (async () => {
      const client = await this.pool.connect();
      client.on('notification', (n) => { if (n.channel === CHANNEL && n.payload) this.decided.emit(n.payload); });
      // A lost connection is listened for again by the next waiter; those waiting now fall back on their timeout.
      client.on('error', () => { this.listener = undefined; client.release(true); });
      await client.query(`LISTEN ${CHANNEL}`);
      return client;
    })();
    const current = this.listener;
    current.catch(() => { if (this.listener === current) this.listener = undefined; });
    return current;
  }

  /** Expired approvals are removed now and then (they are not the ledger: the ledger keeps the decision). */
  private async prune(now: number): Promise<void> {
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    await this.pool.query('DELETE FROM swas_approvals WHERE expires_at <= $1', [now]);
    await this.pool.query('DELETE FROM swas_used_tokens WHERE expires_at <= $1', [now]);
  }
}

/**
 * The consent tokens already used for a change, shared by every replica: a ConfirmToken (or a
 * form's signed state) is used once across all of them. Kept as hashes until they expire.
 */
export class PgUsedTokens {
  constructor(private readonly pool: Pool) {}

  /** True the first time a token is claimed (on any replica); false ever after, until it expires. */
  async claim(token: string, expiresAt: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      'INSERT INTO swas_used_tokens (hash, expires_at) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING RETURNING hash',
      [hashOf(token), expiresAt],
    );
    return rows.length === 1;
  }
}
