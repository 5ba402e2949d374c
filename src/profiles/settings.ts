import type { ToolKind } from '../tools/registry.js';

/** A profile's ceiling: the most a call on it may do. */
export type ProfilePolicy = ToolKind;
export const POLICIES: readonly ProfilePolicy[] = ['read', 'write', 'destructive'];
export const policyRank = (p: ProfilePolicy): number => POLICIES.indexOf(p);

/** Profile names as they may appear in settings, enums and messages. */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** What the operator set about profiles (SWAS_MCP_PROFILES, SWAS_MCP_PROFILE_POLICY). */
export interface ProfileSettings {
  /** The allow-list, in order; the first is the default. */
  names: string[];
  /** The policy each profile asked for (default write), before the server-wide switches cap it. */
  policies: Record<string, ProfilePolicy>;
}

/** Thrown for a bad setting; the entry point turns it into exit code 2 (config.ts wraps it as a ConfigError). */
export class ProfileSettingError extends Error {
  override name = 'ProfileSettingError';
}

function list(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/** Parses SWAS_MCP_PROFILES and SWAS_MCP_PROFILE_POLICY (already cleared of unfilled placeholders). */
export function parseProfileSettings(profilesRaw: string | undefined, policyRaw: string | undefined): ProfileSettings | undefined {
  if (profilesRaw === undefined) {
    if (policyRaw !== undefined) throw new ProfileSettingError('SWAS_MCP_PROFILE_POLICY is set without SWAS_MCP_PROFILES: name the allowed profiles first, such as SWAS_MCP_PROFILES=prod,staging.');
    return undefined;
  }
  const names = list(profilesRaw);
  if (names.length === 0) throw new ProfileSettingError('SWAS_MCP_PROFILES must name at least one profile, such as prod,staging.');
  for (const n of names) {
    if (!PROFILE_NAME.test(n)) throw new ProfileSettingError(`SWAS_MCP_PROFILES holds "${n.slice(0, 64)}", which is not a profile name (letters, digits, "_", "." and "-", at most 64, starting with a letter or digit).`);
    if (n === 'all') throw new ProfileSettingError('SWAS_MCP_PROFILES must not name a profile "all": Profile "all" means every allowed profile.');
  }
  if (new Set(names).size !== names.length) throw new ProfileSettingError('SWAS_MCP_PROFILES names a profile twice.');
  const policies: Record<string, ProfilePolicy> = Object.fromEntries(names.map((n) => [n, 'write' as const]));
  for (const entry of list(policyRaw ?? '')) {
    const m = /^([^:]+):(.*)$/.exec(entry);
    const name = m?.[1]?.trim();
    const level = m?.[2]?.trim().toLowerCase();
    if (!m || !name || !level) throw new ProfileSettingError(`SWAS_MCP_PROFILE_POLICY holds "${entry.slice(0, 80)}"; each entry is profile:policy, such as prod:read,staging:destructive.`);
    if (!names.includes(name)) throw new ProfileSettingError(`SWAS_MCP_PROFILE_POLICY names the profile "${name.slice(0, 64)}", which SWAS_MCP_PROFILES does not allow (${names.join(', ')}).`);
    if (!(POLICIES as readonly string[]).includes(level)) throw new ProfileSettingError(`SWAS_MCP_PROFILE_POLICY gives "${name}" the policy "${level.slice(0, 20)}"; the policies are read, write and destructive.`);
    policies[name] = level as ProfilePolicy;
  }
  return { names, policies };
}

/** What the server-wide switches allow at most. */
export function serverCeiling(sw: { readOnly: boolean; allowDestructive: boolean }): ProfilePolicy {
  return sw.readOnly ? 'read' : sw.allowDestructive ? 'destructive' : 'write';
}

/** A profile's policy never exceeds the server-wide switches. */
export function effectivePolicy(asked: ProfilePolicy, ceiling: ProfilePolicy): ProfilePolicy {
  return policyRank(asked) <= policyRank(ceiling) ? asked : ceiling;
}
