import { createRequire } from 'node:module';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PasskeyAuthority } from './page.js';

/**
 * Passkeys that prove a person on the approval page: WebAuthn with user verification required
 * (a PIN, fingerprint or face on the person's device). Enrolled by the operator with
 * `swas-image-mcp passkey add`; kept in a 0600 file of public keys (nothing secret, but who may
 * approve is decided by it). The WebAuthn library loads only when a passkey is used.
 */

interface StoredPasskey { id: string; publicKey: string; counter: number; transports?: string[]; name: string; rpID: string; createdAt: string }
interface PasskeyFile { passkeys: StoredPasskey[] }

const CHALLENGE_TTL_MS = 5 * 60_000;
const RP_NAME = 'SWAS image server approvals';

type WebAuthnServer = typeof import('@simplewebauthn/server');
let lib: Promise<WebAuthnServer> | undefined;
const webauthn = () => (lib ??= import('@simplewebauthn/server'));

export class FilePasskeys implements PasskeyAuthority {
  private readonly challenges = new Map<string, { challenge: string; expires: number }>();

  constructor(readonly path: string) {}

  async list(): Promise<StoredPasskey[]> {
    let raw: string;
    try {
      const info = await stat(this.path);
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        throw new Error(`The passkey file ${this.path} may be read or written by others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it.`);
      }
      raw = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const parsed = JSON.parse(raw) as PasskeyFile;
    return Array.isArray(parsed.passkeys) ? parsed.passkeys : [];
  }

  async enrolled(): Promise<boolean> {
    return (await this.list().catch(() => [])).length > 0;
  }

  private remember(key: string, challenge: string): void {
    const now = Date.now();
    for (const [k, c] of this.challenges) if (now >= c.expires) this.challenges.delete(k);
    this.challenges.set(key, { challenge, expires: now + CHALLENGE_TTL_MS });
  }

  /** The challenge for `key`, once: a replayed assertion finds none. */
  private take(key: string): string | undefined {
    const c = this.challenges.get(key);
    this.challenges.delete(key);
    return c && Date.now() < c.expires ? c.challenge : undefined;
  }

  async options(approvalId: string, rpID: string): Promise<unknown> {
    const { generateAuthenticationOptions } = await webauthn();
    const keys = (await this.list()).filter((k) => k.rpID === rpID);
    const opts = await generateAuthenticationOptions({
      rpID, userVerification: 'required',
      allowCredentials: keys.map((k) => ({ id: k.id, ...(k.transports ? { transports: k.transports as never } : {}) })),
    });
    this.remember(`auth:${approvalId}`, opts.challenge);
    return opts;
  }

  async verify(approvalId: string, response: unknown, rpID: string, origin: string): Promise<string | undefined> {
    const challenge = this.take(`auth:${approvalId}`);
    const id = (response as { id?: unknown } | null)?.id;
    if (!challenge || typeof id !== 'string') return undefined;
    const keys = await this.list();
    const key = keys.find((k) => k.id === id && k.rpID === rpID);
    if (!key) return undefined;
    const { verifyAuthenticationResponse } = await webauthn();
    const result = await verifyAuthenticationResponse({
      response: response as never, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
      credential: { id: key.id, publicKey: Buffer.from(key.publicKey, 'base64url'), counter: key.counter, ...(key.transports ? { transports: key.transports as never } : {}) },
    });
    if (!result.verified) return undefined;
    key.counter = result.authenticationInfo.newCounter;
    await this.save(keys);
    return key.name;
  }

  /** Enrollment, step 1: options for the browser (the existing passkeys are excluded). */
  async registrationOptions(rpID: string, name: string): Promise<unknown> {
    const { generateRegistrationOptions } = await webauthn();
    const keys = await this.list();
    const opts = await generateRegistrationOptions({
      rpName: RP_NAME, rpID, userName: name, attestationType: 'none',
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      excludeCredentials: keys.filter((k) => k.rpID === rpID).map((k) => ({ id: k.id })),
    });
    this.remember('register', opts.challenge);
    return opts;
  }

  /** Enrollment, step 2: verify the new credential and keep it. */
  async register(response: unknown, rpID: string, origin: string, name: string): Promise<boolean> {
    const challenge = this.take('register');
    if (!challenge) return false;
    const { verifyRegistrationResponse } = await webauthn();
    const result = await verifyRegistrationResponse({
      response: response as never, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true,
    });
    if (!result.verified || !result.registrationInfo) return false;
    const c = result.registrationInfo.credential;
    const keys = await this.list();
    keys.push({
      id: c.id, publicKey: Buffer.from(c.publicKey).toString('base64url'), counter: c.counter,
      ...(c.transports ? { transports: c.transports } : {}), name: name.slice(0, 64), rpID, createdAt: new Date().toISOString(),
    });
    await this.save(keys);
    return true;
  }

  private async save(keys: StoredPasskey[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    try {
      await fh.writeFile(`${JSON.stringify({ passkeys: keys } satisfies PasskeyFile, null, 2)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
  }

  async browserScript(): Promise<string> {
    return browserLibrary();
  }
}

let script: Promise<string> | undefined;
/** SimpleWebAuthn's browser bundle: beside the built server (the build copies it), else from node_modules. */
export function browserLibrary(): Promise<string> {
  script ??= (async () => {
    for (const rel of ['./webauthn-browser.js', '../webauthn-browser.js']) {
      try { return await readFile(new URL(rel, import.meta.url), 'utf8'); } catch { /* next */ }
    }
    // The package exports no path to its bundle: find it from the package's entry point.
    const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
    const root = entry.slice(0, entry.lastIndexOf('/@simplewebauthn/browser/') + '/@simplewebauthn/browser/'.length);
    return readFile(`${root}dist/bundle/index.umd.min.js`, 'utf8');
  })();
  return script;
}
