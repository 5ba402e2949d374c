import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileAllowed, profileRule } from '../../src/auth/settings.js';
import { scopeFor, toolsForScopes } from '../../src/auth/identity.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { listProfilesTool } from '../../src/tools/list-profiles.js';

const dir = mkdtempSync(join(tmpdir(), 'swas-oauth-config-'));
const keyFile = join(dir, 'consent.key');
writeFileSync(keyFile, 'k'.repeat(32));
const HTTP = { HOME: '/home/u', SWAS_MCP_HTTP: '0.0.0.0:8080', SWAS_MCP_CONSENT_KEY_FILE: keyFile };
const OAUTH = { SWAS_MCP_OAUTH_ISSUER: 'https://login.example.com/realms/team', SWAS_MCP_PUBLIC_URL: 'https://mcp.example.com/mcp' };

function refused(env: NodeJS.ProcessEnv): string {
  try { loadConfig([], env); } catch (err) { if (err instanceof ConfigError) return err.message; throw err; }
  throw new Error('expected a ConfigError');
}

describe('OAuth settings', () => {
  it('serve a non-loopback bind without a static token; the audience is the public URL unless set', () => {
    expect(loadConfig([], { ...HTTP, ...OAUTH }).oauth).toEqual({ issuer: OAUTH.SWAS_MCP_OAUTH_ISSUER, resource: 'https://mcp.example.com/mcp', audience: 'https://mcp.example.com/mcp' });
    expect(loadConfig([], { ...HTTP, ...OAUTH, SWAS_MCP_OAUTH_AUDIENCE: 'api://swas' }).oauth?.audience).toBe('api://swas');
    expect(loadConfig([], { ...HTTP, ...OAUTH, SWAS_MCP_PUBLIC_URL: 'https://mcp.example.com/' }).oauth?.resource).toBe('https://mcp.example.com');
  });

  it('never mix with the static token: both set is a start-up error naming both', () => {
    for (const tok of [{ SWAS_MCP_HTTP_TOKEN: 't'.repeat(20) }, { SWAS_MCP_HTTP_TOKEN_FILE: keyFile }]) {
      const msg = refused({ ...HTTP, ...OAUTH, ...tok });
      expect(msg).toContain('SWAS_MCP_OAUTH_ISSUER');
      expect(msg).toContain('SWAS_MCP_HTTP_TOKEN');
    }
  });

  it('refuse what cannot work: no public URL, stdio, plain http off loopback, an audience without an issuer', () => {
    expect(refused({ ...HTTP, SWAS_MCP_OAUTH_ISSUER: OAUTH.SWAS_MCP_OAUTH_ISSUER })).toMatch(/needs SWAS_MCP_PUBLIC_URL/);
    expect(refused({ HOME: '/home/u', ...OAUTH })).toMatch(/HTTP mode only/);
    expect(refused({ ...HTTP, ...OAUTH, SWAS_MCP_OAUTH_ISSUER: 'http://login.example.com' })).toMatch(/SWAS_MCP_OAUTH_ISSUER uses plain http: on the non-loopback host login.example.com/);
    expect(refused({ ...HTTP, ...OAUTH, SWAS_MCP_PUBLIC_URL: 'https://mcp.example.com/mcp?x=1' })).toMatch(/SWAS_MCP_PUBLIC_URL must be an https URL/);
    expect(refused({ ...HTTP, SWAS_MCP_HTTP_TOKEN: 't'.repeat(20), SWAS_MCP_OAUTH_AUDIENCE: 'x' })).toMatch(/SWAS_MCP_OAUTH_AUDIENCE is set without SWAS_MCP_OAUTH_ISSUER/);
    expect(refused(HTTP)).toMatch(/set SWAS_MCP_OAUTH_ISSUER .* or SWAS_MCP_HTTP_TOKEN/);
    expect(loadConfig([], { ...HTTP, ...OAUTH, SWAS_MCP_HTTP: '127.0.0.1:8080', SWAS_MCP_OAUTH_ISSUER: 'http://127.0.0.1:9000' }).oauth?.issuer).toBe('http://127.0.0.1:9000');
  });
});

describe('SWAS_MCP_PROFILE_USERS', () => {
  const PROFILES = { SWAS_MCP_PROFILES: 'prod,staging,dev' };
  it('maps profiles to subjects; * is every user; a profile not listed is nobody\'s', () => {
    const users = loadConfig([], { ...HTTP, ...OAUTH, ...PROFILES, SWAS_MCP_PROFILE_USERS: 'prod=alice,auth0|42; staging=*' }).profileUsers;
    expect(profileAllowed(users, 'prod', 'alice')).toBe(true);
    expect(profileAllowed(users, 'prod', 'auth0|42')).toBe(true);
    expect(profileAllowed(users, 'prod', 'bob')).toBe(false);
    expect(profileAllowed(users, 'staging', 'bob')).toBe(true);
    expect(profileAllowed(users, 'dev', 'alice')).toBe(false);
    expect(profileRule(users!, 'prod')).toBe('SWAS_MCP_PROFILE_USERS prod=alice,auth0|42');
    expect(profileAllowed(undefined, 'dev', 'anyone')).toBe(true);
  });

  it('names the entry and the rule when it is wrong', () => {
    expect(refused({ ...HTTP, ...OAUTH, ...PROFILES, SWAS_MCP_PROFILE_USERS: 'qa=alice' })).toMatch(/names the profile "qa", which SWAS_MCP_PROFILES does not allow/);
    expect(refused({ ...HTTP, ...OAUTH, ...PROFILES, SWAS_MCP_PROFILE_USERS: 'prod' })).toMatch(/each entry is profile=subject,subject/);
    expect(refused({ ...HTTP, ...OAUTH, ...PROFILES, SWAS_MCP_PROFILE_USERS: 'prod=a;prod=b' })).toMatch(/names the profile "prod" twice/);
    expect(refused({ ...HTTP, SWAS_MCP_HTTP_TOKEN: 't'.repeat(20), ...PROFILES, SWAS_MCP_PROFILE_USERS: 'prod=a' })).toMatch(/needs SWAS_MCP_OAUTH_ISSUER/);
  });
});

describe('scopes of the tools (one place: scopeFor)', () => {
  it('read tools need swas:read, create/tag/share swas:write, delete/reset and the purchase swas:destructive', () => {
    const by = Object.fromEntries([...ALL_TOOLS, listProfilesTool].map((t) => [t.name, scopeFor(t)]));
    expect(by).toEqual({
      list_instances: 'swas:read', list_snapshots: 'swas:read', list_custom_images: 'swas:read', list_images: 'swas:read',
      list_plans: 'swas:read', wait_for_resources: 'swas:read', list_profiles: 'swas:read',
      create_snapshot: 'swas:write', create_custom_image: 'swas:write', share_custom_image: 'swas:write', tag_custom_images: 'swas:write',
      delete_custom_images: 'swas:destructive', delete_snapshots: 'swas:destructive', reset_system: 'swas:destructive',
      create_servers_from_image: 'swas:destructive',
    });
    expect(toolsForScopes(ALL_TOOLS, ['swas:approve'])).toEqual([]);
  });
});
