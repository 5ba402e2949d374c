import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Grant } from 'oidc-provider';

/**
 * A real OpenID provider (panva's `oidc-provider`) on 127.0.0.1 for the OAuth tests.
 *
 * - Client credentials with resource indicators (RFC 8707): `token({ scopes })` gives a JWT access
 *   token (`typ: at+jwt`, RS256) with `aud` = the resource, `sub` = `client_id` = the agent client.
 * - Authorization code + PKCE for a person: the public client `approverClientId` (native, so any
 *   loopback port of a registered redirect URI is accepted). The provider's login page is one form:
 *   `input#login` (the username, which becomes `sub`) and `button#submit`; consent is granted
 *   with the login, without a page. `login(username)` walks the same flow over fetch, without a browser.
 * - `sign(claims)` signs arbitrary claims with the provider's own key (for expired, wrong-issuer
 *   tokens); `foreignKey()` is a key the provider does not publish (unknown `kid`).
 *
 * oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS" at import on Node 20: it runs
 * fine for tests (a devDependency only), and the helper says so once in the test output.
 */

export const SWAS_SCOPES = ['swas:read', 'swas:write', 'swas:destructive', 'swas:approve'] as const;
/** The OpenID scopes the provider knows besides the resource's. */
const OIDC_SCOPES = ['openid', 'profile'];

export interface OidcOptions {
  /** The resource indicator tokens are issued for by default (this server's public URL). */
  resource: string;
  /** Client-credentials clients to register (secret = `${id}-secret`). Default `['swas-agent']`. */
  agents?: string[];
  /** Only these usernames may log in; any non-empty username when absent. */
  users?: string[];
  /** Redirect URIs of the approver client (loopback http: any port is accepted). */
  approverRedirectUris?: string[];
  /** Access-token lifetime in seconds (default 600). */
  accessTokenTtl?: number;
  /** Per username, the only resource scopes a login may be granted (the rest are rejected); all when absent. */
  userScopes?: Record<string, readonly string[]>;
}

export interface TokenRequest {
  /** An agent client id from `agents` (default: the first). */
  clientId?: string;
  scopes: readonly string[];
  /** Default: the provider's `resource`. */
  resource?: string;
}

export interface LoginRequest {
  scopes?: readonly string[];
  resource?: string;
  /** Default: the first of `approverRedirectUris`. */
  redirectUri?: string;
}

export interface OidcProvider {
  /** `http://127.0.0.1:<port>` — also the `iss` of every token. */
  issuer: string;
  jwksUri: string;
  resource: string;
  agents: { clientId: string; clientSecret: string }[];
  approverClientId: string;
  approverRedirectUris: string[];
  /** A client-credentials access token (JWT) for the given scopes and resource. */
  token(req: TokenRequest): Promise<string>;
  /** An access token for `username` through authorization code + PKCE, driven over fetch. */
  login(username: string, req?: LoginRequest): Promise<{ accessToken: string; idToken?: string }>;
  /** Signs claims with the provider's own key (header `typ: at+jwt`, its `kid`), as-is. */
  sign(claims: JWTPayload, header?: { typ?: string }): Promise<string>;
  /** The provider's public signing key (what its JWKS publishes). */
  publicJwk: JWK;
  /** A key pair the provider does not publish, with its own `kid` (the same key for every provider of a run, a fresh `kid` for each). */
  foreignKey(): Promise<{ privateKey: CryptoKey; kid: string }>;
  /** How many times the JWKS was fetched (to see caching). */
  jwksFetches(): number;
  stop(): Promise<void>;
}

let warned = false;

type KeyPair = { privateKey: CryptoKey; publicKey: CryptoKey };

/** Where the test providers' RSA keys are kept between runs (gitignored with the rest of node_modules). */
const KEY_CACHE = resolve(__dirname, '../../node_modules/.cache/swas-test-oidc');

/**
 * An RSA key pair for the test providers, kept under node_modules/.cache and made only when it is
 * not there: RSA key generation costs ~0.15-0.25 s of CPU, and each worker that starts a provider
 * (and each that asks for a foreign key) paid it on every run. A test key of a loopback provider;
 * what a test proves does not depend on the key being new, only on who publishes it: a provider's
 * identity is its issuer and `kid` (fresh for each), which is all a verifier goes by.
 */
async function cachedKeyPair(name: 'signing' | 'foreign'): Promise<KeyPair> {
  const file = join(KEY_CACHE, `${name}-rs256.jwk.json`);
  try {
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
    return {
      privateKey: await importJWK(jwk, 'RS256', { extractable: true }) as CryptoKey,
      publicKey: await importJWK(pub, 'RS256', { extractable: true }) as CryptoKey,
    };
  } catch {
    // Not made yet (or unreadable): make it and keep it.
  }
  const pair = await generateKeyPair('RS256', { extractable: true });
  mkdirSync(KEY_CACHE, { recursive: true });
  // Written aside and renamed: a worker reading it meanwhile sees all of it or nothing.
  const part = `${file}.${process.pid}.part`;
  writeFileSync(part, JSON.stringify(await exportJWK(pair.privateKey)), { mode: 0o600 });
  renameSync(part, file);
  return pair;
}

/** The providers' signing key pair, read (or made) once per process. */
let signingKeys: Promise<KeyPair> | undefined;
/** The key pair no provider publishes, read (or made) on first use. */
let foreignKeys: Promise<KeyPair> | undefined;

export async function startOidcProvider(opts: OidcOptions): Promise<OidcProvider> {
  if (!warned) {
    warned = true;
    console.warn('[oidc test helper] oidc-provider 9.13.3 warns "Unsupported runtime" on Node 20: expected, it is a test-only dependency and works here.');
  }
  const { default: Provider } = await import('oidc-provider');

  const { privateKey, publicKey } = await (signingKeys ??= cachedKeyPair('signing'));
  const kid = `test-${randomBytes(4).toString('hex')}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let foreign: Promise<{ privateKey: CryptoKey; kid: string }> | undefined;

  const agentIds = opts.agents ?? ['swas-agent'];
  const agents = agentIds.map((clientId) => ({ clientId, clientSecret: `${clientId}-secret` }));
  const approverClientId = 'swas-approver';
  const approverRedirectUris = opts.approverRedirectUris ?? ['http://127.0.0.1/callback', 'http://localhost/callback'];
  const allScopes = SWAS_SCOPES.join(' ');

  // Listen first: the issuer URL needs the port.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => { res.statusCode = 503; res.end(); };
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      ...agents.map((a) => ({
        client_id: a.clientId,
        client_secret: a.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: allScopes,
      })),
      {
        client_id: approverClientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: approverRedirectUris,
        scope: `openid profile ${allScopes}`,
      },
    ],
    jwks: { keys: [privateJwk] },
    scopes: [...OIDC_SCOPES, ...SWAS_SCOPES],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string | string[]) => oneOf ?? opts.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => ({
          scope: allScopes,
          audience: resourceIndicator,
          accessTokenTTL: opts.accessTokenTtl ?? 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    pkce: { required: () => true },
    ttl: {
      AccessToken: opts.accessTokenTtl ?? 600, ClientCredentials: opts.accessTokenTtl ?? 600,
      AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600,
    },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, name: sub, preferred_username: sub }),
    }),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  });
  // The provider prints every server error to the console by default; the tests read them instead.
  provider.on('server_error', () => {});

  const callback = provider.callback();
  let jwksFetches = 0;
  handler = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/jwks') jwksFetches += 1;
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
    if (!m) { callback(req, res); return; }
    interaction(req, res, m[2] !== undefined).catch((err: unknown) => {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`interaction failed: ${(err as Error).message}`);
    });
  };

  async function interaction(req: IncomingMessage, res: ServerResponse, submitted: boolean): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (!submitted) { loginPage(res, details.uid); return; }
      const form = new URLSearchParams(await bodyOf(req));
      const username = (form.get('login') ?? '').trim();
      if (!username || (opts.users && !opts.users.includes(username))) {
        loginPage(res, details.uid, `unknown user ${JSON.stringify(username)}`);
        return;
      }
      // Consent comes with the login, granted as asked: a second interaction (the provider's
      // redirect to it and back) would cost each login two more requests and nothing a test reads.
      const { params } = details;
      const asked = typeof params.scope === 'string' ? params.scope.split(' ') : [];
      const grant = new provider.Grant({ accountId: username, clientId: String(params.client_id) });
      const resources = [params.resource ?? opts.resource].flat().map(String);
      grantAsAsked(grant, username, asked.filter((s) => OIDC_SCOPES.includes(s)), undefined,
        Object.fromEntries(resources.map((r) => [r, asked.filter((s) => (SWAS_SCOPES as readonly string[]).includes(s))])));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: username }, consent: { grantId } }, { mergeWithLastSubmission: false });
      return;
    }
    // Consent asked for later (a person already logged in at the issuer): granted as asked, without a page.
    const { prompt: { details: missing }, params, session, grantId } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
    if (!grant) throw new Error('grant not found');
    grantAsAsked(grant, String(session?.accountId), missing.missingOIDCScope as string[] | undefined,
      missing.missingOIDCClaims as string[] | undefined, missing.missingResourceScopes as Record<string, string[]> | undefined);
    const saved = await grant.save();
    await provider.interactionFinished(req, res, { consent: grantId ? {} : { grantId: saved } }, { mergeWithLastSubmission: true });
  }

  /** Grants what was asked (the tests are about the resource server), except the resource scopes `userScopes` refuses this user. */
  function grantAsAsked(grant: Grant, accountId: string, oidcScope?: string[], oidcClaims?: string[], resourceScopes?: Record<string, string[]>): void {
    if (oidcScope?.length) grant.addOIDCScope(oidcScope.join(' '));
    if (oidcClaims?.length) grant.addOIDCClaims(oidcClaims);
    const allowed = opts.userScopes?.[accountId];
    for (const [indicator, scopes] of Object.entries(resourceScopes ?? {})) {
      const given = allowed ? scopes.filter((s) => allowed.includes(s)) : scopes;
      const refused = scopes.filter((s) => !given.includes(s));
      if (given.length > 0) grant.addResourceScope(indicator, given.join(' '));
      if (refused.length > 0) grant.rejectResourceScope(indicator, refused.join(' '));
    }
  }

  async function token(req: TokenRequest): Promise<string> {
    const agent = req.clientId ? agents.find((a) => a.clientId === req.clientId) : agents[0];
    if (!agent) throw new Error(`no agent client ${req.clientId ?? ''}`);
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${agent.clientId}:${agent.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: req.scopes.join(' '), resource: req.resource ?? opts.resource }),
    });
    const body = await res.json() as { access_token?: string; error?: string; error_description?: string };
    if (!res.ok || !body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
    return body.access_token;
  }

  async function login(username: string, req: LoginRequest = {}): Promise<{ accessToken: string; idToken?: string }> {
    const redirectUri = req.redirectUri ?? approverRedirectUris[0]!;
    const resource = req.resource ?? opts.resource;
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const jar = new Map<string, string>();
    const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string> | undefined), Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      return res;
    };
    const auth = new URL(`${issuer}/auth`);
    auth.search = new URLSearchParams({
      client_id: approverClientId, response_type: 'code', redirect_uri: redirectUri,
      scope: `openid ${(req.scopes ?? ['swas:approve']).join(' ')}`, resource, state: 's',
      code_challenge: challenge, code_challenge_method: 'S256',
    }).toString();
    let res = await go(auth.href);
    let code: string | undefined;
    for (let hop = 0; hop < 10 && !code; hop += 1) {
      const location = res.headers.get('location');
      if (!location) throw new Error(`login flow stopped at ${res.status}: ${await res.text()}`);
      const next = new URL(location, issuer);
      if (next.href.startsWith(redirectUri) || `${next.origin}${next.pathname}` === redirectUri) {
        const err = next.searchParams.get('error');
        if (err) throw new Error(`authorization error: ${err} ${next.searchParams.get('error_description') ?? ''}`);
        code = next.searchParams.get('code') ?? undefined;
        break;
      }
      if (/^\/interaction\/[\w-]+$/.test(next.pathname)) {
        const page = await go(next.href);
        if (page.status === 200) {
          res = await go(`${next.href}/login`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ login: username }).toString(),
          });
          if (res.status === 200) throw new Error(`login refused for ${username}`);
          continue;
        }
        res = page;
        continue;
      }
      res = await go(next.href);
    }
    if (!code) throw new Error('no authorization code came back');
    const tokenRes = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier,
        client_id: approverClientId, resource,
      }),
    });
    const body = await tokenRes.json() as { access_token?: string; id_token?: string; error?: string; error_description?: string };
    if (!tokenRes.ok || !body.access_token) throw new Error(`token endpoint: ${tokenRes.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
    return { accessToken: body.access_token, ...(body.id_token ? { idToken: body.id_token } : {}) };
  }

  async function sign(claims: JWTPayload, header: { typ?: string } = {}): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: header.typ ?? 'at+jwt' }).sign(privateKey);
  }

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    resource: opts.resource,
    agents,
    approverClientId,
    approverRedirectUris,
    token,
    login,
    sign,
    publicJwk,
    foreignKey: () => (foreign ??= (foreignKeys ??= cachedKeyPair('foreign')).then(({ privateKey: key }) => ({ privateKey: key, kid: `foreign-${randomBytes(4).toString('hex')}` }))),
    jwksFetches: () => jwksFetches,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function loginPage(res: ServerResponse, uid: string, error?: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html><head><title>Sign in</title></head><body>
<h1>Sign in (test provider)</h1>${error ? `<p id="error">${error.replace(/[<>&]/g, '')}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label>Username <input id="login" name="login" autofocus></label>
<button id="submit" type="submit">Sign in</button>
</form></body></html>`);
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { text += c; });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
