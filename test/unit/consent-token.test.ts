import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentSigner, CONSENT_TTL_MS, type Binding } from '../../src/consent/token.js';

const T0 = Date.UTC(2026, 10, 29, 18, 0, 0);
const b: Binding = { tool: 'delete_custom_images', argsDigest: 'a'.repeat(64), stateDigest: 's'.repeat(64) };

describe('ConsentSigner', () => {
  const signer = ConsentSigner.random();

  it('issues a base64url token that verifies for its binding, with expiresAt 10 minutes on', () => {
    const { token, expiresAt } = signer.issue(b, T0);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(expiresAt).toBe(new Date(T0 + 10 * 60_000).toISOString());
    expect(CONSENT_TTL_MS).toBe(600_000);
    expect(signer.verify(token, b, T0)).toBe('valid');
    expect(signer.verify(token, b, T0 + CONSENT_TTL_MS - 1)).toBe('valid');
  });

  it('expires at 10 minutes (injected clock)', () => {
    const { token } = signer.issue(b, T0);
    expect(signer.verify(token, b, T0 + CONSENT_TTL_MS)).toBe('expired');
  });

  it('is a mismatch for another tool, other arguments or another state', () => {
    const { token } = signer.issue(b, T0);
    expect(signer.verify(token, { ...b, tool: 'delete_snapshots' }, T0)).toBe('mismatch');
    expect(signer.verify(token, { ...b, argsDigest: 'b'.repeat(64) }, T0)).toBe('mismatch');
    expect(signer.verify(token, { ...b, stateDigest: 't'.repeat(64) }, T0)).toBe('mismatch');
  });

  it('refuses a tampered payload or signature, garbage, and another key as malformed', () => {
    const { token } = signer.issue(b, T0);
    const [body, sig] = token.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    // Stretch the expiry and keep the signature: the MAC no longer matches.
    const forged = Buffer.from(JSON.stringify({ ...payload, e: T0 + 10 * CONSENT_TTL_MS })).toString('base64url');
    expect(signer.verify(`${forged}.${sig}`, b, T0 + CONSENT_TTL_MS)).toBe('malformed');
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`; // a middle character: whole bits
    expect(signer.verify(`${body}.${flipped}`, b, T0)).toBe('malformed');
    for (const junk of ['', '.', 'abc', `${body}.`, `${body}.${sig}.x`, 'x'.repeat(5000)]) {
      expect(signer.verify(junk, b, T0)).toBe('malformed');
    }
    expect(ConsentSigner.random().verify(token, b, T0)).toBe('malformed');
  });

  it('keeps the purposes apart: an elicitation state is never a ConfirmToken', () => {
    const asked = signer.sign('asked', b, T0).token;
    expect(signer.check('asked', asked, b, T0)).toBe('valid');
    expect(signer.verify(asked, b, T0)).toBe('malformed');
    expect(signer.check('asked', signer.issue(b, T0).token, b, T0)).toBe('malformed');
  });

  it('signed() tells a token this key made for a purpose, whatever its binding or age', () => {
    const asked = signer.sign('asked', b, T0).token;
    expect(signer.signed('asked', asked)).toBe(true);
    expect(signer.signed('confirm', asked)).toBe(false);
    expect(ConsentSigner.random().signed('asked', asked)).toBe(false);
    expect(signer.signed('asked', 'x.y')).toBe(false);
  });

  it('verifies across instances that share a key (HTTP replicas)', () => {
    const key = Buffer.alloc(32, 7);
    const one = ConsentSigner.fromKey(key);
    const two = ConsentSigner.fromKey(Buffer.from(key));
    expect(two.verify(one.issue(b, T0).token, b, T0)).toBe('valid');
    expect(() => ConsentSigner.fromKey(Buffer.alloc(31))).toThrow(/at least 32/);
  });

  describe('fromKeyFile', () => {
    let dir: string;
    beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'consent-key-')); });
    afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

    it('reads the key (trailing newline ignored) so two replicas agree', async () => {
      const path = join(dir, 'key');
      const hex = '3f9a0c27b41d8e65f07a2b93c6d1e84a59b02f7c3d6e18a4b7c90e25f16a3d8b';
      await writeFile(path, `${hex}\n`, { mode: 0o600 });
      const one = await ConsentSigner.fromKeyFile(path);
      const two = ConsentSigner.fromKey(Buffer.from(hex));
      expect(two.verify(one.issue(b, T0).token, b, T0)).toBe('valid');
    });

    it('uses a raw binary key whole, even when its last random byte is a newline', async () => {
      const path = join(dir, 'raw');
      const raw = Buffer.concat([Buffer.from(Array.from({ length: 31 }, (_, i) => (i * 37 + 200) % 256)), Buffer.from([0x0a])]);
      await writeFile(path, raw, { mode: 0o600 });
      const one = await ConsentSigner.fromKeyFile(path);
      expect(ConsentSigner.fromKey(raw).verify(one.issue(b, T0).token, b, T0)).toBe('valid');
    });

    it('refuses a key under 32 bytes', async () => {
      const path = join(dir, 'short');
      await writeFile(path, `${'k'.repeat(31)}\n`, { mode: 0o600 });
      await expect(ConsentSigner.fromKeyFile(path)).rejects.toThrow(/31 bytes.*at least 32/);
    });

    it('refuses a file others can read, and a missing file, naming the path', async () => {
      const path = join(dir, 'open');
      await writeFile(path, 'k'.repeat(64), { mode: 0o644 });
      await expect(ConsentSigner.fromKeyFile(path)).rejects.toThrow(/chmod 600/);
      await expect(ConsentSigner.fromKeyFile(join(dir, 'nope'))).rejects.toThrow(join(dir, 'nope'));
    });
  });
});
