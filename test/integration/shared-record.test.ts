// The shared record against a real PostgreSQL (Debian's, started on a temporary data directory):
// migrations, the append-only ledger and its export, the approval store and the used-token set, as
// several replicas (pools) see them.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openLedger, type AuditEntry } from '../../src/audit/index.js';
import type { Plan } from '../../src/consent/plan.js';
import { exportLedger, migrate, MIGRATIONS, PgApprovalStore, PgLedger, PgUsedTokens } from '../../src/record/index.js';
import { holdPresence } from '../../src/record/ledger.js';
import { findPostgres, POSTGRES_MISSING, startPostgres, type Postgres } from '../helpers/postgres.js';
import { newLedgerPath } from '../helpers/stack.js';

const have = findPostgres() !== undefined;
if (!have && process.env.CI) throw new Error(`${POSTGRES_MISSING} (under CI npm test should have installed it)`);
if (!have) process.stderr.write(`${POSTGRES_MISSING}\n`);

const PLAN: Plan = { Summary: 'Delete one image.', Steps: ['Delete it.'], Irreversible: ['the image'], Warnings: [], Details: [] };
const T0 = Date.parse('2026-12-02T05:00:00Z');

function entry(over: Partial<AuditEntry>): AuditEntry {
  return {
    time: new Date(T0).toISOString(), tool: 'delete_custom_images', action: 'DeleteCustomImages', phase: 'intent', regionId: 'cn-hangzhou',
    resourceIds: ['m-1'], clientToken: 'tok-1', argsDigest: 'a'.repeat(64), simulated: false, ...over,
  };
}

describe.skipIf(!have)('shared record in PostgreSQL', () => {
  let server: Postgres;
  const pools: pg.Pool[] = [];
  const pool = () => { const p = new pg.Pool({ connectionString: server.url, max: 5 }); pools.push(p); return p; };

  beforeAll(async () => { server = await startPostgres(); }, 60_000);
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    await server?.stop();
  });

  it('three replicas migrating at once leave one schema: one applies each step, the others find it done; again changes nothing', async () => {
    const [a, b, c] = [pool(), pool(), pool()];
    const applied = await Promise.all([migrate(a), migrate(b), migrate(c)]);
    const versions = MIGRATIONS.map((m) => m.version);
    expect(applied.flat().sort()).toEqual(versions);
    expect(applied.filter((v) => v.length > 0)).toHaveLength(1);
    expect(await migrate(a)).toEqual([]);
    const { rows } = await a.query<{ version: number }>('SELECT version FROM swas_schema_version ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(versions);
    const tables = await a.query<{ n: string }>("SELECT count(*) AS n FROM pg_tables WHERE tablename LIKE 'swas_%'");
    expect(Number(tables.rows[0]!.n)).toBe(5);
  });

  it('the ledger is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    const p = pool();
    await new PgLedger(p, 'r-append').append(entry({ clientToken: 'tok-append' }));
    await expect(p.query("UPDATE swas_ledger SET tool = 'x'")).rejects.toThrow(/append-only/);
    await expect(p.query('DELETE FROM swas_ledger')).rejects.toThrow(/append-only/);
    await expect(p.query('TRUNCATE swas_ledger')).rejects.toThrow(/append-only/);
  });

  it('rows carry typed columns (time, resources, user) and export gives exactly the file ledger\'s lines', async () => {
    const p = pool();
    const since = new Date(T0 + 3_600_000);
    const ledger = new PgLedger(p, 'r-export');
    const file = await openLedger(newLedgerPath());
    const lines: AuditEntry[] = [
      entry({ time: since.toISOString(), clientToken: 'tok-x', requestedBy: { subject: 'alice', clientId: 'agent' }, consent: { channel: 'form' } }),
      entry({ time: new Date(T0 + 3_600_001).toISOString(), clientToken: 'tok-x', phase: 'outcome', ok: true, outcome: 'ok', requestId: 'req-1', requestedBy: { subject: 'alice' } }),
      // What the cleaning drops never reaches either: a stray field and control characters.
      { ...entry({ time: new Date(T0 + 3_600_002).toISOString(), clientToken: 'tok-y\u0007', resourceIds: ['m-2', 'm-3'] }), secret: 'hunter2' } as AuditEntry,
    ];
    for (const e of lines) { await ledger.append(e); await file.append(e); }
    const exported: string[] = [];
    expect(await exportLedger(p, (l) => { exported.push(l); }, { since })).toBe(3);
    expect(exported.join('')).toBe(readFileSync(file.path!, 'utf8'));
    expect(exported.join('')).not.toContain('hunter2');
    const byUser = await p.query<{ n: string }>("SELECT count(*) AS n FROM swas_ledger WHERE requested_by = 'alice'");
    expect(Number(byUser.rows[0]!.n)).toBe(2);
    const byResource = await p.query<{ client_token: string }>("SELECT client_token FROM swas_ledger WHERE resource_ids @> ARRAY['m-3']");
    expect(byResource.rows.map((r) => r.client_token)).toEqual(['tok-y']);
    const indexes = await p.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'swas_ledger'");
    expect(indexes.rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(['swas_ledger_time', 'swas_ledger_resources', 'swas_ledger_user']));
    await file.close();
  });

  it('one replica reads what another wrote: the last change of a resource, for the next plan\'s basis', async () => {
    const [a, b] = [new PgLedger(pool(), 'r-a'), new PgLedger(pool(), 'r-b')];
    await a.append(entry({ action: 'ModifyImageShareStatus', resourceIds: ['m-basis'], clientToken: 'share-1' }));
    await a.append(entry({ action: 'ModifyImageShareStatus', resourceIds: ['m-basis'], clientToken: 'share-1', phase: 'outcome', ok: true, outcome: 'ok' }));
    expect((await b.history())!.lastChangeOf(['m-basis'])).toEqual({ 'm-basis': 'share-1' });
    await b.append(entry({ action: 'ModifyImageShareStatus', resourceIds: ['m-basis'], clientToken: 'share-2' }));
    await b.append(entry({ action: 'ModifyImageShareStatus', resourceIds: ['m-basis'], clientToken: 'share-2', phase: 'outcome', ok: true, outcome: 'ok' }));
    expect((await a.history())!.lastChangeOf(['m-basis'])).toEqual({ 'm-basis': 'share-2' });
  });

  it('an intent whose replica died is pending for the others at once; a live replica\'s is not; only one reconciled line is kept', async () => {
    const deadPool = pool();
    const presence = await holdPresence(deadPool, 'r-dying');
    const dying = new PgLedger(deadPool, 'r-dying');
    await dying.append(entry({ clientToken: 'tok-orphan', resourceIds: ['m-orphan'] }));
    const other = new PgLedger(pool(), 'r-other');
    const recent = T0 - 1; // older than every intent here: only orphans count as silent
    expect((await other.history())!.pending(recent, ['m-orphan'])).toEqual([]);
    presence.release(true); // its session ends, as when the process is killed
    await deadPool.end();
    // The server ends the session once it reads the closed socket: asked until it has.
    await vi.waitFor(async () => {
      const pending = (await other.history())!.pending(recent, ['m-orphan']);
      expect(pending.map((p) => [p.intent.clientToken, p.silent])).toEqual([['tok-orphan', true]]);
    }, { timeout: 10_000 });

    const third = new PgLedger(pool(), 'r-third');
    const settled = entry({ clientToken: 'tok-orphan', resourceIds: ['m-orphan'], phase: 'outcome', ok: true, outcome: 'reconciled', found: 'applied' });
    await Promise.all([other.append(settled), third.append(settled)]);
    const { rows } = await other['pool'].query<{ n: string }>("SELECT count(*) AS n FROM swas_ledger WHERE client_token = 'tok-orphan' AND outcome = 'reconciled'");
    expect(Number(rows[0]!.n)).toBe(1);
    expect((await third.history())!.pending(Number.POSITIVE_INFINITY, ['m-orphan'])).toEqual([]);

    // The write flow's own "reconciled, not applied" right after an ok outcome is kept.
    await other.append(entry({ clientToken: 'tok-repeat', resourceIds: ['m-repeat'] }));
    await other.append(entry({ clientToken: 'tok-repeat', resourceIds: ['m-repeat'], phase: 'outcome', ok: true, outcome: 'ok' }));
    await third.append(entry({ clientToken: 'tok-repeat', resourceIds: ['m-repeat'], phase: 'outcome', ok: false, outcome: 'reconciled', found: 'not-applied' }));
    const repeat = await other['pool'].query<{ outcome: string }>("SELECT outcome FROM swas_ledger WHERE client_token = 'tok-repeat' AND phase = 'outcome' ORDER BY id");
    expect(repeat.rows.map((r) => r.outcome)).toEqual(['ok', 'reconciled']);
  });

  it('an approval decided through one replica wakes the call waiting on another (NOTIFY), and of two concurrent consumes exactly one wins', async () => {
    const [a, b, c] = [new PgApprovalStore(pool()), new PgApprovalStore(pool()), new PgApprovalStore(pool())];
    const now = Date.now();
    const made = await a.create({ tool: 'delete_custom_images', digest: 'd-1', plan: PLAN, now });
    expect(await b.findByDigest('d-1', now)).toMatchObject({ id: made.id, status: 'pending', plan: PLAN });
    const secret = await a.addSecret(made.id, true);
    expect(await c.bySecret(secret, now)).toMatchObject({ approval: { id: made.id, offered: true }, needsPasskey: true });
    expect(await b.pendingCount(now)).toBeGreaterThanOrEqual(1);

    const waiting = a.waitForDecision(made.id, 600_000, new AbortController().signal);
    expect(await b.decide(made.id, 'approved', { channel: 'passkey', approver: 'alice' }, now)).toBe(true);
    await waiting; // resolves on the notification, long before its timeout
    expect(await b.decide(made.id, 'declined', { channel: 'url' }, now)).toBe(false);

    expect(await b.consume(made.id, 'other-digest', now)).toBeUndefined();
    const tries = await Promise.all([a, b, c, a, b, c].map((s) => s.consume(made.id, 'd-1', now)));
    const winners = tries.filter((t) => t !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ id: made.id, status: 'used', decidedBy: { channel: 'passkey', approver: 'alice' } });
    expect(await c.get(made.id, now)).toMatchObject({ status: 'used' });
    expect(await c.get(made.id, made.expiresAt)).toBeUndefined();
    for (const s of [a, b, c]) await s.close();
  });

  it('an approval keeps who asked and whether a plan view showed it, for every replica', async () => {
    const [a, b] = [new PgApprovalStore(pool()), new PgApprovalStore(pool())];
    const now = Date.now();
    const made = await a.create({ tool: 'delete_custom_images', digest: 'd-2', plan: PLAN, now, requestedBy: { subject: 'alice', clientId: 'agent' } });
    expect(await b.get(made.id, now)).toMatchObject({ requestedBy: { subject: 'alice', clientId: 'agent' }, offered: false });
    expect((await b.get(made.id, now))?.inApp).toBeUndefined();
    await b.showInApp(made.id);
    expect(await a.get(made.id, now)).toMatchObject({ inApp: true, offered: true });
    for (const s of [a, b]) await s.close();
  });

  it('a consent token is used once across replicas', async () => {
    const [a, b] = [new PgUsedTokens(pool()), new PgUsedTokens(pool())];
    const results = await Promise.all([a.claim('tok', T0 + 60_000), b.claim('tok', T0 + 60_000), a.claim('tok', T0 + 60_000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await b.claim('another', T0 + 60_000)).toBe(true);
  });
});
