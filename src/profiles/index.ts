import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { retryPolicyFor } from '../swas/retry.js';
import { loadProfileSpecs, ProfileFileError } from './files.js';
import { Profile, ProfileSet } from './set.js';
import { effectivePolicy, serverCeiling } from './settings.js';

export { ProfileFileError } from './files.js';
export { ProfileSet } from './set.js';

/**
 * The allowed profiles, each checked against its file and given its own provider and SWAS client.
 * Throws a ProfileFileError (start-up exit 2) naming a profile that is missing or cannot work.
 */
export function openProfiles(config: Config, log: Logger, env: NodeJS.ProcessEnv = process.env): ProfileSet | undefined {
  const settings = config.profiles;
  if (!settings) return undefined;
  if (config.simulate) throw new ProfileFileError('SWAS_MCP_PROFILES cannot be combined with --simulate: the embedded simulator has one account of its own. Run the simulator alone (npm run simulator) with accounts for each profile, and point SWAS_ENDPOINT at it.');
  const specs = loadProfileSpecs(settings.names, env);
  const ceiling = serverCeiling(config);
  const retry = retryPolicyFor(config);
  return new ProfileSet(specs.map((spec) => {
    const asked = settings.policies[spec.name] ?? 'write';
    const policy = effectivePolicy(asked, ceiling);
    if (policy !== asked) log.warn({ profile: spec.name, asked, policy }, 'a profile policy is capped by the server-wide switches');
    return new Profile(spec, policy, spec.regionId ?? config.regionId, {
      ...(config.endpoint ? { endpoint: config.endpoint } : {}), ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
      retry, log, requestTimeoutMs: config.requestTimeoutMs,
    });
  }));
}
