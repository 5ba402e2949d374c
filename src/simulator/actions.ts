// One handler per API action. A handler validates its parameters, reads or changes the state,
// and returns the response body without RequestId; failures are thrown as SimulatedApiError.
import { SimulatedApiError, invalidParameter, missing } from './errors.js';
import { paginate, type Params } from './params.js';
import {
  IMAGE_READY_STATUSES,
  MAX_DELETE_IMAGES,
  MAX_DELETE_SNAPSHOTS,
  MAX_TAG_RESOURCE_IDS,
  MAX_TAGS,
  MAX_UNTAG_KEYS,
  TAG_RESOURCE_TYPES,
  checkAccountId,
  checkClientToken,
  checkImageAvailable,
  checkImageNotShared,
  checkKeyPairName,
  checkOwnImage,
  checkPassword,
  checkResetImage,
  checkResetSource,
  checkResetStatus,
  checkShareAccountQuota,
  checkSnapshotNotInUse,
  checkSnapshotQuota,
  imageNotFound,
  type ResetImage,
  type TagResourceType,
  checkDataSnapshot,
  checkDiskNotSnapshotting,
  checkImageName,
  checkImageNameFree,
  checkImageQuota,
  checkInstanceForImage,
  checkSnapshotName,
  checkSystemSnapshot,
  checkTags,
  matchesTags,
  checkPlanFitsImage,
  checkPurchaseParams,
  checkServerQuota,
} from './rules.js';
import { planView, plansOf } from './plans.js';
import type { SimState } from './state.js';
import type { CustomImage, Tag } from './types.js';
import { PUBLIC_IMAGES, customImageView, diskView, instanceView, shareUserView, snapshotView } from './views.js';

export interface ActionContext {
  params: Params;
  state: SimState;
  /** Several accounts: the images other accounts shared with this one (AddCustomImageShareAccount), as this account sees them. */
  sharedFromOthers?: (regionId: string) => CustomImage[];
}

export type ActionHandler = (ctx: ActionContext) => Record<string, unknown>;

function regionOf(ctx: ActionContext): string {
  const regionId = ctx.params.required('RegionId');
  if (!ctx.state.hasRegion(regionId)) {
    throw new SimulatedApiError(404, 'InvalidRegionId.NotFound', `The specified RegionId "${regionId}" does not exist.`);
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
 * With `unknownIdErrors` on, a list call filtered by IDs that are not in the region answers the
 * NotFound error the real API may give (Terraform maps these to "not found") instead of an empty list.
 */
function requireKnownIds(ctx: ActionContext, ids: readonly string[] | undefined, known: (id: string) => boolean, code: string, what: string): void {
  if (!ctx.state.unknownIdErrors || !ids) return;
  const unknown = ids.find((id) => !known(id));
  if (unknown !== undefined) throw new SimulatedApiError(404, code, `The specified ${what} "${unknown}" does not exist.`);
}

const one = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : [v]);

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
      throw new SimulatedApiError(400, 'IdempotentParameterMismatch', 'The request uses the same client token as a previous, but non-identical request.');
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
  requireKnownIds(ctx, ids, (id) => ctx.state.instance(id)?.regionId === regionId, 'InvalidInstanceId.NotFound', 'InstanceId');
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
  requireKnownIds(ctx, ids, (id) => ctx.state.instance(id)?.regionId === regionId, 'InvalidInstanceId.NotFound', 'InstanceId');
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
  requireKnownIds(ctx, one(instanceId), (id) => ctx.state.instance(id)?.regionId === regionId, 'InvalidInstanceId.NotFound', 'InstanceId');
  requireKnownIds(ctx, ids, (id) => ctx.state.disk(id)?.regionId === regionId, 'InvalidDiskId.NotFound', 'DiskId');
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
  requireKnownIds(ctx, one(instanceId), (id) => ctx.state.instance(id)?.regionId === regionId, 'InvalidInstanceId.NotFound', 'InstanceId');
  requireKnownIds(ctx, one(diskId), (id) => ctx.state.disk(id)?.regionId === regionId, 'InvalidDiskId.NotFound', 'DiskId');
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
    if (!disk || disk.regionId !== regionId) throw new SimulatedApiError(404, 'InvalidDiskId.NotFound', 'The specified disk does not exist.');
    const instance = ctx.state.instance(disk.instanceId)!;
    if (!IMAGE_READY_STATUSES.includes(instance.status)) {
      throw new SimulatedApiError(403, 'IncorrectInstanceStatus', 'The state of the current instance does not support this operation.');
    }
    checkSnapshotQuota(instance, ctx.state.snapshots(), ctx.state.instances().length);
    checkDiskNotSnapshotting(diskId, ctx.state.snapshots());
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
  // Share: false = the account's own images, true = only those other accounts shared in, omitted = all.
  const share = p.bool('Share');
  const tags = p.tags();
  const items = [...ctx.state.allImages(regionId), ...(ctx.sharedFromOthers?.(regionId) ?? [])].filter(
    (m) =>
      m.listed &&
      (share === undefined || m.sharedIn === share) &&
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
      throw new SimulatedApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
    }
    checkInstanceForImage(instance);
    const systemSnapshotId = p.get('SystemSnapshotId');
    if (systemSnapshotId === undefined) {
      throw new SimulatedApiError(400, 'InvalidParam.SystemSnapshotIdNotFound', 'The specified parameter systemSnapshotId is not found.');
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

function imageInRegion(ctx: ActionContext, regionId: string, imageId: string): CustomImage {
  const image = ctx.state.image(imageId);
  if (!image || image.regionId !== regionId) throw imageNotFound(imageId);
  return image;
}

/**
 * All-or-nothing (a design choice; partial failure is undocumented): every image is checked before
 * any is deleted. Deletion is asynchronous: each image stays listed, status unchanged, for a short
 * while (imageDeleteMs / the realistic profile's 20 s), then disappears.
 */
function deleteImages(ctx: ActionContext, regionId: string, imageIds: readonly string[]): Record<string, unknown> {
  const images = [...new Set(imageIds)].map((id) => imageInRegion(ctx, regionId, id));
  for (const m of images) {
    checkOwnImage(m);
    checkImageNotShared(m);
  }
  for (const m of images) ctx.state.deleteImage(m.imageId);
  return {};
}

const deleteCustomImage: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const imageId = ctx.params.required('ImageId');
  return idempotent(ctx, 'DeleteCustomImage', () => deleteImages(ctx, regionId, [imageId]));
};

const deleteCustomImages: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const ids = ctx.params.requiredJsonList('ImageIds', MAX_DELETE_IMAGES, 'image IDs');
  return idempotent(ctx, 'DeleteCustomImages', () => deleteImages(ctx, regionId, ids));
};

const modifyImageShareStatus: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const imageId = ctx.params.required('ImageId');
  const operation = ctx.params.required('Operation');
  if (operation !== 'Share' && operation !== 'UnShare') {
    // Documented code (the ModifyImageShareStatus page's error table).
    throw new SimulatedApiError(400, 'InvalidParam.OperationIllegal', `The specified parameter "Operation" must be Share or UnShare, not "${operation}".`);
  }
  return idempotent(ctx, 'ModifyImageShareStatus', () => {
    const image = imageInRegion(ctx, regionId, imageId);
    checkOwnImage(image);
    // Sharing what is already shared (or unsharing what is not) changes nothing and succeeds.
    if (operation === 'Share') checkImageAvailable(image);
    ctx.state.setImageShare(imageId, operation === 'Share');
    return {};
  });
};

function shareAccounts(ctx: ActionContext): string[] {
  const accounts = ctx.params.repeatList('Account', 100);
  if (!accounts) throw missing('Account');
  for (const a of accounts) {
    checkAccountId(a);
    if (a === ctx.state.accountId) throw invalidParameter('The specified parameter "Account" names your own account; an image cannot be shared with its owner.');
  }
  return [...new Set(accounts)];
}

const addCustomImageShareAccount: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const imageId = ctx.params.required('ImageId');
  const accounts = shareAccounts(ctx);
  return idempotent(ctx, 'AddCustomImageShareAccount', () => {
    const image = imageInRegion(ctx, regionId, imageId);
    checkOwnImage(image);
    checkImageAvailable(image);
    checkShareAccountQuota(new Set([...image.shareAccounts.map((a) => a.userId), ...accounts]).size);
    ctx.state.changeShareAccounts(imageId, accounts, []);
    return {};
  });
};

const removeCustomImageShareAccount: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const imageId = ctx.params.required('ImageId');
  const accounts = shareAccounts(ctx);
  return idempotent(ctx, 'RemoveCustomImageShareAccount', () => {
    const image = imageInRegion(ctx, regionId, imageId);
    checkOwnImage(image);
    ctx.state.changeShareAccounts(imageId, [], accounts);
    return {};
  });
};

const listCustomImageShareAccounts: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const imageId = ctx.params.required('ImageId');
  checkClientToken(ctx.params.get('ClientToken'));
  const { pageNumber, pageSize } = ctx.params.paging(50);
  const image = imageInRegion(ctx, regionId, imageId);
  checkOwnImage(image);
  return { TotalCount: image.shareAccounts.length, PageNumber: pageNumber, PageSize: pageSize, ImageShareUsers: paginate(image.shareAccounts, pageNumber, pageSize).map(shareUserView) };
};

// ---------- tags ----------

function resourceType(ctx: ActionContext): TagResourceType {
  const type = ctx.params.required('ResourceType');
  if (!(TAG_RESOURCE_TYPES as readonly string[]).includes(type)) {
    throw new SimulatedApiError(400, 'InvalidParam.ResourceType', `The specified parameter "ResourceType" must be one of ${TAG_RESOURCE_TYPES.join(', ')} (lower case), not "${type}".`);
  }
  return type as TagResourceType;
}

interface Taggable {
  id: string;
  tags: Tag[];
  /** Set for an image another account shared in. */
  sharedIn?: boolean;
}

/** The resources of a type in a region; commands and firewall rules are not simulated (none exist). */
function taggables(ctx: ActionContext, regionId: string, type: TagResourceType): Taggable[] {
  switch (type) {
    case 'instance':
      return ctx.state.instances(regionId).map((i) => ({ id: i.instanceId, tags: i.tags }));
    case 'disk':
      return ctx.state.disks(regionId).map((d) => ({ id: d.diskId, tags: d.tags }));
    case 'snapshot':
      return ctx.state.snapshots(regionId).map((s) => ({ id: s.snapshotId, tags: s.tags }));
    case 'customimage':
      return ctx.state.allImages(regionId).map((m) => ({ id: m.imageId, tags: m.tags, sharedIn: m.sharedIn }));
    default:
      return [];
  }
}

/** The state's kind for a tag type; commands and firewall rules never get this far (none exist). */
function tagKind(type: TagResourceType): 'instance' | 'disk' | 'snapshot' | 'customimage' {
  if (type === 'command' || type === 'firewallrule') throw new Error(`simulator: no ${type} resources are simulated`);
  return type;
}

function tagTargets(ctx: ActionContext, regionId: string, type: TagResourceType, ids: readonly string[]): Taggable[] {
  const all = new Map(taggables(ctx, regionId, type).map((r) => [r.id, r]));
  return [...new Set(ids)].map((id) => {
    const r = all.get(id);
    // Inferred code (ECS's for the same case).
    if (!r) throw new SimulatedApiError(404, 'InvalidResourceId.NotFound', `The specified ${type} "${id}" does not exist.`);
    if (r.sharedIn) checkOwnImage(ctx.state.image(id)!);
    return r;
  });
}

function resourceIds(ctx: ActionContext): string[] {
  const ids = ctx.params.repeatList('ResourceId', MAX_TAG_RESOURCE_IDS);
  if (!ids) throw missing('ResourceId');
  return ids;
}

const tagResources: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const type = resourceType(ctx);
  const ids = resourceIds(ctx);
  const tags = ctx.params.tags();
  if (tags.length === 0) throw missing('Tag');
  checkTags(tags);
  const dup = tags.find((t, i) => tags.findIndex((u) => u.key === t.key) !== i);
  if (dup) throw new SimulatedApiError(400, 'InvalidParam.TagKey', `The tag key "${dup.key}" is given more than once.`);
  return idempotent(ctx, 'TagResources', () => {
    const targets = tagTargets(ctx, regionId, type, ids);
    const merged = targets.map((r) => {
      const next = [...r.tags.filter((t) => !tags.some((n) => n.key === t.key)), ...tags];
      if (next.length > MAX_TAGS) throw new SimulatedApiError(400, 'InvalidParam.TagCount', `The ${type} ${r.id} would have more than ${MAX_TAGS} tags.`);
      return { id: r.id, tags: next };
    });
    for (const r of merged) ctx.state.setTags(tagKind(type), r.id, r.tags);
    return {};
  });
};

const untagResources: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const type = resourceType(ctx);
  const ids = resourceIds(ctx);
  const keys = ctx.params.repeatList('TagKey', MAX_UNTAG_KEYS);
  const all = ctx.params.bool('All') ?? false;
  // All is used only when no TagKey is given; with neither, the SDK says no tag is removed: a no-op.
  return idempotent(ctx, 'UntagResources', () => {
    const targets = tagTargets(ctx, regionId, type, ids);
    if (!keys && !all) return {};
    for (const r of targets) {
      ctx.state.setTags(tagKind(type), r.id, keys ? r.tags.filter((t) => !keys.includes(t.key)) : []);
    }
    return {};
  });
};

const TAG_PAGE_SIZE = 50;

const listTagResources: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const type = resourceType(ctx);
  const ids = ctx.params.repeatList('ResourceId', MAX_TAG_RESOURCE_IDS);
  const filter = ctx.params.tags();
  if (filter.length > MAX_TAGS) throw new SimulatedApiError(400, 'InvalidParam.TagCount', `At most ${MAX_TAGS} tags can be specified.`);
  // The SDK's ListTagResourcesRequestTag: a value of 1–64 characters; there is no empty wildcard here.
  const badValue = filter.find((t) => t.value.length === 0 || t.value.length > 64);
  if (badValue) throw new SimulatedApiError(400, 'InvalidParam.TagValue', `The tag value of "${badValue.key}" must be 1-64 characters.`);
  checkClientToken(ctx.params.get('ClientToken'));
  const token = ctx.params.get('NextToken');
  let offset = 0;
  if (token !== undefined) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!m) throw invalidParameter('The specified parameter "NextToken" is invalid.');
    offset = +m[1]!;
  }
  const resources = taggables(ctx, regionId, type).filter((r) => (!ids || ids.includes(r.id)) && matchesTags(r.tags, filter));
  const entries = resources.flatMap((r) =>
    r.tags
      .filter((t) => filter.length === 0 || filter.some((f) => f.key === t.key))
      // The response names the type the way the SDK's example does, not as the request spelled it.
      .map((t) => ({ ResourceId: r.id, ResourceType: `ALIYUN::SWAS::${type.toUpperCase()}`, TagKey: t.key, TagValue: t.value })),
  );
  const page = entries.slice(offset, offset + TAG_PAGE_SIZE);
  const next = offset + TAG_PAGE_SIZE < entries.length ? Buffer.from(`offset:${offset + TAG_PAGE_SIZE}`).toString('base64') : '';
  return { NextToken: next, TagResources: { TagResource: page } };
};

// ---------- snapshots ----------

function deleteSnapshotList(ctx: ActionContext, regionId: string, snapshotIds: readonly string[]): Record<string, unknown> {
  const snapshots = [...new Set(snapshotIds)].map((id) => {
    const s = ctx.state.snapshot(id);
    if (!s || s.regionId !== regionId) throw new SimulatedApiError(404, 'InvalidSnapshotId.NotFound', 'The specified SnapshotId does not exist.');
    return s;
  });
  const images = ctx.state.images(regionId);
  for (const s of snapshots) checkSnapshotNotInUse(s, images);
  ctx.state.deleteSnapshots(snapshots.map((s) => s.snapshotId));
  return {};
}

const deleteSnapshot: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const snapshotId = ctx.params.required('SnapshotId');
  return idempotent(ctx, 'DeleteSnapshot', () => deleteSnapshotList(ctx, regionId, [snapshotId]));
};

const deleteSnapshots: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const ids = ctx.params.requiredJsonList('SnapshotIds', MAX_DELETE_SNAPSHOTS, 'snapshot IDs');
  return idempotent(ctx, 'DeleteSnapshots', () => deleteSnapshotList(ctx, regionId, ids));
};

// ---------- ResetSystem ----------

const resetSystem: ActionHandler = (ctx) => {
  const p = ctx.params;
  const regionId = regionOf(ctx);
  const instanceId = p.required('InstanceId');
  const imageId = p.get('ImageId');
  const password = p.get('LoginCredentials.Password');
  const keyPairName = p.get('LoginCredentials.KeyPairName');
  if (password !== undefined && keyPairName !== undefined) {
    throw invalidParameter('Specify either LoginCredentials.Password or LoginCredentials.KeyPairName, not both.');
  }
  if (password !== undefined) checkPassword(password);
  if (keyPairName !== undefined) checkKeyPairName(keyPairName);
  return idempotent(ctx, 'ResetSystem', () => {
    const instance = ctx.state.instance(instanceId);
    if (!instance || instance.regionId !== regionId) throw new SimulatedApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
    checkResetStatus(instance);
    checkResetSource(instance);
    let target: ResetImage & { imageName: string; imageVersion: string; imageType: 'system' | 'app' | 'custom' };
    const publicImage = PUBLIC_IMAGES.find((m) => m.ImageId === (imageId ?? instance.imageId));
    if (imageId === undefined || imageId === instance.imageId) {
      // Re-install the current image: no image rules apply.
      target = { imageId: instance.imageId, imageName: instance.imageName, imageVersion: instance.imageVersion, imageType: instance.imageType, osType: instance.osType, requiredSystemDiskSize: 0, requiredDataDiskSize: 0 };
    } else if (publicImage) {
      target = {
        imageId: publicImage.ImageId,
        imageName: publicImage.ImageName,
        imageVersion: '',
        imageType: publicImage.ImageType,
        osType: publicImage.Platform,
        requiredSystemDiskSize: publicImage.Platform === 'Windows' ? 40 : 20,
        requiredDataDiskSize: 0,
      };
    } else {
      const image = ctx.state.image(imageId);
      if (!image || image.regionId !== regionId) throw imageNotFound(imageId);
      target = {
        imageId: image.imageId,
        imageName: image.name,
        imageVersion: '',
        imageType: 'custom',
        osType: image.osType,
        requiredSystemDiskSize: image.requiredSystemDiskSize,
        requiredDataDiskSize: image.requiredDataDiskSize,
        custom: { instanceId: image.instanceId, sharedIn: image.sharedIn, status: image.status },
      };
    }
    checkResetImage(instance, target);
    ctx.state.resetInstance(instanceId, target);
    return {};
  });
};

const listImages: ActionHandler = (ctx) => {
  const regionId = regionOf(ctx);
  const ids = ctx.params.jsonList('ImageIds', 50);
  const type = ctx.params.get('ImageType')?.toLowerCase();
  if (type !== undefined && !['system', 'app', 'custom'].includes(type)) {
    throw new SimulatedApiError(400, 'InvalidParameter', 'The specified parameter "ImageType" must be system, app or custom.');
  }
  // Like the live API, a custom image only shows up here once it has left the creating state.
  // Images other accounts shared in are usable (to create or reset servers), so they are listed too.
  const custom = [...ctx.state.allImages(regionId), ...(ctx.sharedFromOthers?.(regionId) ?? [])]
    .filter((m) => m.listed && m.status !== '4')
    .map((m) => ({ ImageId: m.imageId, ImageName: m.name, ImageType: 'custom', Description: m.description, Platform: m.osType }));
  const all = [...PUBLIC_IMAGES, ...custom].filter((m) => (!type || m.ImageType === type) && (!ids || ids.includes(m.ImageId)));
  return { Images: all };
};

// ---------- plans and new servers ----------

const listPlans: ActionHandler = (ctx) => ({ Plans: plansOf(regionOf(ctx)).map(planView) });

/** The image a new server would run: a public image, or an own or shared-in custom image of the region. */
function launchImage(ctx: ActionContext, regionId: string, imageId: string) {
  const publicImage = PUBLIC_IMAGES.find((m) => m.ImageId === imageId);
  if (publicImage) {
    return {
      imageId, imageName: publicImage.ImageName, imageVersion: '', osType: publicImage.Platform,
      requiredSystemDiskSize: publicImage.Platform === 'Windows' ? 40 : 20, requiredDataDiskSize: 0,
    };
  }
  const image = ctx.state.image(imageId);
  if (!image || image.regionId !== regionId || !image.listed) throw imageNotFound(imageId);
  checkImageAvailable(image);
  return {
    imageId, imageName: image.name, imageVersion: '', osType: image.osType,
    requiredSystemDiskSize: image.requiredSystemDiskSize, requiredDataDiskSize: image.requiredDataDiskSize,
  };
}

/** Subscription servers from an image; paid at once (the balance is not modelled: see faults.insufficientBalance). */
const createInstances: ActionHandler = (ctx) => {
  const p = ctx.params;
  const regionId = regionOf(ctx);
  const imageId = p.required('ImageId');
  const planId = p.required('PlanId');
  const period = p.int('Period', 0, 0, 1000);
  if (p.get('Period') === undefined) throw missing('Period');
  const amount = p.int('Amount', 1, 0, 1000);
  const autoRenew = p.bool('AutoRenew') ?? false;
  const autoRenewPeriod = p.get('AutoRenewPeriod') === undefined ? undefined : p.int('AutoRenewPeriod', 0, 0, 1000);
  const dataDiskSize = p.int('DataDiskSize', 0, 0, 100_000);
  checkPurchaseParams({ period, amount, autoRenew, autoRenewPeriod, chargeType: p.get('ChargeType'), dataDiskSize });
  return idempotent(ctx, 'CreateInstances', () => {
    const plan = plansOf(regionId).find((x) => x.planId === planId);
    // Design choice: no documented code for an unknown plan.
    if (!plan) throw new SimulatedApiError(404, 'InvalidPlanId.NotFound', `The specified PlanId "${planId}" does not exist in ${regionId}.`);
    const image = launchImage(ctx, regionId, imageId);
    checkPlanFitsImage({ planId, diskSize: plan.diskSize, diskType: plan.diskType, platforms: plan.platforms }, image, dataDiskSize);
    checkServerQuota(ctx.state.instances(regionId).length, amount);
    const ids = ctx.state.launchInstances(regionId, {
      planId, diskSize: plan.diskSize, diskCategory: plan.diskType, dataDiskSize, periodMonths: period,
    }, image, amount);
    return { InstanceIds: ids };
  });
};

export const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateCustomImage: createCustomImage,
  ListCustomImages: listCustomImages,
  DeleteCustomImage: deleteCustomImage,
  DeleteCustomImages: deleteCustomImages,
  ModifyImageShareStatus: modifyImageShareStatus,
  AddCustomImageShareAccount: addCustomImageShareAccount,
  RemoveCustomImageShareAccount: removeCustomImageShareAccount,
  ListCustomImageShareAccounts: listCustomImageShareAccounts,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
  DeleteSnapshot: deleteSnapshot,
  DeleteSnapshots: deleteSnapshots,
  ResetSystem: resetSystem,
  ListInstances: listInstances,
  ListInstanceStatus: listInstanceStatus,
  ListSnapshots: listSnapshots,
  CreateSnapshot: createSnapshot,
  ListDisks: listDisks,
  ListRegions: listRegions,
  ListImages: listImages,
  ListPlans: listPlans,
  CreateInstances: createInstances,
};
