import type * as CredentialsSdk from '@alicloud/credentials';
import type { CredentialSource } from './client.js';

type CredentialsModule = typeof CredentialsSdk.default;
type Provider = CredentialsSdk.CredentialsProvider;
type ProviderCredentials = Awaited<ReturnType<Provider['getCredentials']>>;

export interface ChainOptions {
  /**
   * Consult the ECS instance metadata service even though ALIBABA_CLOUD_ECS_METADATA names no
   * role (the operator said so: SWAS_MCP_ECS_METADATA=true). Off by default: the metadata address
   * must not be contacted on a machine that is not an ECS instance.
   */
  ecsMetadata?: boolean;
}

/** The credential source of a normal (not simulated) start: the configured chain, ECS metadata as configured. */
export function credentialSourceFor(config: { ecsMetadata: boolean }): CredentialSource {
  return { kind: 'default-chain', ecsMetadata: config.ecsMetadata };
}

/** The sources of @alicloud/credentials' default chain that the environment actually configures. */
export function configuredSources(env: NodeJS.ProcessEnv, opts: ChainOptions = {}): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const sources = ['env', 'oidc_role_arn', 'cli_profile', 'profile'];
  const ecsDisabled = (env.ALIBABA_CLOUD_ECS_METADATA_DISABLED ?? '').toLowerCase() === 'true';
  if (!ecsDisabled && (set('ALIBABA_CLOUD_ECS_METADATA') || opts.ecsMetadata === true)) sources.push('ecs_ram_role');
  if (set('ALIBABA_CLOUD_CREDENTIALS_URI')) sources.push('credential_uri');
  return sources;
}

/**
 * The default chain of @alicloud/credentials, in its own order, minus the sources nobody configured.
 *
 * The library's DefaultCredentialsProvider always adds an ECS metadata provider (which contacts
 * 100.100.100.200) and a credentials-URI provider, even when ALIBABA_CLOUD_CREDENTIALS_URI is
 * unset (it then looks up the host "undefined" and connects to it). So each provider is built
 * here with the library's own builders, and only when its source is configured: environment
 * variables, OIDC (only builds when its three variables are set), the CLI config and the
 * credentials file (local files; a profile there may itself name a networked mode, which the
 * operator then configured), ECS metadata when ALIBABA_CLOUD_ECS_METADATA names a role or the
 * operator enabled it, and the credentials URI when it is set.
 */
export function buildConfiguredChain(lib: CredentialsModule, env: NodeJS.ProcessEnv, opts: ChainOptions = {}): Provider {
  const wanted = new Set(configuredSources(env, opts));
  const candidates: [string, () => Provider][] = [
    ['env', () => lib.EnvironmentVariableCredentialsProvider.builder().build()],
    ['oidc_role_arn', () => lib.OIDCRoleArnCredentialsProvider.builder().build()],
    ['cli_profile', () => lib.CLIProfileCredentialsProvider.builder().build()],
    ['profile', () => lib.ProfileCredentialsProvider.builder().build()],
    ['ecs_ram_role', () => lib.ECSRAMRoleCredentialsProvider.builder().build()],
    ['credential_uri', () => lib.URICredentialsProvider.builder().withCredentialsURI(env.ALIBABA_CLOUD_CREDENTIALS_URI ?? '').build()],
  ];
  const providers: Provider[] = [];
  for (const [name, build] of candidates) {
    if (!wanted.has(name)) continue;
    try {
      providers.push(build());
    } catch {
      // Not configured after all (the library's builders throw for that, e.g. OIDC without its variables).
    }
  }
  return new ConfiguredChain(providers);
}

/** Tries each provider in order; keeps the first that answered, as the library's chain does. */
class ConfiguredChain implements Provider {
  private used?: Provider;

  constructor(private readonly providers: Provider[]) {}

  getProviderName(): string {
    return 'configured-chain';
  }

  async getCredentials(): Promise<ProviderCredentials> {
    if (this.used) return this.used.getCredentials();
    const failures: string[] = [];
    for (const provider of this.providers) {
      try {
        const found = await provider.getCredentials();
        this.used = provider;
        return found;
      } catch {
        // The library's messages may quote what a credentials endpoint answered: only names are kept.
        failures.push(provider.getProviderName());
      }
    }
    throw new Error(`no configured credential source answered (${failures.join(', ') || 'none configured'})`);
  }
}
