import type { Plan } from '../consent/index.js';
import { profileLabel, type CallProfile } from './set.js';

/**
 * A consent request on a profile: the plan says which account it acts on, and the approval is bound
 * to the profile (an approval for staging is no approval for prod, whatever else is equal).
 */
export function forProfile<R extends { args: Record<string, unknown>; plan: Plan }>(req: R, profile: CallProfile): R {
  return {
    ...req,
    args: { ...req.args, Profile: profile.name },
    plan: { ...req.plan, Summary: `Profile ${profileLabel(profile)}: ${req.plan.Summary}${namedAccounts(profile)}` },
  };
}

/** " Account 222… is profile "staging"." for accounts the call named by profile. */
function namedAccounts(profile: CallProfile): string {
  const named = Object.entries(profile.accountNames ?? {});
  return named.length ? ` ${named.map(([id, name]) => `Account ${id} is profile "${name}".`).join(' ')}` : '';
}
