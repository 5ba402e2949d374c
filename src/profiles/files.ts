import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isRegionId } from '../swas/shapes.js';

/**
 * The profiles of Alibaba's own configuration: the aliyun CLI's ~/.aliyun/config.json (every mode
 * @alicloud/credentials' CLI profile provider builds) and the credentials ini file
 * (ALIBABA_CLOUD_CREDENTIALS_FILE, else ~/.alibabacloud/credentials). Checked at start-up, so a
 * profile that cannot work stops the server with its name and what is wrong; values are never
 * echoed.
 */

export type ProfileSource = 'cli' | 'ini';

export interface ProfileSpec {
  name: string;
  source: ProfileSource;
  /** The CLI's mode name (ini types are given the CLI's name of the same mode). */
  mode: string;
  /** The profile's region_id, when it has a valid one. */
  regionId?: string;
}

export class ProfileFileError extends Error {
  override name = 'ProfileFileError';
}

/** Fields each CLI mode needs (as @alicloud/credentials' CLI profile provider reads them). */
const CLI_MODES: Record<string, readonly string[]> = {
  AK: ['access_key_id', 'access_key_secret'],
  StsToken: ['access_key_id', 'access_key_secret', 'sts_token'],
  RamRoleArn: ['access_key_id', 'access_key_secret', 'ram_role_arn'],
  EcsRamRole: [],
  ChainableRamRoleArn: ['source_profile', 'ram_role_arn'],
  OIDC: ['oidc_token_file', 'oidc_provider_arn', 'ram_role_arn'],
  CloudSSO: ['cloud_sso_sign_in_url', 'cloud_sso_account_id', 'cloud_sso_access_config', 'access_token'],
  OAuth: ['oauth_site_type', 'oauth_refresh_token'],
  External: ['process_command'],
};

/** The ini file's types (ProfileCredentialsProvider) and the CLI mode each is. */
const INI_TYPES: Record<string, { mode: string; fields: readonly string[] }> = {
  access_key: { mode: 'AK', fields: ['access_key_id', 'access_key_secret'] },
  ecs_ram_role: { mode: 'EcsRamRole', fields: ['role_name'] },
  ram_role_arn: { mode: 'RamRoleArn', fields: ['access_key_id', 'access_key_secret', 'role_arn'] },
};

type Entry = Record<string, unknown>;

export function cliConfigPath(home = homedir()): string {
  return join(home, '.aliyun', 'config.json');
}

export function iniPath(env: NodeJS.ProcessEnv, home = homedir()): string {
  const set = env.ALIBABA_CLOUD_CREDENTIALS_FILE?.trim();
  return set ? set : join(home, '.alibabacloud', 'credentials');
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ProfileFileError(`${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

function cliProfiles(path: string): Entry[] | undefined {
  const text = readIfExists(path);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The library's own message would quote the file, secrets included: only the path is named.
    throw new ProfileFileError(`${path} is not valid JSON.`);
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  return Array.isArray(profiles) ? profiles.filter((p): p is Entry => typeof p === 'object' && p !== null) : [];
}

/** A small ini reader: [section] headers and key = value lines; ';' and '#' start comments. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = Object.create(null) as Record<string, string>;
      Object.defineProperty(out, header[1]!.trim(), { value: section, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return out;
}

const present = (e: Entry, field: string): boolean => {
  const v = e[field];
  return (typeof v === 'string' && v.trim() !== '') || (typeof v === 'number');
};

function regionOf(e: Entry): string | undefined {
  const r = e.region_id;
  return typeof r === 'string' && isRegionId(r) ? r : undefined;
}

function checkCli(name: string, path: string, all: Entry[], seen: string[] = []): ProfileSpec {
  const e = all.find((p) => p.name === name);
  if (!e) throw new ProfileFileError(`profile "${name}" is not in ${path}.`);
  const mode = typeof e.mode === 'string' ? e.mode : '';
  const fields = Object.hasOwn(CLI_MODES, mode) ? CLI_MODES[mode] : undefined;
  if (!fields) {
    throw new ProfileFileError(`profile "${name}" in ${path} uses the mode "${mode.slice(0, 40)}", which is not supported (supported: ${Object.keys(CLI_MODES).join(', ')}).`);
  }
  const missing = fields.filter((f) => !present(e, f));
  if (missing.length) throw new ProfileFileError(`profile "${name}" in ${path} (mode ${mode}) has no ${missing.join(', ')}.`);
  if (mode === 'OAuth' && !['CN', 'INTL'].includes(String(e.oauth_site_type).toUpperCase())) {
    throw new ProfileFileError(`profile "${name}" in ${path} (mode OAuth) has an oauth_site_type other than CN or INTL.`);
  }
  if (mode === 'ChainableRamRoleArn') {
    const source = String(e.source_profile);
    if (seen.includes(source) || source === name) throw new ProfileFileError(`profile "${name}" in ${path} (mode ChainableRamRoleArn) has a source_profile loop (${[...seen, name, source].join(' -> ')}).`);
    try {
      checkCli(source, path, all, [...seen, name]);
    } catch (err) {
      throw new ProfileFileError(`profile "${name}" in ${path} (mode ChainableRamRoleArn) has a source_profile that cannot work: ${(err as Error).message}`);
    }
  }
  const regionId = regionOf(e);
  return { name, source: 'cli', mode, ...(regionId ? { regionId } : {}) };
}

function checkIni(name: string, path: string, e: Record<string, string>): ProfileSpec {
  const type = e.type ?? '';
  const known = Object.hasOwn(INI_TYPES, type) ? INI_TYPES[type] : undefined;
  if (!known) throw new ProfileFileError(`profile "${name}" in ${path} has the type "${type.slice(0, 40)}", which is not supported (supported: ${Object.keys(INI_TYPES).join(', ')}).`);
  const missing = known.fields.filter((f) => !present(e, f));
  if (missing.length) throw new ProfileFileError(`profile "${name}" in ${path} (type ${type}) has no ${missing.join(', ')}.`);
  const regionId = regionOf(e);
  return { name, source: 'ini', mode: known.mode, ...(regionId ? { regionId } : {}) };
}

/**
 * Finds and checks every allowed profile: the CLI config first, then the ini file. Throws a
 * ProfileFileError naming the first profile that cannot work and why.
 */
export function loadProfileSpecs(names: readonly string[], env: NodeJS.ProcessEnv, home = homedir()): ProfileSpec[] {
  const cliPath = cliConfigPath(home);
  const ini = iniPath(env, home);
  const cli = cliProfiles(cliPath);
  const iniText = readIfExists(ini);
  const iniProfiles = iniText === undefined ? {} : parseIni(iniText);
  return names.map((name) => {
    if (cli?.some((p) => p.name === name)) return checkCli(name, cliPath, cli);
    if (Object.hasOwn(iniProfiles, name)) return checkIni(name, ini, iniProfiles[name]!);
    throw new ProfileFileError(`profile "${name}" (SWAS_MCP_PROFILES) is in neither ${cliPath} nor ${ini}: no such profile.`);
  });
}
