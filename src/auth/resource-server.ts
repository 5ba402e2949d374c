import {
  bearerAuthChallengeResponse, buildOAuthProtectedResourceMetadata, getOAuthProtectedResourceMetadataUrl, OAuthError, OAuthErrorCode,
  verifyBearerToken, type AuthInfo, type OAuthMetadata,
} from '@modelcontextprotocol/server';
import { isLoopbackHost } from '../http/guards.js';
import { ALL_SCOPES, type Identity } from './identity.js';
import type { OAuthSettings } from './settings.js';
import { AuthServerUnavailableError, InvalidTokenError, JwtVerifier } from './verify.js';

/** An HTTP answer the server writes as it is. */
export interface Refusal { status: number; headers: Record<string, string>; body: string; reason: string }

export type Authentication = { ok: true; identity: Identity; authInfo: AuthInfo } | { ok: false; refusal: Refusal };

const METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * This server as an OAuth 2.0 resource server (the MCP authorization spec): it publishes its RFC 9728
 * metadata, verifies each request's access token (see JwtVerifier), and answers 401 / 403 with the
 * `WWW-Authenticate: Bearer` challenge that points clients at the metadata. The SDK's
 * `verifyBearerToken` and `bearerAuthChallengeResponse` do the header parsing, the expiry check
 * and the challenge; the verifier is ours (jose, JWKS).
 */
export class ResourceServer {
  readonly metadataUrl: string;
  private readonly metadata: Record<string, unknown>;
  private readonly paths: Set<string>;
  private readonly verifier: JwtVerifier;

  constructor(readonly settings: OAuthSettings) {
    const resourceUrl = new URL(settings.resource);
    this.metadataUrl = getOAuthProtectedResourceMetadataUrl(resourceUrl);
    this.metadata = {
      ...buildOAuthProtectedResourceMetadata({
        // Only `issuer` is read from it; the rest of the authorization server's metadata is its own to serve.
        oauthMetadata: { issuer: settings.issuer } as OAuthMetadata,
        resourceServerUrl: resourceUrl,
        scopesSupported: [...ALL_SCOPES],
        resourceName: 'SWAS custom images (swas-image-mcp)',
        dangerouslyAllowInsecureIssuerUrl: isLoopbackHost(new URL(settings.issuer).hostname),
      }),
      resource: settings.resource,
      bearer_methods_supported: ['header'],
    };
    // The bare form, the /mcp form, and the path of the public URL (behind a proxy with a prefix).
    this.paths = new Set([METADATA_PATH, `${METADATA_PATH}/mcp`, new URL(this.metadataUrl).pathname]);
    this.verifier = new JwtVerifier(settings);
  }

  /** The metadata document, when `path` is one of its well-known paths. */
  metadataFor(path: string): Record<string, unknown> | undefined {
    return this.paths.has(path) ? this.metadata : undefined;
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (authorization === undefined || authorization.trim() === '') {
      // RFC 6750 §3.1: no error code when the request carried no credentials.
      return { ok: false, refusal: { status: 401, reason: 'no-token', headers: { 'WWW-Authenticate': `Bearer resource_metadata="${this.metadataUrl}"` }, body: JSON.stringify({ error: 'invalid_token', error_description: 'Missing access token' }) } };
    }
    const verifier = {
      verifyAccessToken: async (token: string): Promise<AuthInfo> => {
        try {
          const v = await this.verifier.verify(token);
          // The token is not handed on: what handlers may see carries none.
          return { token: '', clientId: v.clientId ?? '', scopes: [...v.scopes], expiresAt: v.expiresAt, extra: { subject: v.subject } };
        } catch (err) {
          if (err instanceof InvalidTokenError) throw new OAuthError(OAuthErrorCode.InvalidToken, err.message);
          throw err;
        }
      },
    };
    try {
      const authInfo = await verifyBearerToken(authorization, { verifier, resourceMetadataUrl: this.metadataUrl });
      const identity: Identity = {
        subject: String(authInfo.extra?.subject ?? ''),
        ...(authInfo.clientId ? { clientId: authInfo.clientId } : {}),
        scopes: authInfo.scopes,
      };
      return { ok: true, identity, authInfo };
    } catch (err) {
      if (err instanceof AuthServerUnavailableError) {
        return { ok: false, refusal: { status: 503, reason: 'auth-server-unavailable', headers: { 'Retry-After': '5' }, body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'The authorization server\'s keys could not be read; try again shortly.' }) } };
      }
      return { ok: false, refusal: await toRefusal(bearerAuthChallengeResponse(err, { resourceMetadataUrl: this.metadataUrl }), err) };
    }
  }

  /** 403 insufficient_scope naming the scope the call needs (MCP authorization: step-up). */
  async insufficientScope(scope: string): Promise<Refusal> {
    const err = new OAuthError(OAuthErrorCode.InsufficientScope, `This call needs the scope ${scope}`);
    return toRefusal(bearerAuthChallengeResponse(err, { requiredScopes: [scope], resourceMetadataUrl: this.metadataUrl }), err);
  }
}

/** The identity `authenticate` put into the SDK's AuthInfo (the factory of each request's server reads it back). */
export function identityFromAuthInfo(info: AuthInfo): Identity | undefined {
  const subject = info.extra?.subject;
  if (typeof subject !== 'string' || subject === '') return undefined;
  return { subject, ...(info.clientId ? { clientId: info.clientId } : {}), scopes: info.scopes };
}

async function toRefusal(res: Response, err: unknown): Promise<Refusal> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => { if (k !== 'content-type' && k !== 'content-length') headers[k] = v; });
  const reason = err instanceof OAuthError ? `${err.code}: ${err.message}` : 'error';
  return { status: res.status, headers, body: await res.text(), reason };
}
