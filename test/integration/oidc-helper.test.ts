import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc.js';

// The helper the OAuth tests stand on: a real oidc-provider issuing what a resource server sees.
const RESOURCE = 'http://127.0.0.1:1/mcp';
let op: OidcProvider;
beforeAll(async () => {
  op = await startOidcProvider({ resource: RESOURCE, agents: ['swas-agent', 'reader'], users: ['alice', 'bob'] });
});
afterAll(async () => { await op?.stop(); });

describe('test OpenID provider', () => {
  it('issues client-credentials JWT access tokens for the resource, with only the asked scopes', async () => {
    const token = await op.token({ clientId: 'reader', scopes: ['swas:read', 'not:a-scope'] });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(op.jwksUri)), { issuer: op.issuer, audience: RESOURCE, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'reader', client_id: 'reader', scope: 'swas:read' });
  });

  it('logs a person in through authorization code + PKCE: sub is the username', async () => {
    const { accessToken } = await op.login('alice', { scopes: ['swas:approve'] });
    const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(op.jwksUri)), { issuer: op.issuer, audience: RESOURCE });
    expect(payload).toMatchObject({ sub: 'alice', client_id: op.approverClientId, scope: 'swas:approve' });
  });

  it('refuses a username outside the user list', async () => {
    await expect(op.login('mallory')).rejects.toThrow(/login refused for mallory/);
  });

  it('publishes its issuer metadata with the JWKS location', async () => {
    const meta = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(meta).toMatchObject({ issuer: op.issuer, jwks_uri: op.jwksUri });
  });
});
