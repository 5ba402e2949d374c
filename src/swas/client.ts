import type * as SwasSdk from '@alicloud/swas-open20200601';
import type * as CredentialsSdk from '@alicloud/credentials';
import type * as Dara from '@darabonba/typescript';
import type * as OpenApiCore from '@alicloud/openapi-core';
import type { Logger } from 'pino';
import { ApiError, normaliseSdkError } from './errors.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { regionHost } from './shapes.js';
import type {
  CallOptions, CreateCustomImageParams, CreateSnapshotParams, CustomImage, Disk, Instance, Listing,
  Snapshot, SwasApi, Tag,
} from './types.js';

// CommonJS interop: import() yields module.exports as `default` (bundled, that is all it yields),
// and module.exports' own `default` is the client class.
type SdkModule = typeof SwasSdk.default;
type SdkClientClass = typeof SwasSdk.default.default;
type SdkClient = InstanceType<SdkClientClass>;
type CredentialClass = typeof CredentialsSdk.default.default;
type RuntimeOptionsCtor = typeof Dara.default.RuntimeOptions;
type RuntimeOptions = InstanceType<RuntimeOptionsCtor>;

/** Where the credentials come from: the default chain of @alicloud/credentials, or a fixed pair. */
export type CredentialSource =
  | { kind: 'default-chain' }
  | { kind: 'static'; accessKeyId: string; accessKeySecret: string; securityToken?: string };

export interface SwasClientOptions {
  /** Operator override of the base URL; otherwise https://swas.<RegionId>.aliyuncs.com. */
  endpoint?: URL;
  credentials: CredentialSource;
  retry: RetryPolicy;
  log: Logger;
}

const PAGE_SIZE = 100;
const DEFAULT_MAX_ITEMS = 500;

interface Sdk {
  mod: SdkModule;
  RuntimeOptions: RuntimeOptionsCtor;
  OpenApiConfig: typeof OpenApiCore.default.$OpenApiUtil.Config;
  credential: InstanceType<CredentialClass>;
  clients: Map<string, SdkClient>;
}

/** Loads the official SDK on first use, so that the MCP handshake never waits for it. */
async function loadSdk(source: CredentialSource): Promise<Sdk> {
  const [mod, dara, credentials, openapi] = await Promise.all([
    import('@alicloud/swas-open20200601'),
    import('@darabonba/typescript'),
    import('@alicloud/credentials'),
    import('@alicloud/openapi-core'),
  ]);
  const Credential: CredentialClass = credentials.default.default;
  const CredConfig = credentials.default.Config;
  const credential = source.kind === 'static'
    ? new Credential(new CredConfig({
      type: source.securityToken ? 'sts' : 'access_key',
      accessKeyId: source.accessKeyId,
      accessKeySecret: source.accessKeySecret,
      securityToken: source.securityToken,
    }))
    : new Credential();
  return { mod: mod.default, RuntimeOptions: dara.default.RuntimeOptions, OpenApiConfig: openapi.default.$OpenApiUtil.Config, credential, clients: new Map() };
}

function jsonList(ids: string[] | undefined): string | undefined {
  return ids && ids.length > 0 ? JSON.stringify(ids) : undefined;
}

function lower(v: string | undefined): string {
  return (v ?? '').toLowerCase();
}

function toNumber(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function tagsOf(list: { key?: string; value?: string }[] | undefined): Tag[] {
  return (list ?? []).filter((t) => t.key !== undefined).map((t) => ({ Key: t.key as string, Value: t.value ?? '' }));
}

export class SdkSwasApi implements SwasApi {
  private sdk?: Promise<Sdk>;

  constructor(private readonly opts: SwasClientOptions) {}

  hostFor(regionId: string): string {
    return this.opts.endpoint ? this.opts.endpoint.host : regionHost(regionId);
  }

  private loaded(): Promise<Sdk> {
    this.sdk ??= loadSdk(this.opts.credentials);
    this.sdk.catch(() => { this.sdk = undefined; });
    return this.sdk;
  }

  private async clientFor(regionId: string): Promise<{ client: SdkClient; sdk: Sdk }> {
    const sdk = await this.loaded();
    const host = this.hostFor(regionId);
    let client = sdk.clients.get(host);
    if (!client) {
      const Client: SdkClientClass = sdk.mod.default;
      client = new Client(new sdk.OpenApiConfig({
        credential: sdk.credential,
        // The SDK has no endpoint map for SWAS and would fall back to a global host: always set it.
        endpoint: host,
        protocol: this.opts.endpoint?.protocol === 'http:' ? 'HTTP' : 'HTTPS',
        regionId,
      }));
      sdk.clients.set(host, client);
    }
    return { client, sdk };
  }

  /** Makes sure the credential chain yields something before a request is signed. */
  private async checkCredentials(sdk: Sdk): Promise<void> {
    try {
      await sdk.credential.getCredential();
    } catch {
      throw new ApiError({
        code: 'CredentialsNotFound',
        stage: 'config',
        message: 'No Alibaba Cloud credentials were found by the default credential chain.',
      });
    }
  }

  private async call<T>(action: string, regionId: string, opts: CallOptions | undefined,
    invoke: (client: SdkClient, runtime: RuntimeOptions, sdk: Sdk) => Promise<T>): Promise<T> {
    const { client, sdk } = await this.clientFor(regionId);
    await this.checkCredentials(sdk);
    const host = this.hostFor(regionId);
    const started = Date.now();
    try {
      const result = await withRetries(
        (timeoutMs) => invoke(client, new sdk.RuntimeOptions({ readTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 5_000) }), sdk),
        (err) => normaliseSdkError(err, host),
        this.opts.retry,
        opts?.signal,
        ({ attempt, delayMs, error }) => this.opts.log.warn(
          { action, regionId, attempt, delayMs, code: error.code, requestId: error.requestId }, 'retrying SWAS call'),
      );
      this.opts.log.debug({ action, regionId, ms: Date.now() - started }, 'SWAS call succeeded');
      return result;
    } catch (err) {
      if (err instanceof ApiError) {
        this.opts.log.info({ action, regionId, ms: Date.now() - started, code: err.code, requestId: err.requestId }, 'SWAS call failed');
      }
      throw err;
    }
  }

  /**
   * Gathers the pages of a list call until maxItems are in hand. Pages are as large as the API
   * allows (100) or as maxItems, whichever is smaller, so asking for one item costs one small page.
   */
  private async pages<T>(fetchPage: (pageNumber: number, pageSize: number) => Promise<{ items: T[]; totalCount?: number }>, opts?: CallOptions): Promise<Listing<T>> {
    const maxItems = Math.max(1, opts?.maxItems ?? DEFAULT_MAX_ITEMS);
    const pageSize = Math.min(PAGE_SIZE, maxItems);
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const res = await fetchPage(page, pageSize);
      items.push(...res.items);
      const totalCount = Math.max(res.totalCount ?? items.length, items.length);
      const exhausted = res.items.length < pageSize || items.length >= totalCount;
      if (exhausted || items.length >= maxItems) {
        const kept = items.slice(0, maxItems);
        return { items: kept, totalCount, truncated: totalCount > kept.length };
      }
    }
  }

  listInstances(regionId: string, filter: { InstanceIds?: string[]; InstanceName?: string; Status?: string }, opts?: CallOptions): Promise<Listing<Instance>> {
    return this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListInstances', regionId, opts, (c, rt, sdk) => c.listInstancesWithOptions(new sdk.mod.ListInstancesRequest({
        regionId, instanceIds: jsonList(filter.InstanceIds), instanceName: filter.InstanceName, status: filter.Status,
        pageNumber, pageSize,
      }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.instances ?? []).map((i): Instance => ({
          InstanceId: i.instanceId ?? '',
          InstanceName: i.instanceName ?? '',
          RegionId: i.regionId ?? regionId,
          Status: i.status ?? '',
          BusinessStatus: i.businessStatus,
          CreationTime: i.creationTime,
          ExpiredTime: i.expiredTime,
          PublicIpAddress: i.publicIpAddress,
          PlanId: i.planId,
          ImageName: i.image?.imageName,
          Disks: (i.disks ?? []).map((d): Disk => ({
            DiskId: d.diskId ?? '', DiskName: d.diskName, DiskType: lower(d.diskType), Category: d.category,
            Size: d.size, Status: d.status, InstanceId: i.instanceId, CreationTime: d.creationTime,
          })),
        })),
      };
    }, opts);
  }

  listSnapshots(regionId: string, filter: { SnapshotIds?: string[]; InstanceId?: string; DiskId?: string; SourceDiskType?: string }, opts?: CallOptions): Promise<Listing<Snapshot>> {
    return this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListSnapshots', regionId, opts, (c, rt, sdk) => c.listSnapshotsWithOptions(new sdk.mod.ListSnapshotsRequest({
        regionId, snapshotIds: jsonList(filter.SnapshotIds), instanceId: filter.InstanceId, diskId: filter.DiskId,
        sourceDiskType: filter.SourceDiskType, pageNumber, pageSize,
      }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.snapshots ?? []).map((s): Snapshot => ({
          SnapshotId: s.snapshotId ?? '', SnapshotName: s.snapshotName ?? '', RegionId: s.regionId ?? regionId,
          Status: lower(s.status), Progress: s.progress, SourceDiskId: s.sourceDiskId, SourceDiskType: lower(s.sourceDiskType),
          InstanceId: s.instanceId || undefined, CreationTime: s.creationTime,
        })),
      };
    }, opts);
  }

  listDisks(regionId: string, filter: { InstanceId?: string; DiskIds?: string[]; DiskType?: string }, opts?: CallOptions): Promise<Listing<Disk>> {
    return this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListDisks', regionId, opts, (c, rt, sdk) => c.listDisksWithOptions(new sdk.mod.ListDisksRequest({
        regionId, instanceId: filter.InstanceId, diskIds: jsonList(filter.DiskIds), diskType: filter.DiskType,
        pageNumber, pageSize,
      }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.disks ?? []).map((d): Disk => ({
          DiskId: d.diskId ?? '', DiskName: d.diskName, DiskType: lower(d.diskType), Category: d.category, Size: d.size,
          Status: d.status, InstanceId: d.instanceId, CreationTime: d.creationTime,
        })),
      };
    }, opts);
  }

  listCustomImages(regionId: string, filter: { ImageIds?: string[]; ImageNames?: string[]; InstanceId?: string }, opts?: CallOptions): Promise<Listing<CustomImage>> {
    return this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListCustomImages', regionId, opts, (c, rt, sdk) => c.listCustomImagesWithOptions(new sdk.mod.ListCustomImagesRequest({
        regionId, imageIds: jsonList(filter.ImageIds), imageNames: jsonList(filter.ImageNames), instanceId: filter.InstanceId,
        pageNumber, pageSize,
      }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.customImages ?? []).map((m): CustomImage => ({
          ImageId: m.imageId ?? '', Name: m.name ?? '', RegionId: m.regionId ?? regionId, StatusCode: String(m.status ?? ''),
          Description: m.description, InstanceId: m.instanceId, InstanceName: m.instanceName,
          SystemSnapshotId: m.systemSnapshotId || undefined, DataSnapshotId: m.dataSnapshotId || undefined,
          CreationTime: m.creationTime, ResourceGroupId: m.resourceGroupId, Tags: tagsOf(m.tags),
        })),
      };
    }, opts);
  }

  async createCustomImage(p: CreateCustomImageParams, opts?: CallOptions): Promise<{ ImageId: string; RequestId: string }> {
    const res = await this.call('CreateCustomImage', p.RegionId, opts, (c, rt, sdk) => c.createCustomImageWithOptions(new sdk.mod.CreateCustomImageRequest({
      regionId: p.RegionId, instanceId: p.InstanceId, imageName: p.ImageName, systemSnapshotId: p.SystemSnapshotId,
      dataSnapshotId: p.DataSnapshotId, description: p.Description, resourceGroupId: p.ResourceGroupId, clientToken: p.ClientToken,
      tag: p.Tag?.map((t) => new sdk.mod.CreateCustomImageRequestTag({ key: t.Key, value: t.Value })),
    }), rt));
    return { ImageId: res.body?.imageId ?? '', RequestId: res.body?.requestId ?? '' };
  }

  async createSnapshot(p: CreateSnapshotParams, opts?: CallOptions): Promise<{ SnapshotId: string; RequestId: string }> {
    const res = await this.call('CreateSnapshot', p.RegionId, opts, (c, rt, sdk) => c.createSnapshotWithOptions(new sdk.mod.CreateSnapshotRequest({
      regionId: p.RegionId, diskId: p.DiskId, snapshotName: p.SnapshotName, resourceGroupId: p.ResourceGroupId,
      clientToken: p.ClientToken,
      tag: p.Tag?.map((t) => new sdk.mod.CreateSnapshotRequestTag({ key: t.Key, value: t.Value })),
    }), rt));
    return { SnapshotId: res.body?.snapshotId ?? '', RequestId: res.body?.requestId ?? '' };
  }
}
