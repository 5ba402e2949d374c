import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { isLoopbackHost } from '../http/guards.js';
import type { Identity } from './identity.js';
import type { OAuthSettings } from './settings.js';

/**
 * Verifies OAuth access tokens (JWTs) locally, as a resource server: signature against the
 * issuer's JWKS (found through its metadata, cached; refetched when a token names an unknown
 * `kid`), then `iss`, `aud`, `exp`/`nbf` with a small leeway. Only asymmetric algorithms: `none`
 * and HS* (which would let anyone holding the public key sign) are refused before any key is used.
 * The token itself is never logged, kept or sent anywhere.
 */

/** Asymmetric JWS algorithms only. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** `typ` values of an access token (RFC 9068), or of an issuer that sets the generic one; none is accepted too. */
const ACCEPTED_TYP = new Set(['at+jwt', 'application/at+jwt', 'jwt']);
/** Clock difference tolerated on exp/nbf/iat, in seconds. */
export const CLOCK_LEEWAY_S = 30;
/** Longest subject or client ID kept (they reach logs, ledger lines and plans). */
const MAX_NAME = 200;

/** A token refused: the reason is for the log and the `error_description`, never the token. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** The issuer could not be asked for its keys: not the client's fault. */
export class AuthServerUnavailableError extends Error {
  override name = 'AuthServerUnavailableError';
}

export interface VerifiedToken extends Identity {
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** An https URL, or plain http on loopback only (the same rule as the SWAS endpoint's). */
function secureUrl(raw: unknown, what: string): URL {
  let url: URL | undefined;
  try { url = typeof raw === 'string' ? new URL(raw) : undefined; } catch { url = undefined; }
  if (!url) throw new AuthServerUnavailableError(`the issuer's metadata has no valid ${what}`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new AuthServerUnavailableError(`the issuer's ${what} is not https (${url.protocol}//${url.host}); keys are fetched over https only, plain http only on loopback`);
  }
  return url;
}

/** Where RFC 8414 / OpenID Connect Discovery put the metadata of an issuer (with or without a path). */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    ...(path ? [`${url.origin}/.well-known/openid-configuration${path}`] : []),
  ];
}

/** Printable, one line, capped: a claim that reaches logs and plans. */
function name(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  if (clean === '') return undefined;
  return clean.length > MAX_NAME ? clean.slice(0, MAX_NAME) : clean;
}

/** `scope` (RFC 9068, space-separated) or `scp` (a list or a string, as some issuers send it). */
function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  const list = Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : typeof raw === 'string' ? raw.split(' ') : [];
  return [...new Set(list.map((s) => s.trim()).filter((s) => s !== ''))];
}

export class JwtVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private discovering: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  private readonly audiences: string[];

  constructor(private readonly settings: OAuthSettings, private readonly opts: { timeoutMs?: number; cooldownMs?: number } = {}) {
    const a = settings.audience;
    // One trailing slash either way: https://mcp.example.com and https://mcp.example.com/ are one resource.
    this.audiences = [...new Set([a, a.endsWith('/') ? a.slice(0, -1) : `${a}/`])];
  }

  /** The issuer's JWKS, discovered once; a failed discovery is tried again on the next token. */
  private keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return Promise.resolve(this.jwks);
    this.discovering ??= this.discover().then(
      (jwks) => { this.jwks = jwks; return jwks; },
      (err: unknown) => { this.discovering = undefined; throw err; },
    );
    return this.discovering;
  }

  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const timeoutMs = this.opts.timeoutMs ?? 5_000;
    let lastProblem = 'no metadata document answered';
    for (const url of metadataUrls(this.settings.issuer)) {
      secureUrl(url, 'metadata URL');
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { Accept: 'application/json' } });
      } catch (err) {
        lastProblem = `${url}: ${(err as Error).name}`;
        continue;
      }
      if (!res.ok) { lastProblem = `${url}: HTTP ${res.status}`; await res.body?.cancel(); continue; }
      const meta = await res.json().catch(() => undefined) as { issuer?: unknown; jwks_uri?: unknown } | undefined;
      // RFC 8414 §3.3: the metadata must name the very issuer it was fetched for.
      if (!meta || meta.issuer !== this.settings.issuer) {
        throw new AuthServerUnavailableError(`the metadata at ${url} names another issuer than SWAS_MCP_OAUTH_ISSUER`);
      }
      const jwksUri = secureUrl(meta.jwks_uri, 'jwks_uri');
      return createRemoteJWKSet(jwksUri, {
        timeoutDuration: timeoutMs,
        // A token with an unknown kid refetches the set, at most this often (a key rotation is seen within it).
        cooldownDuration: this.opts.cooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
      });
    }
    throw new AuthServerUnavailableError(`the issuer's metadata could not be read (${lastProblem})`);
  }

  async verify(token: string): Promise<VerifiedToken> {
    const jwks = await this.keys();
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      const verified = await jwtVerify(token, jwks, {
        algorithms: ALLOWED_ALGORITHMS,
        issuer: this.settings.issuer,
        audience: this.audiences,
        clockTolerance: CLOCK_LEEWAY_S,
        requiredClaims: ['exp', 'sub'],
      });
      payload = verified.payload;
      typ = verified.protectedHeader.typ;
    } catch (err) {
      if (err instanceof errors.JWKSTimeout || (err instanceof Error && err.name === 'TypeError')) {
        throw new AuthServerUnavailableError('the issuer\'s keys could not be fetched');
      }
      throw new InvalidTokenError(reason(err));
    }
    if (typ !== undefined && !ACCEPTED_TYP.has(typ.toLowerCase())) throw new InvalidTokenError("token type is not an access token");
    const subject = name(payload.sub);
    if (!subject) throw new InvalidTokenError('token has no subject');
    const clientId = name(payload.client_id) ?? name(payload.azp);
    return { subject, ...(clientId ? { clientId } : {}), scopes: scopesOf(payload), expiresAt: payload.exp! };
  }
}

/** Why jose refused, in a few words that say nothing of the token's content. */
function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `token ${err.claim} claim is not accepted`;
  if (err instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (err instanceof errors.JWKSNoMatchingKey) return 'token signing key is not among the issuer\'s keys';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'token signature is not valid';
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return 'token is not a valid signed JWT';
  if (err instanceof errors.JOSENotSupported) return 'token uses an unsupported algorithm or key';
  return 'token is not valid';
}
