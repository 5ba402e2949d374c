import { createHmac, randomBytes, timingSafeEqual } from '../node-crypto.js';
import { readFile, stat } from 'node:fs/promises';

/** What a consent is for: the tool, the normalised arguments and the state the plan saw. */
export interface Binding {
  tool: string;
  argsDigest: string;
  stateDigest: string;
}

export type Verdict = 'valid' | 'expired' | 'mismatch' | 'malformed';

/** A ConfirmToken lasts this long. */
export const CONSENT_TTL_MS = 10 * 60_000;
/** The shortest key `fromKey` / `fromKeyFile` accept. */
export const MIN_KEY_BYTES = 32;

/**
 * What a signed value proves. `confirm`: a ConfirmToken, handed out with a plan for a person to
 * approve. `asked`: the elicitation round's requestState, which proves only that this server asked
 * about this plan — never usable as a ConfirmToken, which would skip the person's answer.
 */
export type Purpose = 'confirm' | 'asked';
const PURPOSE_TAG: Record<Purpose, string> = { confirm: 'c', asked: 'a' };

interface Payload { v: 1; p: string; t: string; a: string; s: string; e: number }

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

/** Equal-length constant-time comparison of two strings (different lengths are simply unequal). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why a key is guessable, or undefined: whitespace in a text key, or too few different bytes (aaaa…). */
export function weakKeyReason(key: Buffer, isText: boolean): string | undefined {
  if (isText && /\s/.test(key.toString('latin1'))) return 'contains spaces';
  // A random hex key of 32 bytes shows (almost surely) all 16 digits; 10 is far above "aaaa" or "abab".
  if (new Set(key).size < 10) return `uses only ${new Set(key).size} different characters, so it is easy to guess`;
  return undefined;
}

/** Canonical unpadded base64url: decoding and encoding again gives the same text (no spare bits). */
function canonical(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const buf = Buffer.from(text, 'base64url');
  return buf.toString('base64url') === text ? buf : null;
}

/** Where used tokens are kept for every replica to see (PostgreSQL); `claim` is true only the first time. */
export interface UsedTokenStore { claim(token: string, expiresAt: number): Promise<boolean> }

/**
 * Signs and checks consent tokens: `base64url(payload).base64url(HMAC-SHA256(payload))`, the
 * payload binding {tool, argsDigest, stateDigest, expiresAt}. Signed, not encrypted: the payload
 * holds digests only.
 */
export class ConsentSigner {
  /** Tokens already used for a change, until they expire (single use per process). */
  private readonly used = new Map<string, number>();

  /** Set when replicas share a record: `claimShared` makes a token single-use across all of them. */
  private shared?: UsedTokenStore;

  private keyBytes: Buffer | undefined;

  /** `makeKey` runs once, on the first token: a random key is drawn then, so a start loads no crypto. */
  private constructor(private readonly makeKey: () => Buffer, readonly ttlMs: number) {}

  private get key(): Buffer {
    return (this.keyBytes ??= this.makeKey());
  }

  /** Used tokens are also recorded in `store`, which every replica consults. */
  shareUsedTokens(store: UsedTokenStore): void {
    this.shared = store;
  }

  /**
   * After `consume` passed in this process: claims the token in the shared store, so that another
   * replica given the same token refuses it. True without a shared store.
   */
  async claimShared(token: string, nowMs: number): Promise<boolean> {
    if (!this.shared) return true;
    const payload = this.open(token);
    return this.shared.claim(token, typeof payload?.e === 'number' ? payload.e : nowMs + this.ttlMs);
  }

  /**
   * Marks a valid token used; false if it was used before. Check and mark happen in one
   * synchronous step, so two concurrent calls with one token cannot both pass.
   */
  consume(token: string, nowMs: number): boolean {
    for (const [t, exp] of this.used) if (nowMs >= exp) this.used.delete(t);
    if (this.used.has(token)) return false;
    const payload = this.open(token);
    this.used.set(token, typeof payload?.e === 'number' ? payload.e : nowMs + this.ttlMs);
    return true;
  }

  /** A signer with this key (≥ 32 bytes). Replicas that share a key verify each other's tokens. */
  static fromKey(key: Buffer, ttlMs: number = CONSENT_TTL_MS): ConsentSigner {
    if (key.length < MIN_KEY_BYTES) {
      throw new Error(`The consent key is ${key.length} bytes; it must be at least ${MIN_KEY_BYTES}.`);
    }
    const copy = Buffer.from(key);
    return new ConsentSigner(() => copy, ttlMs);
  }

  /** A key of its own for another purpose (e.g. the approver cookies), derived from this one: replicas sharing the key derive the same. */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`derive:${purpose}`).digest();
  }

  /** A signer with a fresh random key: tokens verify only in this process (stdio). */
  static random(ttlMs: number = CONSENT_TTL_MS): ConsentSigner {
    return new ConsentSigner(() => randomBytes(32), ttlMs);
  }

  /**
   * A signer with the key in a file (`SWAS_MCP_CONSENT_KEY_FILE`, shared by every HTTP replica).
   * The file's bytes are the key (one trailing newline ignored, so `openssl rand -hex 32 > f`
   * works). Refused: a key under 32 bytes, and a file others may read or write (chmod 600) —
   * whoever holds the key can approve any plan.
   */
  static async fromKeyFile(path: string, ttlMs: number = CONSENT_TTL_MS): Promise<ConsentSigner> {
    let raw: Buffer;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a regular file');
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        throw new Error(`its group or others may read or write it (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`);
      }
      raw = await readFile(path);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`Cannot use the consent key file ${path}: ${why}.`, { cause: err });
    }
    // A text key (openssl rand -hex 32 > f) loses its line end; a raw binary key is used whole,
    // even when its last random byte happens to be 0x0a (1 time in 256).
    let end = raw.length;
    if (end > 0 && raw[end - 1] === 0x0a) end -= 1;
    if (end > 0 && raw[end - 1] === 0x0d) end -= 1;
    const isText = raw.subarray(0, end).every((b) => b >= 0x20 && b < 0x7f);
    const key = isText ? raw.subarray(0, end) : raw;
    if (key.length < MIN_KEY_BYTES) {
      throw new Error(
        `The consent key file ${path} holds ${key.length} bytes; it must hold at least ${MIN_KEY_BYTES} (e.g. openssl rand -hex 32).`,
      );
    }
    const weak = weakKeyReason(key, isText);
    if (weak) throw new Error(`The consent key in ${path} ${weak}; make a random one (openssl rand -hex 32 > file; chmod 600 file).`);
    return ConsentSigner.fromKey(key, ttlMs);
  }

  /** A ConfirmToken for this binding, valid for `ttlMs` from `nowMs`. */
  issue(b: Binding, nowMs: number): { token: string; expiresAt: string } {
    return this.sign('confirm', b, nowMs);
  }

  /** Checks a ConfirmToken against the binding of the call that carries it. */
  verify(token: string, b: Binding, nowMs: number): Verdict {
    return this.check('confirm', token, b, nowMs);
  }

  /** Signs a binding for a purpose. `issue` is `sign('confirm', …)`. */
  sign(purpose: Purpose, b: Binding, nowMs: number): { token: string; expiresAt: string } {
    const e = nowMs + this.ttlMs;
    const payload: Payload = { v: 1, p: PURPOSE_TAG[purpose], t: b.tool, a: b.argsDigest, s: b.stateDigest, e };
    const body = b64url(Buffer.from(JSON.stringify(payload), 'utf8'));
    return { token: `${body}.${b64url(this.mac(body))}`, expiresAt: new Date(e).toISOString() };
  }

  /**
   * `malformed`: not a token this server signed (garbled, tampered, another key, another purpose).
   * `mismatch`: signed, but for another tool, other arguments or another state. `expired`: signed
   * for this binding, past its time.
   */
  check(purpose: Purpose, token: string, b: Binding, nowMs: number): Verdict {
    const payload = this.open(token);
    if (
      payload === null || payload.v !== 1 || payload.p !== PURPOSE_TAG[purpose] ||
      typeof payload.t !== 'string' || typeof payload.a !== 'string' || typeof payload.s !== 'string' ||
      typeof payload.e !== 'number' || !Number.isFinite(payload.e)
    ) {
      return 'malformed';
    }
    const same = sameText(payload.t, b.tool) && sameText(payload.a, b.argsDigest) && sameText(payload.s, b.stateDigest);
    if (!same) return 'mismatch';
    return nowMs >= payload.e ? 'expired' : 'valid';
  }

  /**
   * Whether this key signed `token` for `purpose`, whatever it binds and however old: the check a
   * `requestState.verify` hook can make before the handler runs (binding and expiry are judged in
   * `obtainConsent`, where a stale answer means "ask again", not a protocol error).
   */
  signed(purpose: Purpose, token: string): boolean {
    const payload = this.open(token);
    return payload !== null && payload.v === 1 && payload.p === PURPOSE_TAG[purpose];
  }

  /** The payload of a token whose MAC this key made (compared in constant time), else null. */
  private open(token: string): Partial<Payload> | null {
    if (typeof token !== 'string' || token.length > 2048) return null;
    const parts = token.split('.');
    if (parts.length !== 2) return null;
    const [body, sig] = parts as [string, string];
    const given = canonical(sig);
    const bodyBytes = canonical(body);
    if (given === null || bodyBytes === null) return null;
    const want = this.mac(body);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
    try {
      const payload: unknown = JSON.parse(bodyBytes.toString('utf8'));
      return payload !== null && typeof payload === 'object' ? (payload as Partial<Payload>) : null;
    } catch {
      return null;
    }
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update('swas-image-mcp consent v1\n').update(body).digest();
  }
}
