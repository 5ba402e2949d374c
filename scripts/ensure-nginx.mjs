// `npm test` needs Debian's nginx: the HTTP end-to-end test runs it (as a child process with its
// own config) in front of three replicas. This installs it when missing, so a newcomer's two
// commands (npm install, npm test) are all it takes on a Debian machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const found = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'].some((p) => existsSync(p))
  || spawnSync('sh', ['-c', 'command -v nginx'], { stdio: 'ignore' }).status === 0;
if (found) process.exit(0);

const root = process.getuid?.() === 0;
const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!root && !sudo) {
  process.stderr.write('npm test needs nginx for the HTTP end-to-end test. Install it (Debian/Ubuntu: sudo apt-get install -y nginx-light) and run npm test again.\n');
  process.exit(1);
}
const run = (args) => execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : args, {
  stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
});
process.stderr.write('Installing nginx (Debian package nginx-light) for the HTTP end-to-end test…\n');
run(['apt-get', 'update', '-qq']);
try {
  run(['apt-get', 'install', '-y', '-qq', 'nginx-light']);
} catch {
  run(['apt-get', 'install', '-y', '-qq', 'nginx']);
}
