import { onCi } from '../../scripts/on-ci.mjs';

/**
 * Whether the tests that drive a Debian package (nginx, Chromium) run. Present: yes. Missing under
 * CI: an error, since `npm test` installs it there first (scripts/ensure-system.mjs), so a skip would
 * hide that the tests never ran. Missing elsewhere: they skip; `npm test` has already printed the
 * one line naming `npm run setup:system`.
 */
export function haveSystemPackage(name: string, present: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (present) return true;
  if (onCi(env)) throw new Error(`${name} is missing under CI: npm test installs it first (npm run setup:system).`);
  return false;
}
