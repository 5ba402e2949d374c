import type * as CredentialsSdk from '@alicloud/credentials';
import type { Logger } from 'pino';
import { moduleExports, SdkSwasApi } from '../swas/client.js';
import { SwasError } from '../swas/errors.js';
import type { RetryPolicy } from '../swas/retry.js';
import type { ProfileSpec } from './files.js';
import type { ProfilePolicy } from './settings.js';
import { getCallerIdentity } from './sts.js';

type Provider = CredentialsSdk.CredentialsProvider;

/** What a call knows of the profile it acts on: in every plan, result, ledger and log line. */
export interface CallProfile {
  name: string;
  /** The account behind it (STS GetCallerIdentity), when it could be read. */
  accountId?: string;
  /** Account IDs the call's arguments gave as profile names (share_custom_image's Accounts): ID → name. */
  accountNames?: Record<string, string>;
}

/** "prod" (account 1234567890123456): how a profile is named wherever a call is described. */
export function profileLabel(p: CallProfile): string {
  return `"${p.name}" (account ${p.accountId ?? 'unknown: GetCallerIdentity failed'})`;
}

export interface ProfileIdentity { accountId?: string; errorCode?: string }

/** One allowed profile: its spec, its ceiling, its own credentials, SWAS client and account. */
export class Profile {
  private providerP?: Promise<Provider>;
  private account?: string;
  readonly api: SdkSwasApi;

  constructor(readonly spec: ProfileSpec, readonly policy: ProfilePolicy, readonly regionId: string | undefined,
    private readonly opts: { endpoint?: URL; stsEndpoint?: URL; retry: RetryPolicy; log: Logger; requestTimeoutMs: number }) {
    this.api = new SdkSwasApi({
      endpoint: opts.endpoint, retry: opts.retry, log: opts.log.child({ profile: spec.name }),
      credentials: { kind: 'provider', label: `profile "${spec.name}"`, provider: () => this.provider() },
      ...(regionId ? { defaultRegionId: regionId } : {}),
    });
  }

  get name(): string { return this.spec.name; }

  /** The profile's own provider, built once, from the library's provider for a named profile. */
  provider(): Promise<Provider> {
    this.providerP ??= (async () => {
      const lib = moduleExports(await import('@alicloud/credentials'), 'Config');
      return this.spec.source === 'cli'
        ? lib.CLIProfileCredentialsProvider.builder().withProfileName(this.spec.name).build()
        : lib.ProfileCredentialsProvider.builder().withProfileName(this.spec.name).build();
    })();
    this.providerP.catch(() => { this.providerP = undefined; });
    return this.providerP;
  }

  /** The account ID behind the profile, read once (STS GetCallerIdentity); a failure is not kept. */
  async identity(): Promise<ProfileIdentity> {
    if (this.account) return { accountId: this.account };
    try {
      const who = await getCallerIdentity(await this.provider(), this.opts.stsEndpoint, this.opts.requestTimeoutMs);
      this.account = who.AccountId;
      return { accountId: who.AccountId };
    } catch (err) {
      const errorCode = err instanceof SwasError ? err.code : 'CredentialsNotFound';
      // Only the code: the library's messages may quote a credentials file or an STS answer.
      this.opts.log.warn({ profile: this.name, code: errorCode }, 'could not read the account ID of a profile (STS GetCallerIdentity)');
      return { errorCode };
    }
  }

  /** The account ID if already known, without a request. */
  get knownAccountId(): string | undefined { return this.account; }
}

/** Every allowed profile, in the order of SWAS_MCP_PROFILES; the first is the default. */
export class ProfileSet {
  private readonly byName: Map<string, Profile>;

  constructor(readonly list: readonly Profile[]) {
    this.byName = new Map(list.map((p) => [p.name, p]));
  }

  get names(): string[] { return this.list.map((p) => p.name); }
  get default(): Profile { return this.list[0]!; }
  /** More than one profile: the Profile argument is published. */
  get several(): boolean { return this.list.length > 1; }
  get(name: string): Profile | undefined { return this.byName.get(name); }

  /** The profile whose account this is, if its account ID has been read. */
  nameOfAccount(accountId: string): string | undefined {
    return this.list.find((p) => p.knownAccountId === accountId)?.name;
  }
}
