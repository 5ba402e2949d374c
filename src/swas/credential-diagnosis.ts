import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * What is wrong with credentials the operator half gave: an AccessKey ID without its secret (or
 * the reverse), or ALIBABA_CLOUD_PROFILE naming a profile no profile file has. Said at start-up
 * in the log and in the first call's error, so that nobody is told to set what they already set.
 * Names only: never a value of a secret, and the profile names are the operator's own.
 */
export function diagnoseCredentials(env: NodeJS.ProcessEnv, home: string = homedir()): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (set('ALIBABA_CLOUD_ACCESS_KEY_ID') && !set('ALIBABA_CLOUD_ACCESS_KEY_SECRET')) {
    problems.push('ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not: set the AccessKey secret that belongs to that ID.');
  }
  if (set('ALIBABA_CLOUD_ACCESS_KEY_SECRET') && !set('ALIBABA_CLOUD_ACCESS_KEY_ID')) {
    problems.push('ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID is not: set the AccessKey ID that belongs to that secret.');
  }
  const wanted = (env.ALIBABA_CLOUD_PROFILE ?? '').trim();
  if (wanted !== '') {
    const credentialsFile = (env.ALIBABA_CLOUD_CREDENTIALS_FILE ?? '').trim() || join(home, '.alibabacloud', 'credentials');
    const cliConfig = join(home, '.aliyun', 'config.json');
    const known = [...new Set([...cliProfiles(cliConfig), ...iniSections(credentialsFile)])];
    if (!known.includes(wanted)) {
      problems.push(`ALIBABA_CLOUD_PROFILE names the profile "${shown(wanted)}", which neither ${cliConfig} nor ${credentialsFile} has; `
        + (known.length ? `the profiles there are ${known.map((p) => `"${shown(p)}"`).join(', ')}.` : 'neither file holds any profile (aliyun configure writes the first).'));
    }
  }
  return problems;
}

/** A name from the environment or a profile file, fit for one log line. */
function shown(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f"]/g, '');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Profile names of the Alibaba Cloud CLI's config.json. */
function cliProfiles(path: string): string[] {
  const text = readOr(path);
  if (text === undefined) return [];
  try {
    const parsed = JSON.parse(text) as { profiles?: { name?: unknown }[] };
    return (parsed.profiles ?? []).map((p) => p.name).filter((n): n is string => typeof n === 'string' && n !== '');
  } catch {
    return [];
  }
}

/** Section names of the credentials ini file. */
function iniSections(path: string): string[] {
  const text = readOr(path);
  if (text === undefined) return [];
  return [...text.matchAll(/^\s*\[([^\]\r\n]+)\]\s*$/gm)].map((m) => m[1]!.trim());
}
