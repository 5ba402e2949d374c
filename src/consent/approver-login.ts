import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { SCOPES } from '../auth/identity.js';
import type { OAuthSettings } from '../auth/settings.js';
import { ALLOWED_ALGORITHMS, CLOCK_LEEWAY_S, JwtVerifier, metadataUrls } from '../auth/verify.js';
import { pkceChallenge } from './login-cookies.js';

/**
 * An approver logs in on the approval page through the server's OAuth issuer (OpenID Connect,
 * authorization code + PKCE S256, state and nonce). The login proves a person only when the
 * access token issued for this server (audience = the resource) carries `swas:approve`; the ID
 * token (audience = the approval client, nonce = the one sent) names the person.
 */

export const APPROVE_SCOPE = SCOPES.approve;
export const CALLBACK_PATH = '/approve/callback';

const HTTP_TIMEOUT_MS = 10_000;

export interface ApproverLoginOptions {
  /** The resource server's settings: the issuer, this server's resource (its origin serves the page) and the audience. */
  oauth: OAuthSettings;
  /** The approval page's client at the issuer. */
  clientId: string;
  /** Confidential client: client_secret_basic. Without it, a public client (PKCE only). */
  clientSecret?: string;
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

export class ApproverLogin {
  private discovery: Promise<Discovery> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  /** The access token is checked exactly as the MCP endpoint checks a bearer token. */
  private readonly accessTokens: JwtVerifier;
  readonly redirectUri: string;
  readonly secureCookies: boolean;

  constructor(private readonly opts: ApproverLoginOptions) {
    const publicUrl = new URL(opts.oauth.resource);
    this.redirectUri = new URL(CALLBACK_PATH, publicUrl).toString();
    // Secure unless the page is served over plain http (which the settings allow on loopback only).
    this.secureCookies = publicUrl.protocol === 'https:';
    this.accessTokens = new JwtVerifier(opts.oauth);
  }

  /** The issuer's authorization URL for one login. */
  async authorizationUrl(t: { state: string; nonce: string; verifier: string }): Promise<string> {
    const d = await this.discover();
    const u = new URL(d.authorization_endpoint);
    u.search = new URLSearchParams({
      response_type: 'code', client_id: this.opts.clientId, redirect_uri: this.redirectUri,
      scope: `openid ${APPROVE_SCOPE}`, state: t.state, nonce: t.nonce,
      code_challenge: pkceChallenge(t.verifier), code_challenge_method: 'S256', resource: this.opts.oauth.resource,
    }).toString();
    return u.toString();
  }

  /** Exchanges the code (with the PKCE verifier) and checks both tokens. */
  async finish(code: string, t: { nonce: string; verifier: string }): Promise<LoginResult> {
    const d = await this.discover();
    const body = new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: this.redirectUri, code_verifier: t.verifier, resource: this.opts.oauth.resource,
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
    let id: JWTPayload;
    try {
      ({ payload: id } = await jwtVerify(tokens.id_token, this.keys(d), {
        issuer: this.opts.oauth.issuer, audience: this.opts.clientId, algorithms: ALLOWED_ALGORITHMS, clockTolerance: CLOCK_LEEWAY_S, requiredClaims: ['exp', 'sub'],
      }));
    } catch {
      return { kind: 'refused', reason: 'The ID token did not verify.' };
    }
    if (typeof id.nonce !== 'string' || id.nonce !== t.nonce) return { kind: 'refused', reason: 'The ID token does not belong to this login (nonce).' };
    if (typeof id.sub !== 'string' || id.sub === '') return { kind: 'refused', reason: 'The ID token names no subject.' };
    let access: { subject: string; scopes: readonly string[] };
    try {
      access = await this.accessTokens.verify(tokens.access_token);
    } catch {
      return { kind: 'refused', reason: 'The access token for this server did not verify (may the approval client ask for this server as a resource?).', subject: id.sub };
    }
    if (access.subject !== id.sub) return { kind: 'refused', reason: 'The access token and the ID token name different people.', subject: id.sub };
    if (!access.scopes.includes(APPROVE_SCOPE)) {
      return { kind: 'refused', reason: `Your account may not approve changes: the issuer did not grant ${APPROVE_SCOPE}.`, subject: id.sub };
    }
    return { kind: 'approver', subject: id.sub };
  }

  /** The issuer's metadata (OpenID Connect discovery or RFC 8414), which must name this very issuer. */
  private discover(): Promise<Discovery> {
    this.discovery ??= (async () => {
      let problem = 'no metadata document answered';
      for (const url of metadataUrls(this.opts.oauth.issuer)) {
        const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), headers: { Accept: 'application/json' } }).catch(() => undefined);
        if (!res?.ok) { problem = `${url}: ${res ? `HTTP ${res.status}` : 'no answer'}`; await res?.body?.cancel(); continue; }
        const m = await res.json().catch(() => undefined) as Record<string, unknown> | undefined;
        if (!m || m.issuer !== this.opts.oauth.issuer) throw new Error(`The metadata at ${url} names another issuer than SWAS_MCP_OAUTH_ISSUER.`);
        const methods = m.code_challenge_methods_supported;
        if (Array.isArray(methods) && !methods.includes('S256')) throw new Error('The issuer does not support PKCE S256.');
        return {
          authorization_endpoint: safeUrl(m.authorization_endpoint, 'authorization endpoint').toString(),
          token_endpoint: safeUrl(m.token_endpoint, 'token endpoint').toString(),
          jwks_uri: safeUrl(m.jwks_uri, 'JWKS URI').toString(),
        };
      }
      throw new Error(`The issuer's metadata could not be read (${problem}).`);
    })();
    // A failed discovery is tried again by the next login.
    this.discovery.catch(() => { this.discovery = undefined; });
    return this.discovery;
  }

  private keys(d: Discovery): ReturnType<typeof createRemoteJWKSet> {
    this.jwks ??= createRemoteJWKSet(new URL(d.jwks_uri), { timeoutDuration: HTTP_TIMEOUT_MS, cooldownDuration: 30_000 });
    return this.jwks;
  }
}
