// The simulated account: regions, servers with their disks, snapshots and custom images (its own
// and those other accounts shared in). Snapshot and image progress, image listing and deletion,
// and server resets are derived from the clock whenever state is read, so nothing here needs a timer.
import { copyData } from './copy.js';
import { formatShareTime, formatTime, newDiskId, newImageId, newInstanceId, newSnapshotId } from './ids.js';
import { FIXED_TIMINGS, checkTimeScale, durationMs, type DurationKind, type FixedTimings, type TimingProfile } from './timing.js';
import type {
  CustomImage,
  Disk,
  ImageStatus,
  Instance,
  InstanceStatus,
  Region,
  SeedData,
  SeedDisk,
  SeedImage,
  SeedInstance,
  SeedSharedImage,
  SeedSnapshot,
  ShareAccount,
  Snapshot,
  SnapshotStatus,
  Tag,
} from './types.js';

/**
 * ListRegions answers the regions of both the China and the international site (SDK remarks); this
 * is Terraform's SWASSupportRegions list (connectivity/regions.go), the only enumeration we have.
 */
export const DEFAULT_REGIONS: readonly Region[] = [
  { regionId: 'cn-hangzhou', localName: '华东1（杭州）', localNameEn: 'China (Hangzhou)' },
  { regionId: 'cn-shanghai', localName: '华东2（上海）', localNameEn: 'China (Shanghai)' },
  { regionId: 'cn-beijing', localName: '华北2（北京）', localNameEn: 'China (Beijing)' },
  { regionId: 'cn-shenzhen', localName: '华南1（深圳）', localNameEn: 'China (Shenzhen)' },
  { regionId: 'cn-hongkong', localName: '中国香港', localNameEn: 'China (Hong Kong)' },
  { regionId: 'ap-southeast-1', localName: '新加坡', localNameEn: 'Singapore' },
  { regionId: 'cn-qingdao', localName: '华北1（青岛）', localNameEn: 'China (Qingdao)' },
  { regionId: 'cn-zhangjiakou', localName: '华北3（张家口）', localNameEn: 'China (Zhangjiakou)' },
  { regionId: 'cn-huhehaote', localName: '华北5（呼和浩特）', localNameEn: 'China (Hohhot)' },
  { regionId: 'cn-guangzhou', localName: '华南3（广州）', localNameEn: 'China (Guangzhou)' },
  { regionId: 'cn-chengdu', localName: '西南1（成都）', localNameEn: 'China (Chengdu)' },
];

interface SnapshotRecord extends Omit<Snapshot, 'status' | 'progress'> {
  /** Set for seeded snapshots and by setSnapshotStatus; otherwise the status is derived from time. */
  fixed?: { status: SnapshotStatus; progress: string };
  createdAtMs: number;
  readyMs: number;
}

interface ImageRecord extends Omit<CustomImage, 'status' | 'listed' | 'deleting' | 'sharedIn'> {
  fixed?: ImageStatus;
  createdAtMs: number;
  readyMs: number;
  /** Status reached when creation finishes. */
  outcome: ImageStatus;
  /** When the list calls start showing it. */
  listedAtMs: number;
  /** Set by a delete: when it disappears. */
  goneAtMs?: number;
}

/** The simulated account's own ID (UserId of its images). */
export const ACCOUNT_ID = '1234567890123456';

export interface StateOptions {
  now?: () => number;
  /** `fixed` (default): the *Ms values below. `realistic`: minutes sized by disk, divided by timeScale. */
  profile?: TimingProfile;
  /** Realistic profile only: how many times faster than real time the simulated clock runs. Default 1. */
  timeScale?: number;
  /** Fixed profile: time from CreateCustomImage until the image leaves Status "4". */
  imageReadyMs?: number;
  /** Fixed profile: time from CreateSnapshot until the snapshot is `accomplished`. */
  snapshotReadyMs?: number;
  /** Fixed profile: time after CreateCustomImage during which the list calls do not show the image. Default 0. */
  imageListDelayMs?: number;
  /** Fixed profile: time a deleted image stays listed. Default 1000. */
  imageDeleteMs?: number;
  /** Fixed profile: time a server stays Resetting after ResetSystem. Default 2000. */
  resetMs?: number;
  /** Fixed profile: time a new server takes from Pending (then Starting) to Running. Default 2000. */
  launchMs?: number;
  /** List calls filtered by unknown instance or disk IDs answer NotFound errors instead of empty lists. */
  unknownIdErrors?: boolean;
  /** The account that owns this state (several accounts: one state each). Default ACCOUNT_ID. */
  accountId?: string;
}

export type InstancePatch = Partial<
  Pick<Instance, 'status' | 'instanceName' | 'businessStatus' | 'internalErrorOnImage' | 'failImages' | 'tags'>
>;

interface IdempotentEntry {
  fingerprint: string;
  result: Record<string, unknown>;
}

/** A deep copy of the state's records (plain data), for every answer that shows one. */
const clone = <T>(v: T): T => copyData(v);

/** What a snapshot or image record holds beside the API's fields: its timings, not shown. */
const SNAPSHOT_INTERNALS: ReadonlySet<string> = new Set(['fixed', 'createdAtMs', 'readyMs']);
const IMAGE_INTERNALS: ReadonlySet<string> = new Set(['fixed', 'createdAtMs', 'readyMs', 'outcome', 'listedAtMs', 'goneAtMs']);

function notFound(kind: string, id: string): Error {
  return new Error(`simulator state: ${kind} ${id} does not exist`);
}

export class SimState implements FixedTimings {
  imageReadyMs: number;
  snapshotReadyMs: number;
  imageListDelayMs: number;
  imageDeleteMs: number;
  resetMs: number;
  launchMs: number;
  profile: TimingProfile;
  timeScale: number;
  /** May be changed at any time; see StateOptions.unknownIdErrors. */
  unknownIdErrors: boolean;
  readonly now: () => number;
  /** The account this state belongs to. */
  readonly accountId: string;

  private regionList: Region[] = [];
  private readonly instanceMap = new Map<string, Instance>();
  private readonly snapshotMap = new Map<string, SnapshotRecord>();
  private readonly imageMap = new Map<string, ImageRecord>();
  private readonly tokens = new Map<string, IdempotentEntry>();
  /** Servers being reset: when they become Running. */
  private readonly resets = new Map<string, number>();
  /** Servers being created: when they were ordered and when they become Running. */
  private readonly launches = new Map<string, { fromMs: number; doneAtMs: number }>();
  private ipCounter = 10;

  constructor(seed: SeedData = {}, options: StateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.profile = options.profile ?? 'fixed';
    this.timeScale = options.timeScale ?? 1;
    checkTimeScale(this.timeScale);
    this.imageReadyMs = options.imageReadyMs ?? FIXED_TIMINGS.imageReadyMs;
    this.snapshotReadyMs = options.snapshotReadyMs ?? FIXED_TIMINGS.snapshotReadyMs;
    this.imageListDelayMs = options.imageListDelayMs ?? FIXED_TIMINGS.imageListDelayMs;
    this.imageDeleteMs = options.imageDeleteMs ?? FIXED_TIMINGS.imageDeleteMs;
    this.resetMs = options.resetMs ?? FIXED_TIMINGS.resetMs;
    this.launchMs = options.launchMs ?? FIXED_TIMINGS.launchMs;
    this.unknownIdErrors = options.unknownIdErrors ?? false;
    this.accountId = options.accountId ?? ACCOUNT_ID;
    this.load(seed);
  }

  /** Clock milliseconds a piece of work takes now, under the current profile. */
  durationMs(kind: DurationKind, diskGb = 0): number {
    return durationMs(this.profile, this.timeScale, this, kind, diskGb);
  }

  /** Replaces everything (including remembered ClientTokens) with the given seed. */
  load(seed: SeedData): void {
    this.instanceMap.clear();
    this.snapshotMap.clear();
    this.imageMap.clear();
    this.tokens.clear();
    this.resets.clear();
    this.launches.clear();
    this.regionList = clone(seed.regions ?? [...DEFAULT_REGIONS]);
    for (const i of seed.instances ?? []) this.addInstance(i);
    for (const s of seed.snapshots ?? []) this.addSnapshot(s);
    for (const m of seed.images ?? []) this.addImage(m);
    for (const m of seed.sharedImages ?? []) this.addSharedImage(m);
  }

  // ---------- reads (copies; statuses computed for "now") ----------

  regions(): Region[] {
    return clone(this.regionList);
  }

  hasRegion(regionId: string): boolean {
    return this.regionList.some((r) => r.regionId === regionId);
  }

  instances(regionId?: string): Instance[] {
    this.settle();
    return [...this.instanceMap.values()].filter((i) => !regionId || i.regionId === regionId).map(clone);
  }

  instance(instanceId: string): Instance | undefined {
    this.settle();
    const i = this.instanceMap.get(instanceId);
    return i && clone(i);
  }

  disks(regionId?: string): Disk[] {
    return this.instances(regionId).flatMap((i) => i.disks);
  }

  disk(diskId: string): Disk | undefined {
    for (const i of this.instanceMap.values()) {
      const d = i.disks.find((x) => x.diskId === diskId);
      if (d) return clone(d);
    }
    return undefined;
  }

  snapshots(regionId?: string): Snapshot[] {
    return [...this.snapshotMap.values()].filter((s) => !regionId || s.regionId === regionId).map((s) => this.snapshotView(s));
  }

  snapshot(snapshotId: string): Snapshot | undefined {
    const s = this.snapshotMap.get(snapshotId);
    return s && this.snapshotView(s);
  }

  /** The account's own custom images (listed or not yet, deleting or not), as its quota counts them. */
  images(regionId?: string): CustomImage[] {
    return this.allImages(regionId).filter((m) => !m.sharedIn);
  }

  /** Images other accounts shared into this one. */
  sharedImages(regionId?: string): CustomImage[] {
    return this.allImages(regionId).filter((m) => m.sharedIn);
  }

  /** Own and shared-in images. */
  allImages(regionId?: string): CustomImage[] {
    this.settle();
    return [...this.imageMap.values()].filter((m) => !regionId || m.regionId === regionId).map((m) => this.imageView(m));
  }

  /** An own or shared-in image, until it is gone. */
  image(imageId: string): CustomImage | undefined {
    this.settle();
    const m = this.imageMap.get(imageId);
    return m && this.imageView(m);
  }

  /** Everything, in the seed shape plus computed fields; handy for assertions and debugging. */
  dump(): { regions: Region[]; instances: Instance[]; snapshots: Snapshot[]; images: CustomImage[]; sharedImages: CustomImage[] } {
    return { regions: this.regions(), instances: this.instances(), snapshots: this.snapshots(), images: this.images(), sharedImages: this.sharedImages() };
  }

  // ---------- test mutations ----------

  addRegion(region: Region): void {
    if (!this.hasRegion(region.regionId)) this.regionList.push(clone(region));
  }

  addInstance(seed: SeedInstance): Instance {
    const instanceId = seed.instanceId ?? newInstanceId();
    if (this.instanceMap.has(instanceId)) throw new Error(`simulator state: instance ${instanceId} already exists`);
    const nowMs = this.now();
    const creationTime = seed.creationTime ?? formatTime(nowMs - 30 * 86_400_000);
    const resourceGroupId = seed.resourceGroupId ?? 'rg-acfmzabcdefghij';
    const disk = (d: SeedDisk, type: Disk['diskType'], index: number): Disk => ({
      diskId: d.diskId ?? newDiskId(),
      diskName: type === 'system' ? 'SystemDisk' : `DataDisk${index}`,
      diskType: type,
      category: d.category ?? 'ESSD',
      size: d.size ?? (type === 'system' ? 40 : 20),
      device: `/dev/xvd${String.fromCharCode(97 + index)}`,
      status: 'In_use',
      creationTime,
      regionId: seed.regionId,
      instanceId,
      resourceGroupId,
      tags: [],
    });
    const n = this.ipCounter++;
    const instance: Instance = {
      instanceId,
      instanceName: seed.instanceName ?? `swas-${instanceId.slice(0, 8)}`,
      regionId: seed.regionId,
      status: seed.status ?? 'Running',
      businessStatus: seed.businessStatus ?? 'Normal',
      creationTime,
      expiredTime: seed.expiredTime ?? formatTime(Date.parse(creationTime) + 365 * 86_400_000),
      planId: seed.planId ?? 'swas.s2.c2m2s50b4t08',
      publicIpAddress: seed.publicIpAddress ?? `47.96.${Math.floor(n / 250)}.${(n % 250) + 1}`,
      innerIpAddress: `172.16.${Math.floor(n / 250)}.${(n % 250) + 1}`,
      imageId: '794fc7fa1dcc4e63b2a3a7b2cd0a1f55',
      imageName: seed.imageName ?? 'Alibaba Cloud Linux',
      imageVersion: seed.imageVersion ?? '3.2104 LTS 64bit',
      imageType: seed.imageType ?? (seed.imageName !== undefined ? 'app' : 'system'),
      osType: seed.osType ?? 'Linux',
      resourceGroupId,
      tags: clone(seed.tags ?? []),
      disks: [],
      internalErrorOnImage: seed.internalErrorOnImage ?? false,
      failImages: seed.failImages ?? false,
      createdFromDataImage: false,
    };
    instance.disks.push(disk(seed.systemDisk ?? {}, 'system', 0));
    (seed.dataDisks ?? []).forEach((d, i) => instance.disks.push(disk(d, 'data', i + 1)));
    this.instanceMap.set(instanceId, instance);
    return clone(instance);
  }

  setInstanceStatus(instanceId: string, status: InstanceStatus): void {
    this.updateInstance(instanceId, { status });
  }

  updateInstance(instanceId: string, patch: InstancePatch): Instance {
    this.settle();
    const i = this.instanceMap.get(instanceId);
    if (!i) throw notFound('instance', instanceId);
    // A status set by a test overrides a reset in progress.
    if (patch.status !== undefined) { this.resets.delete(instanceId); this.launches.delete(instanceId); }
    Object.assign(i, clone(patch));
    return clone(i);
  }

  /** Adds a snapshot with a fixed status (default `accomplished`), e.g. from seed data. */
  addSnapshot(seed: SeedSnapshot): Snapshot {
    const owner = this.findDiskOwner(seed.diskId);
    const status = seed.status ?? 'accomplished';
    const record = this.newSnapshotRecord(owner.instance, owner.disk, seed.snapshotName ?? `snapshot-${seed.diskId.slice(2, 8)}`, {
      snapshotId: seed.snapshotId,
      creationTime: seed.creationTime,
      remark: seed.remark,
      resourceGroupId: seed.resourceGroupId,
      tags: seed.tags,
    });
    record.fixed = { status, progress: seed.progress ?? (status === 'accomplished' ? '100%' : '0%') };
    this.snapshotMap.set(record.snapshotId, record);
    return this.snapshotView(record);
  }

  /** Pins a snapshot's status (progress defaults to 100% for accomplished, else keeps the current one). */
  setSnapshotStatus(snapshotId: string, status: SnapshotStatus, progress?: string): Snapshot {
    const s = this.snapshotMap.get(snapshotId);
    if (!s) throw notFound('snapshot', snapshotId);
    const current = this.snapshotView(s);
    s.fixed = { status, progress: progress ?? (status === 'accomplished' ? '100%' : current.progress) };
    return this.snapshotView(s);
  }

  /** Adds a custom image with a fixed status (default `"1"`), e.g. from seed data. */
  addImage(seed: SeedImage): CustomImage {
    const instance = this.instanceMap.get(seed.instanceId);
    if (!instance) throw notFound('instance', seed.instanceId);
    if (seed.regionId !== undefined && seed.regionId !== instance.regionId) {
      throw new Error(`simulator state: image region ${seed.regionId} differs from server region ${instance.regionId}`);
    }
    const record = this.newImageRecord(instance, {
      imageId: seed.imageId,
      name: seed.name,
      description: seed.description ?? '',
      systemSnapshotId: seed.systemSnapshotId,
      dataSnapshotId: seed.dataSnapshotId,
      creationTime: seed.creationTime,
      resourceGroupId: seed.resourceGroupId,
      tags: seed.tags ?? [],
    });
    record.fixed = seed.status ?? '1';
    record.listedAtMs = record.createdAtMs;
    record.inShare = seed.inShare ?? false;
    record.shareAccounts = (seed.shareAccounts ?? []).map((userId) => ({ userId, sharedTime: formatShareTime(record.createdAtMs) }));
    record.createInstances = [...(seed.createInstances ?? [])];
    // The servers made from it run it; one made from an image holding data-disk data cannot be reset.
    for (const id of record.createInstances) {
      const made = this.instanceMap.get(id);
      if (!made) continue;
      Object.assign(made, { imageId: record.imageId, imageName: record.name, imageVersion: '', imageType: 'custom', createdFromDataImage: record.dataSnapshotId !== '' });
    }
    this.imageMap.set(record.imageId, record);
    return this.imageView(record);
  }

  /** Adds an image another account shared into this one. */
  addSharedImage(seed: SeedSharedImage): CustomImage {
    if (!this.hasRegion(seed.regionId)) throw new Error(`simulator state: region ${seed.regionId} does not exist`);
    if (!/^\d+$/.test(seed.ownerUserId) || seed.ownerUserId === this.accountId) {
      throw new Error(`simulator state: a shared-in image needs another account's digit ID, not ${seed.ownerUserId}`);
    }
    const nowMs = this.now();
    const imageId = seed.imageId ?? newImageId();
    if (this.imageMap.has(imageId)) throw new Error(`simulator state: image ${imageId} already exists`);
    const record: ImageRecord = {
      imageId,
      name: seed.name,
      description: seed.description ?? '',
      regionId: seed.regionId,
      instanceId: seed.instanceId ?? newInstanceId(),
      instanceName: seed.instanceName ?? '',
      systemSnapshotId: '',
      systemSnapshotName: '',
      dataSnapshotId: '',
      dataSnapshotName: '',
      creationTime: seed.creationTime ?? formatTime(nowMs),
      resourceGroupId: '',
      osType: seed.osType ?? 'Linux',
      sourceImageName: seed.sourceImageName ?? 'Alibaba Cloud Linux',
      sourceImageVersion: seed.sourceImageVersion ?? '3.2104 LTS 64bit',
      requiredSystemDiskSize: seed.requiredSystemDiskSize ?? 40,
      requiredDataDiskSize: seed.requiredDataDiskSize ?? 0,
      tags: clone(seed.tags ?? []),
      userId: seed.ownerUserId,
      inShare: false,
      shareAccounts: [],
      createInstances: [],
      createdAtMs: nowMs,
      readyMs: 0,
      outcome: '1',
      fixed: seed.status ?? '1',
      listedAtMs: nowMs,
    };
    this.imageMap.set(imageId, record);
    return this.imageView(record);
  }

  setImageStatus(imageId: string, status: ImageStatus): CustomImage {
    const m = this.imageMap.get(imageId);
    if (!m) throw notFound('image', imageId);
    m.fixed = status;
    return this.imageView(m);
  }

  /** Removes an image at once (a test shortcut; the API's delete is asynchronous, see deleteImage). */
  removeImage(imageId: string): boolean {
    return this.imageMap.delete(imageId);
  }

  /** Replaces a resource's tags (TagResources / UntagResources after their checks). */
  setTags(kind: 'instance' | 'disk' | 'snapshot' | 'customimage', id: string, tags: readonly Tag[]): void {
    this.settle();
    const copy = clone([...tags]);
    if (kind === 'instance') {
      const i = this.instanceMap.get(id);
      if (!i) throw notFound('instance', id);
      i.tags = copy;
    } else if (kind === 'disk') {
      this.findDiskOwner(id).disk.tags = copy;
    } else if (kind === 'snapshot') {
      const s = this.snapshotMap.get(id);
      if (!s) throw notFound('snapshot', id);
      s.tags = copy;
    } else {
      const m = this.imageMap.get(id);
      if (!m) throw notFound('image', id);
      m.tags = copy;
    }
  }

  // ---------- used by the action handlers ----------

  /** A snapshot created through the API: `progressing`, then `accomplished` after snapshotReadyMs. */
  createSnapshot(diskId: string, snapshotName: string, extra: { resourceGroupId?: string; tags?: Snapshot['tags'] }): Snapshot {
    const owner = this.findDiskOwner(diskId);
    const record = this.newSnapshotRecord(owner.instance, owner.disk, snapshotName, extra);
    this.snapshotMap.set(record.snapshotId, record);
    return this.snapshotView(record);
  }

  /** A custom image created through the API: Status "4", then "1" (or "3" if the server has failImages). */
  createImage(
    instanceId: string,
    fields: { name: string; description: string; systemSnapshotId: string; dataSnapshotId?: string; resourceGroupId?: string; tags: CustomImage['tags'] },
  ): CustomImage {
    const instance = this.instanceMap.get(instanceId);
    if (!instance) throw notFound('instance', instanceId);
    const record = this.newImageRecord(instance, fields);
    this.imageMap.set(record.imageId, record);
    return this.imageView(record);
  }

  /** Starts an asynchronous delete: the image stays listed (status unchanged) for imageDeleteMs, then is gone. */
  deleteImage(imageId: string): void {
    const m = this.imageMap.get(imageId);
    if (!m) throw notFound('image', imageId);
    m.goneAtMs ??= this.now() + this.durationMs('imageDelete');
    this.settle();
  }

  /** Deletes snapshots at once. */
  deleteSnapshots(snapshotIds: readonly string[]): void {
    for (const id of snapshotIds) this.snapshotMap.delete(id);
  }

  setImageShare(imageId: string, inShare: boolean): void {
    const m = this.imageMap.get(imageId);
    if (!m) throw notFound('image', imageId);
    m.inShare = inShare;
  }

  /** Adds accounts not yet in the list (with the current time) and removes the given ones. */
  changeShareAccounts(imageId: string, add: readonly string[], remove: readonly string[]): ShareAccount[] {
    const m = this.imageMap.get(imageId);
    if (!m) throw notFound('image', imageId);
    const sharedTime = formatShareTime(this.now());
    for (const userId of add) if (!m.shareAccounts.some((a) => a.userId === userId)) m.shareAccounts.push({ userId, sharedTime });
    m.shareAccounts = m.shareAccounts.filter((a) => !remove.includes(a.userId));
    return clone(m.shareAccounts);
  }

  /**
   * ResetSystem after its checks: the server is Resetting for resetMs, then Running; it shows the new
   * image at once; its older snapshots can no longer roll it back.
   */
  resetInstance(instanceId: string, image: { imageId: string; imageName: string; imageVersion: string; imageType: Instance['imageType']; osType: string }): void {
    this.settle();
    const i = this.instanceMap.get(instanceId);
    if (!i) throw notFound('instance', instanceId);
    i.status = 'Resetting';
    i.imageId = image.imageId;
    i.imageName = image.imageName;
    i.imageVersion = image.imageVersion;
    i.imageType = image.imageType;
    i.osType = image.osType;
    this.resets.set(instanceId, this.now() + this.durationMs('reset'));
    for (const s of this.snapshotMap.values()) if (s.instanceId === instanceId) s.usableForRollback = false;
  }

  /**
   * CreateInstances after its checks: `amount` new servers of the plan, running the image (system
   * disk of the plan's size, a data disk if asked), Pending, then Starting, then Running after
   * launchMs; each is listed in the custom image's CreateInstances.
   */
  launchInstances(
    regionId: string,
    spec: { planId: string; diskSize: number; diskCategory: string; dataDiskSize: number; periodMonths: number },
    image: { imageId: string; imageName: string; imageVersion: string; osType: string },
    amount: number,
  ): string[] {
    const nowMs = this.now();
    const ids: string[] = [];
    for (let n = 0; n < amount; n++) {
      const created = this.addInstance({
        regionId, status: 'Pending', planId: spec.planId, creationTime: formatTime(nowMs),
        expiredTime: formatTime(nowMs + spec.periodMonths * 30 * 86_400_000), imageName: image.imageName, imageVersion: image.imageVersion, osType: image.osType,
        systemDisk: { size: spec.diskSize, category: spec.diskCategory },
        ...(spec.dataDiskSize > 0 ? { dataDisks: [{ size: spec.dataDiskSize, category: spec.diskCategory }] } : {}),
      });
      this.instanceMap.get(created.instanceId)!.imageId = image.imageId;
      this.launches.set(created.instanceId, { fromMs: nowMs, doneAtMs: nowMs + this.durationMs('launch') });
      ids.push(created.instanceId);
    }
    this.imageMap.get(image.imageId)?.createInstances.push(...ids);
    return ids;
  }

  recallToken(key: string): IdempotentEntry | undefined {
    return this.tokens.get(key);
  }

  rememberToken(key: string, fingerprint: string, result: Record<string, unknown>): void {
    this.tokens.set(key, { fingerprint, result: clone(result) });
  }

  // ---------- internals ----------

  /** Applies what the clock has finished: resets done, deleted images gone. */
  private settle(): void {
    const nowMs = this.now();
    for (const [id, doneAtMs] of this.resets) {
      if (nowMs < doneAtMs) continue;
      const i = this.instanceMap.get(id);
      if (i?.status === 'Resetting') i.status = 'Running';
      this.resets.delete(id);
    }
    for (const [id, { fromMs, doneAtMs }] of this.launches) {
      const i = this.instanceMap.get(id);
      if (!i) { this.launches.delete(id); continue; }
      if (nowMs >= doneAtMs) {
        i.status = 'Running';
        this.launches.delete(id);
      } else if (nowMs >= fromMs + (doneAtMs - fromMs) / 2) {
        i.status = 'Starting';
      }
    }
    for (const [id, m] of this.imageMap) if (m.goneAtMs !== undefined && nowMs >= m.goneAtMs) this.imageMap.delete(id);
  }

  private findDiskOwner(diskId: string): { instance: Instance; disk: Disk } {
    for (const instance of this.instanceMap.values()) {
      const disk = instance.disks.find((d) => d.diskId === diskId);
      if (disk) return { instance, disk };
    }
    throw notFound('disk', diskId);
  }

  private newSnapshotRecord(
    instance: Instance,
    disk: Disk,
    snapshotName: string,
    extra: { snapshotId?: string | undefined; creationTime?: string | undefined; remark?: string | undefined; resourceGroupId?: string | undefined; tags?: Snapshot['tags'] | undefined },
  ): SnapshotRecord {
    const nowMs = this.now();
    const snapshotId = extra.snapshotId ?? newSnapshotId();
    if (this.snapshotMap.has(snapshotId)) throw new Error(`simulator state: snapshot ${snapshotId} already exists`);
    return {
      snapshotId,
      snapshotName,
      regionId: instance.regionId,
      instanceId: instance.instanceId,
      sourceDiskId: disk.diskId,
      sourceDiskType: disk.diskType,
      creationTime: extra.creationTime ?? formatTime(nowMs),
      remark: extra.remark ?? '',
      resourceGroupId: extra.resourceGroupId ?? instance.resourceGroupId,
      tags: clone(extra.tags ?? []),
      usableForRollback: true,
      createdAtMs: nowMs,
      readyMs: this.durationMs('snapshot', disk.size),
    };
  }

  private newImageRecord(
    instance: Instance,
    f: {
      imageId?: string | undefined;
      name: string;
      description: string;
      systemSnapshotId?: string | undefined;
      dataSnapshotId?: string | undefined;
      creationTime?: string | undefined;
      resourceGroupId?: string | undefined;
      tags: CustomImage['tags'];
    },
  ): ImageRecord {
    const nowMs = this.now();
    const imageId = f.imageId ?? newImageId();
    if (this.imageMap.has(imageId)) throw new Error(`simulator state: image ${imageId} already exists`);
    const sys = f.systemSnapshotId ? this.snapshotMap.get(f.systemSnapshotId) : undefined;
    const data = f.dataSnapshotId ? this.snapshotMap.get(f.dataSnapshotId) : undefined;
    const diskSize = (snap: SnapshotRecord | undefined): number =>
      snap ? (instance.disks.find((d) => d.diskId === snap.sourceDiskId)?.size ?? 0) : 0;
    return {
      imageId,
      name: f.name,
      description: f.description,
      regionId: instance.regionId,
      instanceId: instance.instanceId,
      instanceName: instance.instanceName,
      systemSnapshotId: f.systemSnapshotId ?? '',
      systemSnapshotName: sys?.snapshotName ?? '',
      dataSnapshotId: f.dataSnapshotId ?? '',
      dataSnapshotName: data?.snapshotName ?? '',
      creationTime: f.creationTime ?? formatTime(nowMs),
      resourceGroupId: f.resourceGroupId ?? instance.resourceGroupId,
      osType: instance.osType,
      sourceImageName: instance.imageName,
      sourceImageVersion: instance.imageVersion,
      requiredSystemDiskSize: diskSize(sys) || (instance.disks[0]?.size ?? 40),
      requiredDataDiskSize: diskSize(data),
      tags: clone(f.tags),
      userId: this.accountId,
      inShare: false,
      shareAccounts: [],
      createInstances: [],
      createdAtMs: nowMs,
      readyMs: this.durationMs('image', diskSize(sys) + diskSize(data)),
      outcome: instance.failImages ? '3' : '1',
      listedAtMs: nowMs + this.durationMs('imageListDelay'),
    };
  }

  private snapshotView(s: SnapshotRecord): Snapshot {
    const { fixed, createdAtMs, readyMs } = s;
    let status: SnapshotStatus;
    let progress: string;
    if (fixed) {
      ({ status, progress } = fixed);
    } else {
      const elapsed = this.now() - createdAtMs;
      if (elapsed >= readyMs) {
        status = 'accomplished';
        progress = '100%';
      } else {
        status = 'progressing';
        progress = `${Math.min(99, Math.floor((Math.max(0, elapsed) / readyMs) * 100))}%`;
      }
    }
    const view = copyData(s, undefined, SNAPSHOT_INTERNALS) as unknown as Snapshot;
    view.status = status;
    view.progress = progress;
    return view;
  }

  private imageView(m: ImageRecord): CustomImage {
    const nowMs = this.now();
    const view = copyData(m, undefined, IMAGE_INTERNALS) as unknown as CustomImage;
    view.status = m.fixed ?? (nowMs - m.createdAtMs >= m.readyMs ? m.outcome : '4');
    view.sharedIn = m.userId !== this.accountId;
    view.listed = nowMs >= m.listedAtMs;
    view.deleting = m.goneAtMs !== undefined;
    return view;
  }
}
