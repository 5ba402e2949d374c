import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthServerUnavailableError, InvalidTokenError, JwtVerifier, metadataUrls } from '../../src/auth/verify.js';

/** A minimal issuer on loopback whose published keys and metadata a test can change. */
async function issuer(): Promise<{ url: string; keys: JWK[]; jwksUri: { value?: string }; fetches: () => number; close: () => Promise<void> }> {
  const state = { keys: [] as JWK[], jwksUri: {} as { value?: string }, fetches: 0 };
  let url = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') { res.end(JSON.stringify({ issuer: url, jwks_uri: state.jwksUri.value ?? `${url}/jwks` })); return; }
    if (req.url === '/jwks') { state.fetches += 1; res.end(JSON.stringify({ keys: state.keys })); return; }
    res.statusCode = 404; res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, keys: state.keys, jwksUri: state.jwksUri, fetches: () => state.fetches, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

async function key(kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

const RESOURCE = 'https://mcp.example.com/mcp';
const sign = (k: CryptoKey, kid: string, iss: string, extra: Record<string, unknown> = {}) => new SignJWT({ sub: 'alice', azp: 'cli', scp: ['swas:read'], ...extra })
  .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).setIssuer(iss).setAudience(RESOURCE).setIssuedAt().setExpirationTime('5m').sign(k);

const open: { close: () => Promise<void> }[] = [];
afterEach(async () => { for (const o of open.splice(0)) await o.close(); });

describe('JwtVerifier', () => {
  it('finds the JWKS through the issuer metadata, caches it, and refetches it when a token names a new kid (key rotation)', async () => {
    const iss = await issuer();
    open.push(iss);
    const a = await key('a');
    iss.keys.push(a.jwk);
    const v = new JwtVerifier({ issuer: iss.url, resource: RESOURCE, audience: RESOURCE }, { cooldownMs: 0 });
    const who = await v.verify(await sign(a.privateKey, 'a', iss.url));
    expect(who).toMatchObject({ subject: 'alice', clientId: 'cli', scopes: ['swas:read'] });
    await v.verify(await sign(a.privateKey, 'a', iss.url));
    expect(iss.fetches()).toBe(1);
    const b = await key('b');
    iss.keys.splice(0, 1, b.jwk);
    await expect(v.verify(await sign(b.privateKey, 'b', iss.url))).resolves.toMatchObject({ subject: 'alice' });
    expect(iss.fetches()).toBe(2);
  });

  it('accepts the audience with or without one trailing slash, nothing else', async () => {
    const iss = await issuer();
    open.push(iss);
    const a = await key('a');
    iss.keys.push(a.jwk);
    const v = new JwtVerifier({ issuer: iss.url, resource: RESOURCE, audience: RESOURCE });
    await expect(v.verify(await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'a' }).setIssuer(iss.url).setAudience(`${RESOURCE}/`).setExpirationTime('5m').sign(a.privateKey))).resolves.toMatchObject({ subject: 'x', scopes: [] });
    await expect(v.verify(await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'a' }).setIssuer(iss.url).setAudience(`${RESOURCE}x`).setExpirationTime('5m').sign(a.privateKey))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a jwks_uri over plain http to a non-loopback host, and says the issuer is unavailable (not the token invalid)', async () => {
    const iss = await issuer();
    open.push(iss);
    iss.jwksUri.value = 'http://keys.example.com/jwks';
    const a = await key('a');
    const v = new JwtVerifier({ issuer: iss.url, resource: RESOURCE, audience: RESOURCE });
    const err = await v.verify(await sign(a.privateKey, 'a', iss.url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthServerUnavailableError);
    expect((err as Error).message).toMatch(/jwks_uri is not https/);
  });

  it('an issuer whose metadata cannot be read is "unavailable" (503 upstream), and is asked again on the next token', async () => {
    const iss = await issuer();
    open.push(iss);
    const v = new JwtVerifier({ issuer: `${iss.url}/missing`, resource: RESOURCE, audience: RESOURCE });
    const a = await key('a');
    for (let i = 0; i < 2; i += 1) {
      const err = await v.verify(await sign(a.privateKey, 'a', iss.url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthServerUnavailableError);
      expect((err as Error).message).toMatch(/HTTP 404/);
    }
  });

  it('looks for metadata at the OpenID and RFC 8414 places, path-aware', () => {
    expect(metadataUrls('https://login.example.com/realms/team')).toEqual([
      'https://login.example.com/realms/team/.well-known/openid-configuration',
      'https://login.example.com/.well-known/oauth-authorization-server/realms/team',
      'https://login.example.com/.well-known/openid-configuration/realms/team',
    ]);
  });
});
