import type { Pool } from 'pg';

/**
 * The shared record's schema, one step per version. A step never changes once released: a later
 * change is a new step. Each runs in its own transaction with its version row.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE swas_ledger (
  id bigserial PRIMARY KEY,
  time timestamptz NOT NULL,
  phase text NOT NULL CHECK (phase IN ('intent', 'outcome')),
  tool text NOT NULL,
  action text NOT NULL,
  region_id text NOT NULL,
  resource_ids text[] NOT NULL,
  client_token text,
  outcome text,
  requested_by text,
  simulated boolean NOT NULL,
  replica text NOT NULL,
  line text NOT NULL,
  entry jsonb NOT NULL
);
CREATE INDEX swas_ledger_time ON swas_ledger (time);
CREATE INDEX swas_ledger_resources ON swas_ledger USING gin (resource_ids);
CREATE INDEX swas_ledger_user ON swas_ledger (requested_by, time);
CREATE INDEX swas_ledger_request ON swas_ledger (action, client_token, id);
CREATE FUNCTION swas_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'swas_ledger is append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER swas_ledger_no_change BEFORE UPDATE OR DELETE ON swas_ledger FOR EACH ROW EXECUTE FUNCTION swas_ledger_append_only();
CREATE TRIGGER swas_ledger_no_truncate BEFORE TRUNCATE ON swas_ledger FOR EACH STATEMENT EXECUTE FUNCTION swas_ledger_append_only();

CREATE TABLE swas_approvals (
  id text PRIMARY KEY,
  tool text NOT NULL,
  digest text NOT NULL,
  plan jsonb NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'used')),
  offered boolean NOT NULL DEFAULT false,
  decided_by jsonb
);
CREATE INDEX swas_approvals_digest ON swas_approvals (digest, created_at);
CREATE INDEX swas_approvals_expiry ON swas_approvals (expires_at);
CREATE TABLE swas_approval_secrets (
  hash text PRIMARY KEY,
  approval_id text NOT NULL REFERENCES swas_approvals (id) ON DELETE CASCADE,
  needs_passkey boolean NOT NULL
);
CREATE INDEX swas_approval_secrets_approval ON swas_approval_secrets (approval_id);

CREATE TABLE swas_used_tokens (
  hash text PRIMARY KEY,
  expires_at bigint NOT NULL
);
`,
  },
  {
    // Approvals remember who asked (nobody approves their own request when that is required) and
    // whether they were shown in a host's plan view (only those may be decided from one).
    version: 2,
    sql: `
ALTER TABLE swas_approvals ADD COLUMN requested_by jsonb;
ALTER TABLE swas_approvals ADD COLUMN in_app boolean NOT NULL DEFAULT false;
`,
  },
];

/** Any constant both sides agree on: the lock every replica takes around its migrations. */
const MIGRATION_LOCK = 0x53574153_01;

/**
 * Brings the schema up to the newest version. Replicas starting together queue on one advisory
 * lock, so exactly one applies each step and the others find it done; running it again changes
 * nothing. Returns the versions this call applied.
 */
export async function migrate(pool: Pool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS swas_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM swas_schema_version');
      const current = rows[0]?.v ?? 0;
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO swas_schema_version (version) VALUES ($1)', [m.version]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        applied.push(m.version);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  return applied;
}

/** The newest version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
