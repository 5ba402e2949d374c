/**
 * The OAuth resource-server settings (SWAS_MCP_OAUTH_ISSUER, SWAS_MCP_PUBLIC_URL,
 * SWAS_MCP_OAUTH_AUDIENCE) and the profile-to-user mapping (SWAS_MCP_PROFILE_USERS). Parsed here,
 * wrapped into ConfigErrors by config.ts; messages name the variable and the rule.
 */

export interface OAuthSettings {
  /** The authorization server's issuer URL, exactly as its tokens' `iss` carries it. */
  issuer: string;
  /** This server's public MCP URL: the RFC 9728 `resource`. */
  resource: string;
  /** The `aud` a token must carry (SWAS_MCP_OAUTH_AUDIENCE, else the resource). */
  audience: string;
}

export class AuthSettingError extends Error {
  override name = 'AuthSettingError';
}

/** 127.0.0.0/8, ::1 and localhost (the same rule as the SWAS endpoint's). */
function loopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** An https URL (plain http only on loopback), without user info, query or fragment. */
export function parseSecureUrl(raw: string, name: string, example: string): URL {
  let url: URL | undefined;
  try { url = new URL(raw); } catch { url = undefined; }
  const shown = raw.replace(/\/\/[^/@]*@/, '//REDACTED@').slice(0, 200);
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new AuthSettingError(`${name} must be an https URL such as ${example} (no user name, query or fragment), got "${shown}".`);
  }
  if (url.protocol === 'http:' && !loopback(url.hostname)) {
    throw new AuthSettingError(`${name} uses plain http: on the non-loopback host ${url.hostname}; tokens and keys would travel unprotected. Use https: (plain http is accepted only on loopback).`);
  }
  return url;
}

export function parseOAuthSettings(
  raw: { issuer?: string; publicUrl?: string; audience?: string },
  mode: { http: boolean; staticToken: boolean },
): OAuthSettings | undefined {
  if (raw.issuer === undefined) {
    if (raw.audience !== undefined) throw new AuthSettingError('SWAS_MCP_OAUTH_AUDIENCE is set without SWAS_MCP_OAUTH_ISSUER: name the authorization server first.');
    return undefined;
  }
  if (mode.staticToken) {
    throw new AuthSettingError('SWAS_MCP_OAUTH_ISSUER and SWAS_MCP_HTTP_TOKEN (or SWAS_MCP_HTTP_TOKEN_FILE) are both set: choose one. OAuth identifies each user (team deployments); the static token is for a single operator. They are never mixed.');
  }
  if (!mode.http) {
    throw new AuthSettingError('SWAS_MCP_OAUTH_ISSUER applies to HTTP mode only (SWAS_MCP_HTTP / --http): a stdio server has no bearer token to check.');
  }
  if (raw.publicUrl === undefined) {
    throw new AuthSettingError('SWAS_MCP_OAUTH_ISSUER needs SWAS_MCP_PUBLIC_URL: the public URL of this server\'s MCP endpoint, such as https://mcp.example.com/mcp (the resource tokens are issued for).');
  }
  parseSecureUrl(raw.issuer, 'SWAS_MCP_OAUTH_ISSUER', 'https://login.example.com/realms/team');
  const resourceUrl = parseSecureUrl(raw.publicUrl, 'SWAS_MCP_PUBLIC_URL', 'https://mcp.example.com/mcp');
  // The issuer is compared with `iss` as a string: kept as written, a trailing slash included.
  const issuer = raw.issuer;
  const resource = resourceUrl.pathname === '/' ? resourceUrl.origin : resourceUrl.href.replace(/\/$/, '');
  const audience = raw.audience ?? resource;
  if (audience.length > 1024) throw new AuthSettingError('SWAS_MCP_OAUTH_AUDIENCE is at most 1024 characters.');
  return { issuer, resource, audience };
}

/**
 * SWAS_MCP_PROFILE_USERS: `profile=subject,subject;profile=*`. A profile listed may be used only by
 * the subjects named (the token's `sub`), `*` by every authenticated user; a profile not listed by
 * nobody. Absent: every user may use every profile.
 */
export type ProfileUsers = Record<string, { anyone: boolean; subjects: string[] }>;

export function parseProfileUsers(raw: string | undefined, profileNames: readonly string[] | undefined, oauth: boolean): ProfileUsers | undefined {
  if (raw === undefined) return undefined;
  if (!oauth) throw new AuthSettingError('SWAS_MCP_PROFILE_USERS needs SWAS_MCP_OAUTH_ISSUER: only OAuth access tokens say who the user is.');
  if (!profileNames) throw new AuthSettingError('SWAS_MCP_PROFILE_USERS is set without SWAS_MCP_PROFILES: name the allowed profiles first.');
  const out: ProfileUsers = {};
  for (const entry of raw.split(';').map((e) => e.trim()).filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const name = eq > 0 ? entry.slice(0, eq).trim() : '';
    const subjects = eq > 0 ? entry.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
    if (!name || subjects.length === 0) {
      throw new AuthSettingError(`SWAS_MCP_PROFILE_USERS holds "${entry.slice(0, 80)}"; each entry is profile=subject,subject (or profile=*), entries separated by ";", such as prod=alice,bob;staging=*.`);
    }
    if (!profileNames.includes(name)) {
      throw new AuthSettingError(`SWAS_MCP_PROFILE_USERS names the profile "${name.slice(0, 64)}", which SWAS_MCP_PROFILES does not allow (${profileNames.join(', ')}).`);
    }
    if (out[name]) throw new AuthSettingError(`SWAS_MCP_PROFILE_USERS names the profile "${name}" twice.`);
    out[name] = { anyone: subjects.includes('*'), subjects: subjects.filter((s) => s !== '*') };
  }
  return out;
}

/** Whether `subject` may use `profile` under the mapping (no mapping: yes). */
export function profileAllowed(users: ProfileUsers | undefined, profile: string, subject: string): boolean {
  if (!users) return true;
  const rule = users[profile];
  return rule !== undefined && (rule.anyone || rule.subjects.includes(subject));
}

/** The rule that applies to a profile, in the setting's own words (for refusals). */
export function profileRule(users: ProfileUsers, profile: string): string {
  const rule = users[profile];
  if (!rule) return `SWAS_MCP_PROFILE_USERS does not list "${profile}", so no user may use it`;
  return `SWAS_MCP_PROFILE_USERS ${profile}=${[...(rule.anyone ? ['*'] : []), ...rule.subjects].join(',')}`;
}
