// One handler per API action. A handler validates its parameters, reads or changes the state,
// and returns the response body without RequestId; failures are thrown as ApiError.
import { ApiError } from './errors.js';
import { paginate, type Params } from './params.js';
import {
  SNAPSHOTS_PER_SERVER,
  IMAGE_READY_STATUSES,
  checkClientToken,
  checkDataSnapshot,
  checkImageName,
  checkImageNameFree,
  checkImageQuota,
  checkInstanceForImage,
  checkSnapshotName,
  checkSystemSnapshot,
  checkTags,
  matchesTags,
} from './rules.js';
import type { SimState } from './state.js';
import { PUBLIC_IMAGES, customImageView, diskView, instanceView, snapshotView } from './views.js';

export interface ActionContext {
  params: Params;
  state: SimState;
}

export type ActionHandler = (ctx: ActionContext) => Record<string, unknown>;

function regionOf(ctx: ActionContext): string {
  const regionId = ctx.params.required('RegionId');
  if (!ctx.state.hasRegion(regionId)) {
    throw new ApiError(404, 'InvalidRegionId.NotFound', `The specified RegionId "${regionId}" does not exist.`);
  }
  return regionId;
}

function paged<T>(
  ctx: ActionContext,
  items: readonly T[],
  listKey: string,
  view: (item: T) => Record<string, unknown>,
  numbersAsStrings = false,
): Record<string, unknown> {
  const { pageNumber, pageSize } = ctx.params.paging();
  const num = (n: number): number | string => (numbersAsStrings ? String(n) : n);
  return {
    TotalCount: num(items.length),
    PageNumber: num(pageNumber),
    PageSize: num(pageSize),
    [listKey]: paginate(items, pageNumber, pageSize).map(view),
  };
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * ClientToken idempotence: the same action, token and parameters return the first result;
 * the same token with other parameters is IdempotentParameterMismatch. Only successes are kept.
 */
function idempotent(ctx: ActionContext, action: string, create: () => Record<string, unknown>): Record<string, unknown> {
  const token = ctx.params.get('ClientToken');
  checkClientToken(token);
  if (token === undefined) return create();
  const { ClientToken: _ignored, ...rest } = ctx.params.all();
  const fingerprint = JSON.stringify(Object.entries(rest).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  const key = `${action}\n${token}`;
  const prior = ctx.state.recallToken(key);
  if (prior) {
    if (prior.fingerprint !== fingerprint) {
      throw new ApiError(400, 'IdempotentParameterMismatch', 'The request uses the same client token as a previous, but non-identical request.');
    }
    return prior.result;
  }
  const result = create();
  ctx.state.rememberToken(key, fingerprint, result);
  return result;
}

const listRegions: ActionHandler = (ctx) => {
  const english = (ctx.params.get('AcceptLanguage') ?? 'zh-CN').toLowerCase().startsWith('en');
  return {
    Regions: ctx.state.regions().map((r) => ({
      RegionId: r.regionId,
      LocalName: english ? r.localNameEn : r.localName,
      RegionEndpoint: `swas.${r.regionId}.aliyuncs.com`,
    })),
  };
};

const listInstances: ActionHandler = (ctx) => {
  const p = ctx.params;
  const regionId = regionOf(ctx);
  const ids = p.jsonList('InstanceIds', 100);
  const ips = p.jsonList('PublicIpAddresses', 100);
  const name = p.get('InstanceName');
  const status = p.get('Status');
  const chargeType = p.get('ChargeType');
  const rg = p.get('ResourceGroupId');
  const tags = p.tags();
  const nameRe = name === undefined ? undefined : wildcard(name);
  const items = ctx.state.instances(regionId).filter(
    (i) =>
      (!ids || ids.includes(i.instanceId)) &&
      (!ips || ips.includes(i.publicIpAddress)) &&
      (!nameRe || nameRe.test(i.instanceName)) &&
      (!status || i.status.toLowerCase() === status.toLowerCase()) &&
      (!chargeType || chargeType === 'PrePaid') &&
      (!rg || i.resourceGroupId === rg) &&
      matchesTags(i.tags, tags),
  );
  return paged(ctx, items, 'Instances', instanceView);
};

const listInstanceStatus: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const ids = ctx.params.jsonList('InstanceIds', 100);
  const items = ctx.state.instances(regionId).filter((i) => !ids || ids.includes(i.instanceId));
  return paged(ctx, items, 'InstanceStatuses', (i) => ({ InstanceId: i.instanceId, Status: i.status }));
};

const listDisks: ActionHandler = (ctx) => {
  const p = ctx.params;
  const regionId = regionOf(ctx);
  const instanceId = p.get('InstanceId');
  const ids = p.jsonList('DiskIds', 100);
  const diskType = p.get('DiskType')?.toLowerCase();
  const rg = p.get('ResourceGroupId');
  const tags = p.tags();
  const names = new Map(ctx.state.instances(regionId).map((i) => [i.instanceId, i.instanceName]));
  const items = ctx.state.disks(regionId).filter(
    (d) =>
      (!instanceId || d.instanceId === instanceId) &&
      (!ids || ids.includes(d.diskId)) &&
      (!diskType || d.diskType === diskType) &&
      (!rg || d.resourceGroupId === rg) &&
      matchesTags(d.tags, tags),
  );
  return paged(ctx, items, 'Disks', (d) => diskView(d, names.get(d.instanceId) ?? ''));
};

const listSnapshots: ActionHandler = (ctx) => {
  const p = ctx.params;
  const regionId = regionOf(ctx);
  const instanceId = p.get('InstanceId');
  const diskId = p.get('DiskId');
  const ids = p.jsonList('SnapshotIds', 100);
  const sourceDiskType = p.get('SourceDiskType')?.toLowerCase();
  const rg = p.get('ResourceGroupId');
  const tags = p.tags();
  const items = ctx.state.snapshots(regionId).filter(
    (s) =>
      (!instanceId || s.instanceId === instanceId) &&
      (!diskId || s.sourceDiskId === diskId) &&
      (!ids || ids.includes(s.snapshotId)) &&
      (!sourceDiskType || s.sourceDiskType === sourceDiskType) &&
      (!rg || s.resourceGroupId === rg) &&
      matchesTags(s.tags, tags),
  );
  return paged(ctx, items, 'Snapshots', snapshotView);
};

const createSnapshot: ActionHandler = (ctx) => {
  const p = ctx.params;
  const regionId = regionOf(ctx);
  const diskId = p.required('DiskId');
  const snapshotName = p.required('SnapshotName');
  checkSnapshotName(snapshotName);
  const tags = p.tags();
  checkTags(tags);
  return idempotent(ctx, 'CreateSnapshot', () => {
    const disk = ctx.state.disk(diskId);
    if (!disk || disk.regionId !== regionId) throw new ApiError(404, 'InvalidDiskId.NotFound', 'The specified disk does not exist.');
    const instance = ctx.state.instance(disk.instanceId)!;
    if (!IMAGE_READY_STATUSES.includes(instance.status)) {
      throw new ApiError(403, 'IncorrectInstanceStatus', 'The state of the current instance does not support this operation.');
    }
    if (ctx.state.snapshots(regionId).filter((s) => s.instanceId === instance.instanceId).length >= SNAPSHOTS_PER_SERVER) {
      throw new ApiError(400, 'SnapshotQuotaExceed', `A server can have at most ${SNAPSHOTS_PER_SERVER} snapshots.`);
    }
    const rg = p.get('ResourceGroupId');
    const snapshot = ctx.state.createSnapshot(diskId, snapshotName, rg === undefined ? { tags } : { tags, resourceGroupId: rg });
    return { SnapshotId: snapshot.snapshotId };
  });
};

const listCustomImages: ActionHandler = (ctx) => {
  const p = ctx.params;
  const regionId = regionOf(ctx);
  const ids = p.jsonList('ImageIds', 100);
  const names = p.jsonList('ImageNames', 100);
  const instanceId = p.get('InstanceId');
  const sys = p.get('SystemSnapshotId');
  const data = p.get('DataSnapshotId');
  const rg = p.get('ResourceGroupId');
  // Share=true would add images shared by other accounts; the simulated account has none.
  p.bool('Share');
  const tags = p.tags();
  const items = ctx.state.images(regionId).filter(
    (m) =>
      (!ids || ids.includes(m.imageId)) &&
      (!names || names.includes(m.name)) &&
      (!instanceId || m.instanceId === instanceId) &&
      (!sys || m.systemSnapshotId === sys) &&
      (!data || m.dataSnapshotId === data) &&
      (!rg || m.resourceGroupId === rg) &&
      matchesTags(m.tags, tags),
  );
  // The SDK model declares TotalCount/PageNumber/PageSize of this action as strings.
  return paged(ctx, items, 'CustomImages', customImageView, true);
};

const createCustomImage: ActionHandler = (ctx) => {
  const p = ctx.params;
  const regionId = regionOf(ctx);
  const instanceId = p.required('InstanceId');
  const imageName = p.required('ImageName');
  checkImageName(imageName);
  const tags = p.tags();
  checkTags(tags);
  return idempotent(ctx, 'CreateCustomImage', () => {
    const instance = ctx.state.instance(instanceId);
    if (!instance || instance.regionId !== regionId) {
      throw new ApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
    }
    checkInstanceForImage(instance);
    const systemSnapshotId = p.get('SystemSnapshotId');
    if (systemSnapshotId === undefined) {
      throw new ApiError(400, 'InvalidParam.SystemSnapshotIdNotFound', 'The specified parameter systemSnapshotId is not found.');
    }
    checkSystemSnapshot(ctx.state.snapshot(systemSnapshotId), instance);
    const dataSnapshotId = p.get('DataSnapshotId');
    if (dataSnapshotId !== undefined) checkDataSnapshot(ctx.state.snapshot(dataSnapshotId), instance);
    const images = ctx.state.images(regionId);
    checkImageNameFree(imageName, images);
    checkImageQuota(images.length, ctx.state.instances(regionId).length);
    const rg = p.get('ResourceGroupId');
    const image = ctx.state.createImage(instanceId, {
      name: imageName,
      description: p.get('Description') ?? '',
      systemSnapshotId,
      ...(dataSnapshotId === undefined ? {} : { dataSnapshotId }),
      ...(rg === undefined ? {} : { resourceGroupId: rg }),
      tags,
    });
    return { ImageId: image.imageId };
  });
};

const deleteCustomImage: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const imageId = ctx.params.required('ImageId');
  checkClientToken(ctx.params.get('ClientToken'));
  const image = ctx.state.image(imageId);
  if (!image || image.regionId !== regionId) throw new ApiError(404, 'InvalidImageId.NotFound', 'The specified ImageId does not exist.');
  ctx.state.removeImage(imageId);
  return {};
};

const listImages: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const ids = ctx.params.jsonList('ImageIds', 50);
  const type = ctx.params.get('ImageType')?.toLowerCase();
  if (type !== undefined && !['system', 'app', 'custom'].includes(type)) {
    throw new ApiError(400, 'InvalidParameter', 'The specified parameter "ImageType" must be system, app or custom.');
  }
  // Like the live API, a custom image only shows up here once it has left the creating state.
  const custom = ctx.state
    .images(regionId)
    .filter((m) => m.status !== '4')
    .map((m) => ({ ImageId: m.imageId, ImageName: m.name, ImageType: 'custom', Description: m.description, Platform: m.osType }));
  const all = [...PUBLIC_IMAGES, ...custom].filter((m) => (!type || m.ImageType === type) && (!ids || ids.includes(m.ImageId)));
  return { Images: all };
};

export const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateCustomImage: createCustomImage,
  ListCustomImages: listCustomImages,
  DeleteCustomImage: deleteCustomImage,
  ListInstances: listInstances,
  ListInstanceStatus: listInstanceStatus,
  ListSnapshots: listSnapshots,
  CreateSnapshot: createSnapshot,
  ListDisks: listDisks,
  ListRegions: listRegions,
  ListImages: listImages,
};
