import type { Expectation } from '../audit/index.js';
import type { DeleteTarget } from '../preflight/delete-custom-images.js';
import type { DeleteCustomImagesParams, ImageShareAccountParams, ModifyImageShareStatusParams } from '../swas/types.js';
import { plannedRequest, tokenPerAction, type PlannedRequest } from './planned-request.js';

/** One request of the plan: what it is, and the image it unshares. */
export type DeleteStep =
  | { kind: 'unshareEcs'; target: DeleteTarget; planned: PlannedRequest<Omit<ModifyImageShareStatusParams, 'ClientToken'>> }
  | { kind: 'removeAccounts'; target: DeleteTarget; planned: PlannedRequest<Omit<ImageShareAccountParams, 'ClientToken'>> }
  | { kind: 'delete'; planned: PlannedRequest<Omit<DeleteCustomImagesParams, 'ClientToken'>> };

/**
 * The requests in order: every unshare before the delete (with `unshare`; the judge refuses a
 * shared image without it). The delete carries the given ClientToken, or one derived from it; each
 * unshare one derived from its own request and, when given, that token.
 */
export function planDeleteImages(endpoint: string, regionId: string, targets: readonly DeleteTarget[], o: { unshare: boolean; clientToken?: string }): DeleteStep[] {
  const token = tokenPerAction(o.clientToken);
  const steps: DeleteStep[] = [];
  if (o.unshare) {
    for (const t of targets) {
      if (t.ecs) {
        const params = { RegionId: regionId, ImageId: t.image.ImageId, Operation: 'UnShare' as const };
        steps.push({ kind: 'unshareEcs', target: t, planned: plannedRequest(endpoint, 'ModifyImageShareStatus', params, token('ModifyImageShareStatus', params)) });
      }
      if (t.accounts.length) {
        const params = { RegionId: regionId, ImageId: t.image.ImageId, Accounts: t.accounts };
        steps.push({ kind: 'removeAccounts', target: t, planned: plannedRequest(endpoint, 'RemoveCustomImageShareAccount', params, token('RemoveCustomImageShareAccount', params)) });
      }
    }
  }
  const ImageIds = targets.map((t) => t.image.ImageId);
  steps.push({ kind: 'delete', planned: plannedRequest(endpoint, 'DeleteCustomImages', { RegionId: regionId, ImageIds }, o.clientToken) });
  return steps;
}

/** The delete request of a plan (there is always exactly one, last). */
export function deleteStepOf(steps: readonly DeleteStep[]): Extract<DeleteStep, { kind: 'delete' }> {
  return steps.find((s): s is Extract<DeleteStep, { kind: 'delete' }> => s.kind === 'delete')!;
}

/**
 * What an unshare leaves behind once applied: what the ledger's read-back checks. The delete
 * states none: the read-back knows from its action that the images are then no longer listed.
 */
export function expectationOf(step: DeleteStep): Expectation | undefined {
  switch (step.kind) {
    case 'unshareEcs': return { kind: 'ecs-share', shared: false };
    case 'removeAccounts': return { kind: 'account-share', shared: false, accounts: step.target.accounts };
    case 'delete': return undefined;
  }
}
