import type * as CredentialsSdk from '@alicloud/credentials';
import type * as StsSdk from '@alicloud/sts20150401';
import { moduleExports } from '../swas/client.js';
import { SwasError, normaliseSdkError } from '../swas/errors.js';

type Provider = CredentialsSdk.CredentialsProvider;

/** The STS host: the operator's SWAS_MCP_STS_ENDPOINT, else Alibaba's global STS endpoint. */
export const DEFAULT_STS_HOST = 'sts.aliyuncs.com';

export interface CallerIdentity { AccountId: string; IdentityType?: string }

/**
 * STS GetCallerIdentity through Alibaba's STS SDK, signed with one profile's own provider: the
 * account ID behind the profile. Needs no RAM permission.
 */
export async function getCallerIdentity(provider: Provider, endpoint: URL | undefined, timeoutMs: number): Promise<CallerIdentity> {
  const [sts, credentials, openapi, dara] = await Promise.all([
    import('@alicloud/sts20150401'),
    import('@alicloud/credentials'),
    import('@alicloud/openapi-core'),
    import('@darabonba/typescript'),
  ]);
  const stsMod = moduleExports(sts as { default: typeof StsSdk.default }, 'GetCallerIdentityResponse');
  const credLib = moduleExports(credentials, 'Config');
  const OpenApiConfig = moduleExports(openapi, '$OpenApiUtil').$OpenApiUtil.Config;
  const RuntimeOptions = moduleExports(dara, 'RuntimeOptions').RuntimeOptions;
  const host = endpoint ? endpoint.host : DEFAULT_STS_HOST;
  const Client = stsMod.default;
  const client = new Client(new OpenApiConfig({
    credential: new credLib.default(null, provider),
    endpoint: host,
    protocol: endpoint?.protocol === 'http:' ? 'HTTP' : 'HTTPS',
  }));
  try {
    const res = await client.getCallerIdentityWithOptions(new RuntimeOptions({ readTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 5_000) }));
    const id = res.body?.accountId;
    if (!id || !/^\d{1,20}$/.test(id)) throw new SwasError({ code: 'InvalidCallerIdentity', stage: 'api', message: 'STS GetCallerIdentity answered no account ID.' });
    return { AccountId: id, ...(res.body?.identityType ? { IdentityType: res.body.identityType } : {}) };
  } catch (err) {
    throw normaliseSdkError(err, host);
  }
}
