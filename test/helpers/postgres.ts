import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nginx.js';
import { runProcess } from './process.js';

/**
 * A throw-away PostgreSQL (Debian's package) for the tests: a temporary data directory (a copy of
 * one initdb'd template), started on a random loopback port, stopped and removed after. initdb
 * refuses to run as root, so as root everything runs as the `postgres` user.
 */

/** Where Debian puts the server's binaries (the newest version installed), or undefined. */
export function findPostgres(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(base, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

/** One line for the skipped tests, naming how to install what is missing. */
export const POSTGRES_MISSING = 'PostgreSQL is not installed, so the shared-record tests are skipped; run "npm run setup:system" to install it.';

export interface Postgres { url: string; port: number; dir: string; stop(): Promise<void> }

const root = process.getuid?.() === 0;

/** Runs a command to its end (as `postgres` when `asPostgres` and root), without blocking the worker; throws on failure. */
async function run(bin: string, args: string[], asPostgres = true, input?: string): Promise<string> {
  const [cmd, argv] = root && asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = await runProcess(cmd, argv, input === undefined ? {} : { input });
  if (r.status !== 0) throw new Error(`${bin.split('/').pop()} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

const INITDB_ARGS = ['-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'];
/**
 * What the template adds to initdb, to make it small: every test server starts on a copy of it, and
 * the copy is most of a start (a loaded machine copies ~0.1 MB/ms). 1 MB WAL segments instead of 16,
 * and only the `postgres` database (the tests connect to it and create none, so template0 and
 * template1 go): 39 MB -> ~13 MB.
 */
const TEMPLATE_INITDB_ARGS = ['--wal-segsize=1'];
const TEMPLATE_SQL = [
  "UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1');",
  'DROP DATABASE template0;',
  'DROP DATABASE template1;',
  'CHECKPOINT;',
].join('\n');

function owned(dir: string): Promise<string> {
  return run('install', root ? ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '700', dir] : ['-d', '-m', '700', dir], false);
}

/**
 * A data directory initdb'd once per machine, PostgreSQL version and initdb arguments, kept in the
 * machine's temp folder (not the run's, which goes when the run ends): each test server starts on a copy of it (a copy costs a fraction of an initdb's CPU
 * and most of its wall time). Built beside its final name and renamed there, so a reader sees a
 * complete template or none; two test files building it at once keep one.
 */
async function template(bin: string, rebuild: boolean): Promise<string> {
  // The installed server binary (a package upgrade replaces it), without spawning it for its version.
  const server = statSync(join(bin, 'postgres'));
  const version = `${bin} ${server.size} ${server.mtimeMs}`;
  const key = createHash('sha256').update(`${version}\n${[...INITDB_ARGS, ...TEMPLATE_INITDB_ARGS].join(' ')}\n--no-sync\n${TEMPLATE_SQL}`).digest('hex').slice(0, 16);
  const dir = join(process.env.SWAS_TEST_SHARED_TMP ?? tmpdir(), `swas-pg-template-${process.getuid?.() ?? 'u'}-${key}`);
  if (rebuild) rmSync(dir, { recursive: true, force: true });
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  const building = mkdtempSync(`${dir}.building-`);
  try {
    if (root) await run('chown', ['postgres:postgres', building], false);
    const data = join(building, 'data');
    await owned(data);
    await run(join(bin, 'initdb'), ['-D', data, ...INITDB_ARGS, ...TEMPLATE_INITDB_ARGS, '--no-sync']);
    // Single-user mode: no server, no port; one statement a line, each committed.
    await run(join(bin, 'postgres'), ['--single', '-D', data, '-j', 'postgres'], true, TEMPLATE_SQL.split('\n').join('\n\n'));
    try {
      renameSync(data, dir);
    } catch (err) {
      // Another file built it first: use theirs.
      if (!existsSync(join(dir, 'PG_VERSION'))) throw err;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/**
 * The server on 127.0.0.1:<port>, spawned directly (as `postgres` when root) rather than through
 * pg_ctl, whose start and stop poll every 100 ms: ready when its log says it accepts connections,
 * stopped by SIGQUIT (immediate shutdown) to the postmaster, done when it has exited.
 */
function serve(bin: string, data: string, args: string[]): Promise<{ stop(): Promise<void> }> {
  const argv = ['-D', data, ...args];
  const child = root ? spawn('runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), ...argv], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(join(bin, 'postgres'), argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { gone = true; resolve(); }));
  // Read to the end (a full pipe would stall the server); the start's lines name what went wrong.
  let log = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (log.length < 64 * 1024) log += d;
      if (log.includes('database system is ready to accept connections')) resolve({ stop });
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error(`postgres exited at start: ${log}`)));
  });
  async function stop(): Promise<void> {
    // A server that has exited on its own has removed its pid file: nothing to stop.
    if (gone) return;
    // As root the child is runuser, which would turn a signal into a smart shutdown: signal the postmaster itself.
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    try { process.kill(pid, 'SIGQUIT'); } catch { /* gone already */ }
    await exited;
  }
}

/**
 * PostgreSQL on 127.0.0.1:<free port> on a copy of the template (or, `durable`, a fresh initdb),
 * trust authentication (loopback only), database `postgres`. fsync is off for the tests (a crash of
 * the test machine loses nothing of value); `durable` keeps it on, as a server would run (the bench).
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<Postgres> {
  const bin = findPostgres();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'swas-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sock');
  // The postgres user only needs to pass through this folder to its data and socket folders.
  chmodSync(dir, 0o711);
  const port = await freePort();
  const start = () => serve(bin, data, ['-p', String(port), '-k', sockets, '-h', '127.0.0.1', ...(opts.durable ? [] : ['-c', 'fsync=off']), '-c', 'max_connections=200']);
  let server: { stop(): Promise<void> };
  if (opts.durable) {
    await owned(sockets);
    await owned(data);
    await run(join(bin, 'initdb'), ['-D', data, ...INITDB_ARGS]);
    server = await start();
  } else {
    const from = await template(bin, false);
    // The template's owner is the postgres user (or this one): the socket folder gets the same.
    const { uid, gid } = statSync(from);
    mkdirSync(sockets, { mode: 0o700 });
    if (root) chownSync(sockets, uid, gid);
    // cp -a keeps the postgres user's ownership and the 0700 mode the server insists on.
    await run('cp', ['-a', from, data], false);
    try {
      server = await start();
    } catch {
      // A template the temp cleaner has thinned out: build it again, once.
      rmSync(data, { recursive: true, force: true });
      await run('cp', ['-a', await template(bin, true), data], false);
      server = await start();
    }
  }
  let stopped = false;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`, port, dir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try { await server.stop(); } finally { rmSync(dir, { recursive: true, force: true }); }
    },
  };
}
