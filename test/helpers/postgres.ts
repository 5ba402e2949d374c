import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nginx.js';

/**
 * A throw-away PostgreSQL (Debian's package) for the tests: initdb on a temporary data directory,
 * started on a random loopback port, stopped and removed after. initdb refuses to run as root, so
 * as root everything runs as the `postgres` user.
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

function run(bin: string, args: string[]): void {
  const [cmd, argv] = root ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin.split('/').pop()} failed (${r.status}): ${r.stderr || r.stdout}`);
}

/**
 * initdb + pg_ctl start on 127.0.0.1:<free port>, trust authentication (loopback only), database
 * `postgres`. fsync is off for the tests (a crash of the test machine loses nothing of value);
 * `durable` keeps it on, as a server would run (the bench).
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<Postgres> {
  const bin = findPostgres();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'swas-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sock');
  if (root) execFileSync('chown', ['postgres:postgres', dir]);
  for (const d of [data, sockets]) {
    if (root) execFileSync('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '700', d]);
    else execFileSync('install', ['-d', '-m', '700', d]);
  }
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', ...(opts.durable ? [] : ['--no-sync'])]);
  const port = await freePort();
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(data, 'server.log'), '-w', '-o', `-p ${port} -k ${sockets} -h 127.0.0.1 ${opts.durable ? '' : '-c fsync=off '}-c max_connections=200`, 'start']);
  let stopped = false;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`, port, dir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try { run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']); } finally { rmSync(dir, { recursive: true, force: true }); }
    },
  };
}
