import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentSigner } from '../../src/consent/index.js';

/** ConfirmTokens and the key they are signed with, hardened: single use, canonical, a real key, a private file. */
const T0 = Date.UTC(2026, 11, 2, 3, 0, 0);
const b = { tool: 'delete_custom_images', argsDigest: 'a'.repeat(64), stateDigest: 'b'.repeat(64) };
const HEX = '3f9a0c27b41d8e65f07a2b93c6d1e84a59b02f7c3d6e18a4b7c90e25f16a3d8b';

describe('a ConfirmToken', () => {
  it('is used once per process: the second consume of the same token fails, until it expires', () => {
    const signer = ConsentSigner.random();
    const { token } = signer.issue(b, T0);
    expect(signer.verify(token, b, T0)).toBe('valid');
    expect(signer.consume(token, T0)).toBe(true);
    expect(signer.consume(token, T0 + 1)).toBe(false);
    // Five at once in one tick: exactly one passes.
    const second = signer.issue({ ...b, stateDigest: 'c'.repeat(64) }, T0).token;
    expect(Array.from({ length: 5 }, () => signer.consume(second, T0)).filter(Boolean)).toHaveLength(1);
  });

  it('must be canonical base64url: every other last character of the MAC fails', () => {
    const signer = ConsentSigner.random();
    const { token } = signer.issue(b, T0);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const c of alphabet) {
      if (c === token.at(-1)) continue;
      expect(signer.verify(`${token.slice(0, -1)}${c}`, b, T0)).toBe('malformed');
    }
    const [body, sig] = token.split('.') as [string, string];
    expect(signer.verify(`${body}=.${sig}`, b, T0)).toBe('malformed');
    expect(signer.verify(`${body}.${sig}=`, b, T0)).toBe('malformed');
  });
});

describe('the consent key file', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'consent-key-hard-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it.each([0o640, 0o604, 0o660])('refuses mode %s (group or others may read it)', async (mode) => {
    const path = join(dir, `k${mode}`);
    await writeFile(path, HEX);
    await chmod(path, mode);
    await expect(ConsentSigner.fromKeyFile(path)).rejects.toThrow(/chmod 600/);
    await chmod(path, 0o600);
    await expect(ConsentSigner.fromKeyFile(path)).resolves.toBeInstanceOf(ConsentSigner);
  });

  it.each([
    ['aaaa…', 'a'.repeat(64), /different characters/],
    ['abab…', 'ab'.repeat(32), /different characters/],
    ['spaces', `${HEX.slice(0, 30)} ${HEX.slice(30)}`, /spaces/],
  ])('refuses a low-entropy key (%s)', async (_name, key, why) => {
    const path = join(dir, `weak-${_name.length}-${key.length}`);
    await writeFile(path, key, { mode: 0o600 });
    await expect(ConsentSigner.fromKeyFile(path)).rejects.toThrow(why);
  });
});
