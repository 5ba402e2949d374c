import { createHash, createHmac, randomBytes, timingSafeEqual } from '../node-crypto.js';

/**
 * The pure parts of an approver's login: PKCE, state and nonce, and the two signed cookies — the
 * login in progress (state, nonce, PKCE verifier, where to return) and the approver's session
 * (subject, expiry). Signed with a key derived from the consent key, so every replica that shares
 * SWAS_MCP_CONSENT_KEY_FILE accepts the others' cookies.
 */

/** A random value for `state`, `nonce` or a PKCE verifier: 32 bytes, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Equal strings, compared in constant time (a state or nonce check must not leak by timing). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The login in progress, kept in the browser between the redirect to the issuer and the callback. */
export interface LoginTransaction {
  state: string;
  nonce: string;
  verifier: string;
  /** The approval page's secret to return to. */
  secret: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

/** A logged-in approver. */
export interface ApproverSession {
  /** The issuer's subject of the person. */
  sub: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

const TRANSACTION_PURPOSE = 'swas-approval-login-v1';
const SESSION_PURPOSE = 'swas-approver-session-v1';

/** Signs and opens the cookies; one key, two purposes, so one cookie never passes for the other. */
export class CookieSealer {
  private readonly key: Buffer;

  /** `key`: at least 32 bytes, e.g. ConsentSigner.derive('approver-cookies'). */
  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('The cookie key must be at least 32 bytes.');
    this.key = Buffer.from(key);
  }

  sealTransaction(t: LoginTransaction): string { return this.seal(TRANSACTION_PURPOSE, t); }
  sealSession(s: ApproverSession): string { return this.seal(SESSION_PURPOSE, s); }

  openTransaction(value: string | undefined, now: number): LoginTransaction | undefined {
    const t = this.open(TRANSACTION_PURPOSE, value, now) as Partial<LoginTransaction> | undefined;
    return t && typeof t.state === 'string' && typeof t.nonce === 'string' && typeof t.verifier === 'string' && typeof t.secret === 'string'
      ? t as LoginTransaction : undefined;
  }

  openSession(value: string | undefined, now: number): ApproverSession | undefined {
    const s = this.open(SESSION_PURPOSE, value, now) as Partial<ApproverSession> | undefined;
    return s && typeof s.sub === 'string' && s.sub !== '' ? s as ApproverSession : undefined;
  }

  private mac(purpose: string, body: string): string {
    return createHmac('sha256', this.key).update(`${purpose}.${body}`).digest('base64url');
  }

  private seal(purpose: string, payload: object): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(purpose, body)}`;
  }

  private open(purpose: string, value: string | undefined, now: number): Record<string, unknown> | undefined {
    if (!value || value.length > 4096) return undefined;
    const [body, mac, extra] = value.split('.');
    if (!body || !mac || extra !== undefined || !sameSecret(mac, this.mac(purpose, body))) return undefined;
    let payload: unknown;
    try { payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')); } catch { return undefined; }
    if (payload === null || typeof payload !== 'object') return undefined;
    const exp = (payload as { exp?: unknown }).exp;
    return typeof exp === 'number' && now < exp ? payload as Record<string, unknown> : undefined;
  }
}

/** The cookies' names; both are scoped to the approval page's path. */
export const TRANSACTION_COOKIE = 'swas_approval_login';
export const SESSION_COOKIE = 'swas_approver';

/**
 * A Set-Cookie value: HttpOnly, SameSite=Lax (sent on the issuer's top-level redirect back, not
 * on another site's POST), Path=/approve/, Secure unless the page is served on loopback.
 */
export function setCookie(name: string, value: string, maxAgeS: number, secure: boolean): string {
  return `${name}=${value}; Path=/approve/; Max-Age=${Math.max(0, Math.floor(maxAgeS))}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
