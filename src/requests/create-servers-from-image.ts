import type { PurchaseRequest } from '../preflight/create-servers.js';
import type { CreateInstancesParams } from '../swas/types.js';
import { plannedRequest, type PlannedRequest } from './planned-request.js';

export type CreateInstancesRequest = PlannedRequest<Omit<CreateInstancesParams, 'ClientToken'>>;

/** The order, as judged: the image and plan as read, the rest as asked. */
export interface ServerOrder extends Omit<PurchaseRequest, 'maxOrderCost' | 'consentMode'> {
  autoRenew: boolean;
  autoRenewPeriod?: number;
  clientToken?: string;
}

/**
 * The one CreateInstances request, prepaid. Its derived ClientToken depends on the order alone, so
 * a retry, a second replica or a repeat after a crash is the same order to the API and buys nothing more.
 */
export function planCreateInstances(endpoint: string, o: ServerOrder): CreateInstancesRequest {
  return plannedRequest(endpoint, 'CreateInstances', {
    RegionId: o.regionId, ImageId: o.imageId, PlanId: o.planId, Period: o.period, Amount: o.amount,
    DataDiskSize: o.dataDiskSize, AutoRenew: o.autoRenew, AutoRenewPeriod: o.autoRenewPeriod, ChargeType: 'PrePaid',
  }, o.clientToken);
}

/**
 * Whether the order's answer names only servers that existed before it was sent: then the API took
 * it as a repeat of an earlier order with the same ClientToken, and nothing new was bought.
 */
export function isRepeatedOrder(instanceIds: readonly string[], existing: ReadonlySet<string>): boolean {
  return instanceIds.length > 0 && instanceIds.every((id) => existing.has(id));
}
