import { shareShown, type ShareExpectation } from '../audit/index.js';
import type { SharePlan } from '../preflight/share-image.js';
import type { ImageShareAccountParams, ModifyImageShareStatusParams } from '../swas/types.js';
import { plannedRequest, tokenPerAction, type PlannedRequest } from './planned-request.js';

export type ShareRequest = PlannedRequest<Omit<ModifyImageShareStatusParams, 'ClientToken'>> | PlannedRequest<Omit<ImageShareAccountParams, 'ClientToken'>>;
export type ShareOperation = 'Share' | 'UnShare';

/**
 * The requests, ECS first, then the accounts; only the parts the judge left in the plan. Each has
 * its own ClientToken: derived from its action, its parameters and `basis` (the share state the
 * plan saw and the last recorded change), or, when the caller gave one, from that token and the
 * action (one token cannot serve two actions).
 */
export function planShareRequests(endpoint: string, regionId: string, imageId: string, plan: Pick<SharePlan, 'ecs' | 'accounts'>,
  operation: ShareOperation, given: string | undefined, basis: unknown): ShareRequest[] {
  const token = tokenPerAction(given);
  const out: ShareRequest[] = [];
  if (plan.ecs) {
    const params = { RegionId: regionId, ImageId: imageId, Operation: plan.ecs };
    out.push(plannedRequest(endpoint, 'ModifyImageShareStatus', params, token('ModifyImageShareStatus', params), basis));
  }
  if (plan.accounts.length) {
    const action = operation === 'Share' ? 'AddCustomImageShareAccount' : 'RemoveCustomImageShareAccount';
    const params = { RegionId: regionId, ImageId: imageId, Accounts: plan.accounts };
    out.push(plannedRequest(endpoint, action, params, token(action, params), basis));
  }
  return out;
}

/** What a request leaves behind once applied: what the ledger's read-back checks. */
export function expectationOf(req: ShareRequest, operation: ShareOperation): ShareExpectation {
  const p = req.Parameters;
  if ('Operation' in p) return { kind: 'ecs-share', shared: p.Operation === 'Share' };
  return { kind: 'account-share', shared: operation === 'Share', accounts: p.Accounts };
}

/**
 * Whether the share state read back shows the request's change. False for a request the API
 * answered but did not carry out (a repeat of an earlier ClientToken): it is not applied.
 */
export function tookEffect(req: ShareRequest, operation: ShareOperation, sharedToEcs: boolean, sharedWith: readonly string[]): boolean {
  return shareShown(expectationOf(req, operation), { sharedToEcs, sharedWith });
}
