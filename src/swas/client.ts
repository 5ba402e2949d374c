import { clearReadTimersWhenDone } from './httpx-read-timer.js';
import type * as SwasSdk from '@alicloud/swas-open20200601';
import type * as CredentialsSdk from '@alicloud/credentials';
import type * as Dara from '@darabonba/typescript';
import type * as OpenApiCore from '@alicloud/openapi-core';
import type { Logger } from 'pino';
import { SwasError, normaliseSdkError } from './errors.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { apiField } from '../untrusted.js';
import { diagnoseCredentials } from './credential-diagnosis.js';
import { buildConfiguredChain } from './credentials.js';
import { regionHost } from './shapes.js';
import type {
  CallOptions, CreateCustomImageParams, CreateInstancesParams, CreateSnapshotParams, CustomImage, CustomImageFilter, DeleteCustomImagesParams,
  DeleteSnapshotsParams, Disk, ImageShareAccountParams, Instance, InstanceStatus, Listing, ModifyImageShareStatusParams,
  Region, RequestResult, ResetSystemParams, ShareAccount, Snapshot, SwasApi, SwasImage, SwasPlan, Tag,
  TagResourcesParams, UntagResourcesParams,
} from './types.js';

// CommonJS interop: import() yields module.exports as `default` (bundled, that is all it yields),
// and module.exports' own `default` is the client class.
type SdkModule = typeof SwasSdk.default;
type SdkClientClass = typeof SwasSdk.default.default;
type SdkClient = InstanceType<SdkClientClass>;
type CredentialClass = typeof CredentialsSdk.default.default;
type RuntimeOptionsCtor = typeof Dara.default.RuntimeOptions;
type RuntimeOptions = InstanceType<RuntimeOptionsCtor>;

/**
 * Where the credentials come from: @alicloud/credentials' default chain limited to the sources the
 * environment configures (see credentials.ts; `ecsMetadata` lets the ECS metadata service be asked
 * without ALIBABA_CLOUD_ECS_METADATA), or a fixed pair.
 */
export type CredentialSource =
  | { kind: 'default-chain'; ecsMetadata?: boolean }
  | { kind: 'static'; accessKeyId: string; accessKeySecret: string; securityToken?: string }
  /** One named profile's own provider (src/profiles): never a chain that could fall through. */
  | { kind: 'provider'; label: string; provider: () => Promise<CredentialsSdk.CredentialsProvider> };

export interface SwasClientOptions {
  /** Operator override of the base URL; otherwise https://swas.<RegionId>.aliyuncs.com. */
  endpoint?: URL;
  credentials: CredentialSource;
  retry: RetryPolicy;
  log: Logger;
  /** Region whose endpoint answers region-less calls (ListRegions); cn-hangzhou when unset. */
  defaultRegionId?: string;
}

/** ListRegions is answered by any region's endpoint; this one when no default region is configured. */
export const LIST_REGIONS_FALLBACK_REGION = 'cn-hangzhou';

/** The codes a list call filtered by IDs may answer when none of the IDs exists (Terraform treats them so). */
export const NOT_FOUND_LIST_CODES: ReadonlySet<string> = new Set([
  'InvalidInstanceId.NotFound', 'InvalidDiskId.NotFound', 'InvalidSnapshotId.NotFound', 'InvalidImageId.NotFound',
]);

/** Failures nobody could expect of a healthy endpoint: logged as errors. */
const UNEXPECTED_CODES: ReadonlySet<string> = new Set(['UnknownError', 'UnexpectedResponse']);

const PAGE_SIZE = 100;
/** ListCustomImageShareAccounts pages hold at most 50. */
const SHARE_PAGE_SIZE = 50;
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
  const [mod, dara, credentials, openapi, httpx] = await Promise.all([
    import('@alicloud/swas-open20200601'),
    import('@darabonba/typescript'),
    import('@alicloud/credentials'),
    import('@alicloud/openapi-core'),
    // httpx ships no types; only its `request` export is used (see httpx-read-timer.ts).
    import('httpx') as Promise<{ default: Parameters<typeof clearReadTimersWhenDone>[0] }>,
  ]);
  clearReadTimersWhenDone(moduleExports(httpx, 'request'));
  const credLib = moduleExports(credentials, 'Config');
  const Credential: CredentialClass = credLib.default;
  const CredConfig = credLib.Config;
  const credential = source.kind === 'static'
    ? new Credential(new CredConfig({
      type: source.securityToken ? 'sts' : 'access_key',
      accessKeyId: source.accessKeyId,
      accessKeySecret: source.accessKeySecret,
      securityToken: source.securityToken,
    }))
    : new Credential(null, source.kind === 'provider' ? await source.provider() : buildConfiguredChain(credLib, process.env, { ecsMetadata: source.ecsMetadata }));
  return {
    mod: moduleExports(mod, 'ListInstancesRequest'),
    RuntimeOptions: moduleExports(dara, 'RuntimeOptions').RuntimeOptions,
    OpenApiConfig: moduleExports(openapi, '$OpenApiUtil').$OpenApiUtil.Config,
    credential, clients: new Map(),
  };
}

/**
 * module.exports of a CommonJS package loaded with import(). Node (and the bundle) give it as the
 * namespace's `default`; vitest's interop gives the named exports on the namespace itself and the
 * package's own `default` export as `default`. `probe` is a named export that tells them apart.
 */
export function moduleExports<M>(ns: { default: M }, probe: string): M {
  const viaDefault = ns.default as unknown;
  if (typeof viaDefault === 'object' && viaDefault !== null && probe in viaDefault) return ns.default;
  if (typeof viaDefault === 'function' && probe in viaDefault) return ns.default;
  return ns as unknown as M;
}

function jsonList(ids: string[] | undefined): string | undefined {
  return ids && ids.length > 0 ? JSON.stringify(ids) : undefined;
}

/** Alibaba Cloud account IDs travel as digit strings here and as numbers in the SDK. */
export function accountNumber(id: string): number {
  const n = Number(id);
  if (!/^[1-9][0-9]{0,16}$/.test(id) || !Number.isSafeInteger(n)) {
    throw new SwasError({ code: 'InvalidParam.Account', stage: 'input', message: 'An account ID must be an Alibaba Cloud account ID: digits only, such as 1234567890123456.' });
  }
  return n;
}

function accountString(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v !== '') return v;
  return undefined;
}

/**
 * Free text the API returns (names, descriptions) is cleaned at the boundary: no control
 * characters or ANSI escapes, bounded. Text answers still quote it with apiText.
 */
function text(v: string | undefined, max = 256): string | undefined {
  return v === undefined || v === null ? undefined : apiField(v, max);
}

function lower(v: string | undefined): string {
  return (v ?? '').toLowerCase();
}

function toNumber(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function tagsOf(list: { key?: string; value?: string }[] | undefined): Tag[] {
  return (list ?? []).filter((t) => t.key !== undefined).map((t) => ({ Key: apiField(t.key, 128), Value: apiField(t.value ?? '', 128) }));
}

export class SdkSwasApi implements SwasApi {
  private sdk?: Promise<Sdk>;

  constructor(private readonly opts: SwasClientOptions) {}

  /** The same client (credentials, connections) logging through another logger: one call's lines name its profile and account. */
  withLog(log: Logger): SdkSwasApi {
    const twin = new SdkSwasApi({ ...this.opts, log });
    twin.sdk = this.loaded();
    return twin;
  }

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
      const problems = this.opts.credentials.kind === 'default-chain' ? diagnoseCredentials(process.env) : [];
      if (problems.length) throw new SwasError({ code: 'CredentialsIncomplete', stage: 'config', message: problems.join(' ') });
      throw new SwasError({
        code: 'CredentialsNotFound',
        stage: 'config',
        message: this.opts.credentials.kind === 'provider'
          ? `The credentials of ${this.opts.credentials.label} could not be obtained.`
          : 'No Alibaba Cloud credentials were found by the default credential chain.',
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
      this.logFailure(action, regionId, Date.now() - started, err);
      throw err;
    }
  }

  /**
   * A failed call is a warning; one nobody could expect (a server error, an answer that is no API
   * answer, anything not normalised) is an error. A list filtered by IDs that answers "not found"
   * is an answer (an empty listing), and a cancel is the client's: both stay at debug. Only codes,
   * IDs and timings are logged, never a message (it may quote input) or a credential.
   */
  private logFailure(action: string, regionId: string, ms: number, err: unknown): void {
    const log = this.opts.log;
    if (!(err instanceof SwasError)) {
      if (err instanceof Error && err.name === 'CancelledError') log.debug({ action, regionId, ms }, 'SWAS call cancelled');
      else log.error({ action, regionId, ms, err: err instanceof Error ? { name: err.name } : typeof err }, 'SWAS call failed unexpectedly');
      return;
    }
    const fields = { action, regionId, ms, code: err.code, stage: err.stage, httpStatus: err.httpStatus, requestId: err.requestId };
    if (action.startsWith('List') && NOT_FOUND_LIST_CODES.has(err.code)) log.debug(fields, 'SWAS list answered not found');
    else if (UNEXPECTED_CODES.has(err.code) || (err.httpStatus !== undefined && err.httpStatus >= 500)) log.error(fields, 'SWAS call failed');
    else log.warn(fields, 'SWAS call failed');
  }

  /**
   * Gathers the pages of a list call until maxItems are in hand. Pages are as large as the API
   * allows (100) or as maxItems, whichever is smaller, so asking for one item costs one small page.
   */
  private async pages<T>(fetchPage: (pageNumber: number, pageSize: number) => Promise<{ items: T[]; totalCount?: number }>, opts?: CallOptions,
    paging: { maxPageSize?: number; keep?: (item: T) => boolean } = {}): Promise<Listing<T>> {
    const maxItems = Math.max(1, opts?.maxItems ?? DEFAULT_MAX_ITEMS);
    const keep = paging.keep;
    // With a local filter a page may keep fewer than it holds: fetch full pages then.
    const pageSize = Math.min(paging.maxPageSize ?? PAGE_SIZE, keep ? PAGE_SIZE : maxItems);
    const items: T[] = [];
    let seen = 0;
    for (let page = 1; ; page++) {
      const res = await fetchPage(page, pageSize);
      seen += res.items.length;
      items.push(...(keep ? res.items.filter(keep) : res.items));
      const apiTotal = Math.max(res.totalCount ?? seen, seen);
      const exhausted = res.items.length < pageSize || seen >= apiTotal;
      if (exhausted || items.length >= maxItems) {
        const kept = items.slice(0, maxItems);
        // Filtered locally, the API's total counts what the filter dropped: what was kept is the total
        // once every page is seen, and a lower bound (marked truncated) otherwise.
        const totalCount = keep ? items.length : apiTotal;
        return { items: kept, totalCount, truncated: keep ? !exhausted || totalCount > kept.length : totalCount > kept.length };
      }
    }
  }

  /**
   * A list call filtered by IDs may answer "not found" instead of an empty list when none of the
   * IDs exists: that means the resources are missing, which is an empty listing.
   */
  private async orEmpty<T>(filteredByIds: boolean, list: () => Promise<Listing<T>>): Promise<Listing<T>> {
    try {
      return await list();
    } catch (err) {
      if (filteredByIds && err instanceof SwasError && NOT_FOUND_LIST_CODES.has(err.code)) {
        this.opts.log.debug({ code: err.code }, 'list filtered by IDs answered not found: empty listing');
        return { items: [], totalCount: 0, truncated: false };
      }
      throw err;
    }
  }

  listInstances(regionId: string, filter: { InstanceIds?: string[]; InstanceName?: string; Status?: string }, opts?: CallOptions): Promise<Listing<Instance>> {
    return this.orEmpty(hasAny(filter.InstanceIds), () => this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListInstances', regionId, opts, (c, rt, sdk) => c.listInstancesWithOptions(new sdk.mod.ListInstancesRequest({
        regionId, instanceIds: jsonList(filter.InstanceIds), instanceName: filter.InstanceName, status: filter.Status,
        pageNumber, pageSize,
      }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.instances ?? []).map((i): Instance => ({
          InstanceId: i.instanceId ?? '',
          InstanceName: text(i.instanceName) ?? '',
          RegionId: i.regionId ?? regionId,
          Status: i.status ?? '',
          BusinessStatus: i.businessStatus,
          CreationTime: i.creationTime,
          ExpiredTime: i.expiredTime,
          PublicIpAddress: i.publicIpAddress,
          PlanId: i.planId,
          ImageName: text(i.image?.imageName),
          ImageId: i.imageId || undefined,
          OsType: text(i.image?.osType || undefined, 64),
          Disks: (i.disks ?? []).map((d): Disk => ({
            DiskId: d.diskId ?? '', DiskName: text(d.diskName), DiskType: lower(d.diskType), Category: d.category,
            Size: d.size, Status: d.status, InstanceId: i.instanceId, CreationTime: d.creationTime,
          })),
        })),
      };
    }, opts));
  }

  /**
   * SourceDiskType is filtered here, not by the API: the SDK's example spells it "System" while the
   * live API answers lower case, and a case-sensitive match on the server would return nothing.
   * A server holds at most 3 snapshots, so the extra items cost little.
   */
  listSnapshots(regionId: string, filter: { SnapshotIds?: string[]; InstanceId?: string; DiskId?: string; SourceDiskType?: string }, opts?: CallOptions): Promise<Listing<Snapshot>> {
    const diskType = filter.SourceDiskType ? lower(filter.SourceDiskType) : undefined;
    return this.orEmpty(hasAny(filter.SnapshotIds) || !!filter.InstanceId || !!filter.DiskId, () => this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListSnapshots', regionId, opts, (c, rt, sdk) => c.listSnapshotsWithOptions(new sdk.mod.ListSnapshotsRequest({
        regionId, snapshotIds: jsonList(filter.SnapshotIds), instanceId: filter.InstanceId, diskId: filter.DiskId,
        pageNumber, pageSize,
      }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.snapshots ?? []).map((s): Snapshot => ({
          SnapshotId: s.snapshotId ?? '', SnapshotName: text(s.snapshotName) ?? '', RegionId: s.regionId ?? regionId,
          Status: lower(s.status), Progress: s.progress, SourceDiskId: s.sourceDiskId, SourceDiskType: lower(s.sourceDiskType),
          InstanceId: s.instanceId || undefined, CreationTime: s.creationTime,
        })),
      };
    }, opts, diskType ? { keep: (s) => s.SourceDiskType === diskType } : {}));
  }

  /** DiskType is filtered here, not by the API, for the same reason as SourceDiskType above. */
  listDisks(regionId: string, filter: { InstanceId?: string; DiskIds?: string[]; DiskType?: string }, opts?: CallOptions): Promise<Listing<Disk>> {
    const diskType = filter.DiskType ? lower(filter.DiskType) : undefined;
    return this.orEmpty(hasAny(filter.DiskIds) || !!filter.InstanceId, () => this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListDisks', regionId, opts, (c, rt, sdk) => c.listDisksWithOptions(new sdk.mod.ListDisksRequest({
        regionId, instanceId: filter.InstanceId, diskIds: jsonList(filter.DiskIds),
        pageNumber, pageSize,
      }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.disks ?? []).map((d): Disk => ({
          DiskId: d.diskId ?? '', DiskName: text(d.diskName), DiskType: lower(d.diskType), Category: d.category, Size: d.size,
          Status: d.status, InstanceId: d.instanceId, CreationTime: d.creationTime,
        })),
      };
    }, opts, diskType ? { keep: (d) => d.DiskType === diskType } : {}));
  }

  listCustomImages(regionId: string, filter: CustomImageFilter, opts?: CallOptions): Promise<Listing<CustomImage>> {
    return this.orEmpty(hasAny(filter.ImageIds) || !!filter.InstanceId, () => this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListCustomImages', regionId, opts, (c, rt, sdk) => c.listCustomImagesWithOptions(new sdk.mod.ListCustomImagesRequest({
        regionId, imageIds: jsonList(filter.ImageIds), imageNames: jsonList(filter.ImageNames), instanceId: filter.InstanceId,
        share: filter.Share, pageNumber, pageSize,
      }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.customImages ?? []).map((m): CustomImage => ({
          ImageId: m.imageId ?? '', Name: text(m.name) ?? '', RegionId: m.regionId ?? regionId, StatusCode: String(m.status ?? ''),
          Description: text(m.description, 1024), InstanceId: m.instanceId, InstanceName: text(m.instanceName),
          SystemSnapshotId: m.systemSnapshotId || undefined, DataSnapshotId: m.dataSnapshotId || undefined,
          CreationTime: m.creationTime, ResourceGroupId: m.resourceGroupId, Tags: tagsOf(m.tags),
          UserId: accountString(m.userId), InShare: m.inShare, InShareUser: m.inShareUser, OsType: text(m.osType || undefined, 64),
          RequiredSystemDiskSize: toNumber(m.requiredSystemDiskSize), RequiredDataDiskSize: toNumber(m.requiredDataDiskSize),
          CreateInstances: m.createInstances, SystemSnapshotName: text(m.systemSnapshotName || undefined),
          DataSnapshotName: text(m.dataSnapshotName || undefined),
        })),
      };
    }, opts));
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

  listCustomImageShareAccounts(regionId: string, imageId: string, opts?: CallOptions): Promise<Listing<ShareAccount>> {
    return this.orEmpty(true, () => this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListCustomImageShareAccounts', regionId, opts, (c, rt, sdk) => c.listCustomImageShareAccountsWithOptions(
        new sdk.mod.ListCustomImageShareAccountsRequest({ regionId, imageId, pageNumber, pageSize }), rt));
      const body = res.body;
      return {
        totalCount: toNumber(body?.totalCount),
        items: (body?.imageShareUsers ?? []).flatMap((u): ShareAccount[] => {
          const id = accountString(u.userId);
          return id === undefined ? [] : [{ UserId: id, SharedTime: u.sharedTime || undefined }];
        }),
      };
    }, opts, { maxPageSize: SHARE_PAGE_SIZE }));
  }

  async modifyImageShareStatus(p: ModifyImageShareStatusParams, opts?: CallOptions): Promise<RequestResult> {
    const res = await this.call('ModifyImageShareStatus', p.RegionId, opts, (c, rt, sdk) => c.modifyImageShareStatusWithOptions(
      new sdk.mod.ModifyImageShareStatusRequest({ regionId: p.RegionId, imageId: p.ImageId, operation: p.Operation, clientToken: p.ClientToken }), rt));
    return { RequestId: res.body?.requestId ?? '' };
  }

  async addCustomImageShareAccount(p: ImageShareAccountParams, opts?: CallOptions): Promise<RequestResult> {
    const account = p.Accounts.map(accountNumber);
    const res = await this.call('AddCustomImageShareAccount', p.RegionId, opts, (c, rt, sdk) => c.addCustomImageShareAccountWithOptions(
      new sdk.mod.AddCustomImageShareAccountRequest({ regionId: p.RegionId, imageId: p.ImageId, account, clientToken: p.ClientToken }), rt));
    return { RequestId: res.body?.requestId ?? '' };
  }

  async removeCustomImageShareAccount(p: ImageShareAccountParams, opts?: CallOptions): Promise<RequestResult> {
    const account = p.Accounts.map(accountNumber);
    const res = await this.call('RemoveCustomImageShareAccount', p.RegionId, opts, (c, rt, sdk) => c.removeCustomImageShareAccountWithOptions(
      new sdk.mod.RemoveCustomImageShareAccountRequest({ regionId: p.RegionId, imageId: p.ImageId, account, clientToken: p.ClientToken }), rt));
    return { RequestId: res.body?.requestId ?? '' };
  }

  async tagResources(p: TagResourcesParams, opts?: CallOptions): Promise<RequestResult> {
    const res = await this.call('TagResources', p.RegionId, opts, (c, rt, sdk) => c.tagResourcesWithOptions(new sdk.mod.TagResourcesRequest({
      regionId: p.RegionId, resourceType: p.ResourceType, resourceId: [...p.ResourceIds], clientToken: p.ClientToken,
      tag: p.Tags.map((t) => new sdk.mod.TagResourcesRequestTag({ key: t.Key, value: t.Value ?? '' })),
    }), rt));
    return { RequestId: res.body?.requestId ?? '' };
  }

  async untagResources(p: UntagResourcesParams, opts?: CallOptions): Promise<RequestResult> {
    const res = await this.call('UntagResources', p.RegionId, opts, (c, rt, sdk) => c.untagResourcesWithOptions(new sdk.mod.UntagResourcesRequest({
      regionId: p.RegionId, resourceType: p.ResourceType, resourceId: [...p.ResourceIds], clientToken: p.ClientToken,
      tagKey: p.TagKeys && p.TagKeys.length > 0 ? [...p.TagKeys] : undefined,
      // The API reads All only when no TagKey is given.
      all: p.TagKeys && p.TagKeys.length > 0 ? undefined : p.All,
    }), rt));
    return { RequestId: res.body?.requestId ?? '' };
  }

  async deleteCustomImages(p: DeleteCustomImagesParams, opts?: CallOptions): Promise<RequestResult> {
    const res = await this.call('DeleteCustomImages', p.RegionId, opts, (c, rt, sdk) => c.deleteCustomImagesWithOptions(
      new sdk.mod.DeleteCustomImagesRequest({ regionId: p.RegionId, imageIds: JSON.stringify(p.ImageIds), clientToken: p.ClientToken }), rt));
    return { RequestId: res.body?.requestId ?? '' };
  }

  async deleteSnapshots(p: DeleteSnapshotsParams, opts?: CallOptions): Promise<RequestResult> {
    const res = await this.call('DeleteSnapshots', p.RegionId, opts, (c, rt, sdk) => c.deleteSnapshotsWithOptions(
      new sdk.mod.DeleteSnapshotsRequest({ regionId: p.RegionId, snapshotIds: JSON.stringify(p.SnapshotIds), clientToken: p.ClientToken }), rt));
    return { RequestId: res.body?.requestId ?? '' };
  }

  /** No password is ever sent: LoginCredentials carries the key pair name only. */
  async resetSystem(p: ResetSystemParams, opts?: CallOptions): Promise<RequestResult> {
    const res = await this.call('ResetSystem', p.RegionId, opts, (c, rt, sdk) => c.resetSystemWithOptions(new sdk.mod.ResetSystemRequest({
      regionId: p.RegionId, instanceId: p.InstanceId, imageId: p.ImageId, clientToken: p.ClientToken,
      loginCredentials: p.KeyPairName ? new sdk.mod.ResetSystemRequestLoginCredentials({ keyPairName: p.KeyPairName }) : undefined,
    }), rt));
    return { RequestId: res.body?.requestId ?? '' };
  }

  /** ListImages has no paging; filtered by IDs, an unknown ID may answer InvalidImageId.NotFound: none. */
  async listImages(regionId: string, filter: { ImageIds?: string[]; ImageType?: 'system' | 'app' | 'custom' }, opts?: CallOptions): Promise<SwasImage[]> {
    const listing = await this.orEmpty(hasAny(filter.ImageIds), async () => {
      const res = await this.call('ListImages', regionId, opts, (c, rt, sdk) => c.listImagesWithOptions(new sdk.mod.ListImagesRequest({
        regionId, imageIds: jsonList(filter.ImageIds), imageType: filter.ImageType,
      }), rt));
      const items = (res.body?.images ?? []).map((m): SwasImage => ({
        ImageId: m.imageId ?? '', ImageName: text(m.imageName) ?? '', ImageType: lower(m.imageType),
        Description: text(m.description || undefined, 1024), Platform: text(m.platform || undefined, 64),
      }));
      return { items, totalCount: items.length, truncated: false };
    });
    return listing.items;
  }

  /**
   * ListRegions is not tied to a region, but a request must go to some regional endpoint: the
   * configured default region's (the one the operator already trusts and reaches), else
   * cn-hangzhou's. With SWAS_ENDPOINT set, that endpoint answers, as for every call.
   */
  async listRegions(opts?: CallOptions): Promise<Region[]> {
    const via = this.opts.defaultRegionId ?? LIST_REGIONS_FALLBACK_REGION;
    const res = await this.call('ListRegions', via, opts, (c, rt, sdk) => c.listRegionsWithOptions(new sdk.mod.ListRegionsRequest({}), rt));
    return (res.body?.regions ?? []).flatMap((r): Region[] => (r.regionId ? [{ RegionId: r.regionId, LocalName: text(r.localName || undefined, 128) }] : []));
  }

  async listInstanceStatus(regionId: string, filter: { InstanceIds: string[] }, opts?: CallOptions): Promise<InstanceStatus[]> {
    const listing = await this.orEmpty(hasAny(filter.InstanceIds), () => this.pages(async (pageNumber, pageSize) => {
      const res = await this.call('ListInstanceStatus', regionId, opts, (c, rt, sdk) => c.listInstanceStatusWithOptions(
        new sdk.mod.ListInstanceStatusRequest({ regionId, instanceIds: jsonList(filter.InstanceIds), pageNumber, pageSize }), rt));
      return {
        totalCount: toNumber(res.body?.totalCount),
        items: (res.body?.instanceStatuses ?? []).flatMap((i): InstanceStatus[] => (i.instanceId ? [{ InstanceId: i.instanceId, Status: i.status ?? '' }] : [])),
      };
    }, opts));
    return listing.items;
  }

  async listPlans(regionId: string, opts?: CallOptions): Promise<SwasPlan[]> {
    const res = await this.call('ListPlans', regionId, opts, (c, rt, sdk) => c.listPlansWithOptions(new sdk.mod.ListPlansRequest({ regionId }), rt));
    return (res.body?.plans ?? []).flatMap((p): SwasPlan[] => (p.planId ? [{
      PlanId: apiField(p.planId, 64), Core: toNumber(p.core), Memory: toNumber(p.memory), DiskSize: toNumber(p.diskSize),
      DiskType: text(p.diskType || undefined, 16), Bandwidth: toNumber(p.bandwidth), Flow: toNumber(p.flow),
      SupportPlatform: platformList(p.supportPlatform), OriginPrice: priceText(p.originPrice),
      Currency: text(p.currency || undefined, 8), PlanType: text(p.planType || undefined, 32),
    }] : []));
  }

  /** A retry after a lost answer carries the same ClientToken, so the API treats it as the same order. */
  async createInstances(p: CreateInstancesParams, opts?: CallOptions): Promise<{ InstanceIds: string[]; RequestId: string }> {
    const res = await this.call('CreateInstances', p.RegionId, opts, (c, rt, sdk) => c.createInstancesWithOptions(new sdk.mod.CreateInstancesRequest({
      regionId: p.RegionId, imageId: p.ImageId, planId: p.PlanId, period: p.Period, amount: p.Amount, dataDiskSize: p.DataDiskSize,
      autoRenew: p.AutoRenew, autoRenewPeriod: p.AutoRenewPeriod, chargeType: p.ChargeType, clientToken: p.ClientToken,
    }), rt));
    return { InstanceIds: (res.body?.instanceIds ?? []).filter((id) => typeof id === 'string' && id !== ''), RequestId: res.body?.requestId ?? '' };
  }
}

/** SupportPlatform is a JSON list in a string ('["Linux","Windows"]'); a bare word is taken as one entry. */
export function platformList(raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return [];
  let parsed: unknown = raw;
  try { parsed = JSON.parse(raw); } catch { /* a bare word */ }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.filter((p): p is string => typeof p === 'string' && p !== '').map((p) => apiField(p, 32)).slice(0, 10);
}

/** A price as the API wrote it, kept only when it is a plain decimal number. */
function priceText(v: unknown): string | undefined {
  const t = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
  return /^\d{1,9}(\.\d{1,4})?$/.test(t) ? t : undefined;
}

function hasAny(list: readonly unknown[] | undefined): boolean {
  return list !== undefined && list.length > 0;
}
