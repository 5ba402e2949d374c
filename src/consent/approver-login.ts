import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { pkceChallenge } from './login-cookies.js';

/**
 * An approver logs in on the approval page through the server's OAuth issuer (OpenID Connect,
 * authorization code + PKCE S256, state and nonce). The login proves a person only when the
 * access token issued for this server (audience = the resource) carries `swas:approve`; the ID
 * token (audience = the approval client, nonce = the one sent) names the person.
 */

export const APPROVE_SCOPE = 'swas:approve';
export const CALLBACK_PATH = '/approve/callback';

/** Asymmetric signatures only: never `none`, never an HMAC a public key could be used as. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const HTTP_TIMEOUT_MS = 10_000;
const CLOCK_TOLERANCE_S = 30;

export interface ApproverLoginOptions {
  /** The issuer (SWAS_MCP_OAUTH_ISSUER). */
  issuer: URL;
  /** The approval page's client at the issuer. */
  clientId: string;
  /** Confidential client: client_secret_basic. Without it, a public client (PKCE only). */
  clientSecret?: string;
  /** This server's public URL: the redirect is `<publicUrl>/approve/callback`. */
  publicUrl: URL;
  /** The access token's expected audience (the resource this server is). */
  audience: string;
}

/** The issuer's OpenID configuration, the parts the login uses. */
interface Discovery { authorization_endpoint: string; token_endpoint: string; jwks_uri: string }

export type LoginResult =
  | { kind: 'approver'; subject: string }
  /** A person logged in, but may not approve (or the login did not prove who they are). */
  | { kind: 'refused'; reason: string; subject?: string };

/** An https URL, or http on a loopback host (as for the SWAS endpoint). */
function safeUrl(raw: unknown, what: string): URL {
  let u: URL;
  try { u = new URL(String(raw)); } catch { throw new Error(`The issuer's ${what} is not a URL.`); }
  const loopback = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new Error(`The issuer's ${what} must use https.`);
  return u;
}

export function scopesOf(payload: JWTPayload): string[] {
  const s = payload.scope ?? payload.scp;
  if (typeof s === 'string') return s.split(' ').filter(Boolean);
  if (Array.isArray(s)) return s.filter((x): x is string => typeof x === 'string');
  return [];
}

export class ApproverLogin {
  private discovery: Promise<Discovery> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly redirectUri: string;

  constructor(private readonly opts: ApproverLoginOptions) {
    this.redirectUri = new URL(CALLBACK_PATH, opts.publicUrl).toString();
  }

  /** Cookies are Secure unless the page is served on loopback over http. */
  get secureCookies(): boolean { return this.opts.publicUrl.protocol === 'https:'; }

  /** The issuer's authorization URL for one login. */
  async authorizationUrl(t: { state: string; nonce: string; verifier: string }): Promise<string> {
    const d = await this.discover();
    const u = new URL(d.authorization_endpoint);
    u.search = new URLSearchParams({
      response_type: 'code', client_id: this.opts.clientId, redirect_uri: this.redirectUri,
      scope: `openid ${APPROVE_SCOPE}`, state: t.state, nonce: t.nonce,
      code_challenge: pkceChallenge(t.verifier), code_challenge_method: 'S256', resource: this.opts.audience,
    }).toString();
    return u.toString();
  }

  /** Exchanges the code (with the PKCE verifier) and checks both tokens. */
  async finish(code: string, t: { nonce: string; verifier: string }): Promise<LoginResult> {
    const d = await this.discover();
    const body = new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: this.redirectUri, code_verifier: t.verifier, resource: this.opts.audience,
    });
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    if (this.opts.clientSecret !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(this.opts.clientId)}:${encodeURIComponent(this.opts.clientSecret)}`).toString('base64')}`;
    } else {
      body.set('client_id', this.opts.clientId);
    }
    const res = await fetch(d.token_endpoint, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    const tokens = await res.json().catch(() => undefined) as { id_token?: unknown; access_token?: unknown; error?: unknown } | undefined;
    if (!res.ok || !tokens) {
      return { kind: 'refused', reason: `The issuer refused the login (${typeof tokens?.error === 'string' ? tokens.error.slice(0, 64) : `HTTP ${res.status}`}).` };
    }
    if (typeof tokens.id_token !== 'string' || typeof tokens.access_token !== 'string') {
      return { kind: 'refused', reason: 'The issuer did not return an ID token and an access token.' };
    }
    const keys = this.keys(d);
    const issuer = this.issuerId();
    let id: JWTPayload;
    try {
      ({ payload: id } = await jwtVerify(tokens.id_token, keys, { issuer, audience: this.opts.clientId, algorithms: ALGORITHMS, clockTolerance: CLOCK_TOLERANCE_S }));
    } catch {
      return { kind: 'refused', reason: 'The ID token did not verify.' };
    }
    if (typeof id.nonce !== 'string' || id.nonce !== t.nonce) return { kind: 'refused', reason: 'The ID token does not belong to this login (nonce).' };
    if (typeof id.sub !== 'string' || id.sub === '') return { kind: 'refused', reason: 'The ID token names no subject.' };
    let access: JWTPayload;
    try {
      ({ payload: access } = await jwtVerify(tokens.access_token, keys, { issuer, audience: this.opts.audience, algorithms: ALGORITHMS, clockTolerance: CLOCK_TOLERANCE_S }));
    } catch {
      return { kind: 'refused', reason: 'The access token for this server did not verify (is the approval client allowed this server as a resource?).', subject: id.sub };
    }
    if (access.sub !== id.sub) return { kind: 'refused', reason: 'The access token and the ID token name different people.', subject: id.sub };
    if (!scopesOf(access).includes(APPROVE_SCOPE)) {
      return { kind: 'refused', reason: `Your account may not approve changes: the issuer did not grant ${APPROVE_SCOPE}.`, subject: id.sub };
    }
    return { kind: 'approver', subject: id.sub };
  }

  /** The issuer identifier exactly as configured (discovery must echo it). */
  private issuerId(): string {
    return this.opts.issuer.href.replace(/\/$/, '');
  }

  private discover(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const issuer = this.issuerId();
      const res = await fetch(`${issuer}/.well-known/openid-configuration`, { redirect: 'error', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`The issuer's OpenID configuration answered HTTP ${res.status}.`);
      const m = await res.json() as Record<string, unknown>;
      if (typeof m.issuer !== 'string' || m.issuer.replace(/\/$/, '') !== issuer) throw new Error('The issuer\'s OpenID configuration names another issuer.');
      const methods = m.code_challenge_methods_supported;
      if (Array.isArray(methods) && !methods.includes('S256')) throw new Error('The issuer does not support PKCE S256.');
      return {
        authorization_endpoint: safeUrl(m.authorization_endpoint, 'authorization endpoint').toString(),
        token_endpoint: safeUrl(m.token_endpoint, 'token endpoint').toString(),
        jwks_uri: safeUrl(m.jwks_uri, 'JWKS URI').toString(),
      };
    })();
    // A failed discovery is tried again by the next login.
    this.discovery.catch(() => { this.discovery = undefined; });
    return this.discovery;
  }

  private keys(d: Discovery): ReturnType<typeof createRemoteJWKSet> {
    this.jwks ??= createRemoteJWKSet(new URL(d.jwks_uri), { timeoutDuration: HTTP_TIMEOUT_MS });
    return this.jwks;
  }
}
