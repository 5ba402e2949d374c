import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  CookieSealer, pkceChallenge, randomToken, readCookie, sameSecret, setCookie,
} from '../../src/consent/login-cookies.js';
import { ConsentSigner } from '../../src/consent/token.js';

const NOW = 1_800_000_000_000;
const sealer = () => new CookieSealer(randomBytes(32));

describe('PKCE, state and nonce', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character base64url values (a valid PKCE verifier length), never twice the same', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
  });

  it('compares state values exactly, whatever their lengths', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'a')).toBe(false);
  });
});

describe('signed cookies', () => {
  const t = { state: 's', nonce: 'n', verifier: 'v', secret: 'x'.repeat(32), exp: NOW + 60_000 };

  it('opens what it sealed, until it expires', () => {
    const c = sealer();
    expect(c.openTransaction(c.sealTransaction(t), NOW)).toEqual(t);
    expect(c.openTransaction(c.sealTransaction(t), NOW + 60_000)).toBeUndefined();
    const s = { sub: 'alice', exp: NOW + 1000 };
    expect(c.openSession(c.sealSession(s), NOW)).toEqual(s);
    expect(c.openSession(c.sealSession(s), NOW + 1000)).toBeUndefined();
  });

  it('refuses a changed payload, a changed signature, another key, and garbage', () => {
    const c = sealer();
    const value = c.sealSession({ sub: 'alice', exp: NOW + 1000 });
    const [body, mac] = value.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ sub: 'mallory', exp: NOW + 1000 })).toString('base64url');
    expect(c.openSession(`${forged}.${mac}`, NOW)).toBeUndefined();
    expect(c.openSession(`${body}.${mac.slice(0, -2)}AA`, NOW)).toBeUndefined();
    expect(sealer().openSession(value, NOW)).toBeUndefined();
    for (const bad of [undefined, '', 'x', 'a.b.c', `${body}.`, '.'.repeat(5000)]) expect(c.openSession(bad, NOW)).toBeUndefined();
  });

  it('never takes a login-in-progress cookie for a session, nor the other way round', () => {
    const c = sealer();
    expect(c.openSession(c.sealTransaction({ ...t, sub: 'alice' } as typeof t), NOW)).toBeUndefined();
    expect(c.openTransaction(c.sealSession({ sub: 'alice', exp: NOW + 1000 }), NOW)).toBeUndefined();
  });

  it('needs a key of 32 bytes; replicas deriving from one consent key accept each other\'s cookies', () => {
    expect(() => new CookieSealer(Buffer.alloc(16))).toThrow(/32 bytes/);
    const key = randomBytes(32);
    const a = new CookieSealer(ConsentSigner.fromKey(key).derive('approver-cookies'));
    const b = new CookieSealer(ConsentSigner.fromKey(key).derive('approver-cookies'));
    expect(b.openSession(a.sealSession({ sub: 'alice', exp: NOW + 1000 }), NOW)?.sub).toBe('alice');
    expect(ConsentSigner.fromKey(key).derive('approver-cookies').equals(key)).toBe(false);
  });

  it('sets HttpOnly, SameSite=Lax, the page path, and Secure unless on loopback; reads one cookie back', () => {
    expect(setCookie('k', 'v', 600, true)).toBe('k=v; Path=/approve/; Max-Age=600; HttpOnly; SameSite=Lax; Secure');
    expect(setCookie('k', '', 0, false)).toBe('k=; Path=/approve/; Max-Age=0; HttpOnly; SameSite=Lax');
    expect(readCookie('a=1; k=v.w; b=2', 'k')).toBe('v.w');
    expect(readCookie('ak=1', 'k')).toBeUndefined();
    expect(readCookie(undefined, 'k')).toBeUndefined();
  });
});

describe('approver login settings', () => {
  const key = join(mkdtempSync(join(tmpdir(), 'swas-login-')), 'key');
  writeFileSync(key, randomBytes(32).toString('hex'), { mode: 0o600 });
  const base = { SWAS_MCP_HTTP: '127.0.0.1:0', SWAS_MCP_CONSENT_KEY_FILE: key, SWAS_MCP_AUDIT_LOG: 'off' };
  const login = { ...base, SWAS_MCP_APPROVAL_CLIENT_ID: 'swas-approver', SWAS_MCP_OAUTH_ISSUER: 'https://login.example.com', SWAS_MCP_PUBLIC_URL: 'https://mcp.example.com/mcp' };

  it('is off without a client ID, and parsed with one', () => {
    expect(loadConfig([], base).approverLogin).toBeUndefined();
    const c = loadConfig([], { ...login, SWAS_MCP_APPROVAL_SEPARATE: 'true' }).approverLogin!;
    expect(c).toEqual({ clientId: 'swas-approver', separate: true });
  });

  it('reads a confidential client\'s secret from its file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'swas-login-')), 'secret');
    writeFileSync(file, 'shh-secret\n', { mode: 0o600 });
    expect(loadConfig([], { ...login, SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE: file }).approverLogin?.clientSecret).toBe('shh-secret');
  });

  it.each([
    [{ ...login, SWAS_MCP_OAUTH_ISSUER: undefined, SWAS_MCP_PUBLIC_URL: undefined }, /SWAS_MCP_APPROVAL_CLIENT_ID needs OAuth in HTTP mode/],
    [{ ...login, SWAS_MCP_APPROVAL_CLIENT_ID: 'two words' }, /printable ASCII characters without spaces/],
    [{ ...login, SWAS_MCP_APPROVAL_BASE_URL: 'https://approve.example.com' }, /must be the origin of SWAS_MCP_PUBLIC_URL when approvers log in/],
    [{ ...base, SWAS_MCP_APPROVAL_SEPARATE: 'true' }, /SWAS_MCP_APPROVAL_SEPARATE=true needs approvers to log in/],
    [{ ...base, SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE: '/nonexistent' }, /needs SWAS_MCP_APPROVAL_CLIENT_ID/],
    [{ ...login, SWAS_MCP_APPROVAL_CLIENT_SECRET_FILE: '/nonexistent/secret' }, /could not be read \(ENOENT\)/],
  ])('refuses a half or unsafe setting %#', (env, message) => {
    const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(() => loadConfig([], clean)).toThrow(ConfigError);
    expect(() => loadConfig([], clean)).toThrow(message);
  });
});
