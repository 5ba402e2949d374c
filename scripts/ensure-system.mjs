// `npm test` uses three Debian packages: nginx (the HTTP end-to-end test runs it in front of three
// replicas), Chromium (the approval page is tried in a real browser with a passkey) and PostgreSQL
// (the shared record). Missing
// ones are installed under CI (CI set) and by `npm run setup:system` (--install). Elsewhere nothing
// is installed behind the developer's back: the tests that need a missing one are skipped, and one
// line names the command that installs it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onCi } from './on-ci.mjs';

const PACKAGES = [
  { name: 'nginx', paths: ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'], command: 'nginx', apt: [['nginx-light'], ['nginx']], required: false, why: 'the HTTP end-to-end test' },
  // Its headless shell is enough for the tests and starts and runs at a fraction of the browser's CPU.
  { name: 'Chromium', paths: ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium'], apt: [['chromium-headless-shell'], ['chromium']], required: false, why: 'the approval-page browser tests' },
  { name: 'PostgreSQL', paths: ['/usr/lib/postgresql'], apt: [['postgresql']], required: false, why: 'the shared-record tests (ledger and approvals in PostgreSQL, replicas)' },
];

const forced = process.argv.includes('--install') || onCi();
const found = (p) => p.paths.some((f) => existsSync(f)) || (p.command !== undefined && spawnSync('sh', ['-c', `command -v ${p.command}`], { stdio: 'ignore' }).status === 0);
const missing = PACKAGES.filter((p) => !found(p));
if (missing.length === 0) process.exit(0);

const root = process.getuid?.() === 0;
const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const toInstall = missing.filter((p) => forced || p.required);
for (const p of missing.filter((q) => !toInstall.includes(q))) {
  process.stderr.write(`${p.name} is not installed, so ${p.why} are skipped; run "npm run setup:system" to install it.\n`);
}
if (toInstall.length === 0) process.exit(0);
if (!root && !sudo) {
  process.stderr.write(`npm test needs ${toInstall.map((p) => p.name).join(' and ')} (${toInstall.map((p) => p.why).join(', ')}). Install ${toInstall.length > 1 ? 'them' : 'it'} (Debian/Ubuntu: sudo apt-get install -y ${toInstall.map((p) => p.apt[0].join(' ')).join(' ')}) and run npm test again.\n`);
  process.exit(1);
}
const run = (args) => execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : args, {
  stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
});
run(['apt-get', 'update', '-qq']);
for (const p of toInstall) {
  process.stderr.write(`Installing ${p.name} (Debian package ${p.apt[0].join(' ')}) for ${p.why}…\n`);
  let done = false;
  for (const names of p.apt) {
    try { run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...names]); done = true; break; } catch { /* try the next name */ }
  }
  if (!done) { process.stderr.write(`Could not install ${p.name}.\n`); process.exit(1); }
}
