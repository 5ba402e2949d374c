import type { Stage } from '../swas/errors.js';

/** What the caller was doing when a failure happened: fills the blanks of an explanation. */
export interface ErrorContext {
  /** API action, e.g. CreateCustomImage. */
  action: string;
  regionId?: string;
  instanceId?: string;
  imageName?: string;
  snapshotId?: string;
  /** RAM action the API reported as missing, if it did. */
  authAction?: string;
  /** An image of the requested name made from this same server: most likely this request made before. */
  sameServerImageId?: string;
}

export interface Explanation {
  /** What happened and why, in plain words. */
  why: string;
  nextSteps: string[];
  retryable: boolean;
}

type Entry = (ctx: ErrorContext) => Explanation;

const regionOf = (c: ErrorContext) => c.regionId ?? 'the region';
const listImagesStep = (c: ErrorContext) => `Call list_custom_images with RegionId "${regionOf(c)}" to see the existing images and the quota left.`;

const credentialSetup = [
  'Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus ALIBABA_CLOUD_SECURITY_TOKEN for STS) in the server\'s environment, or in Claude Desktop\'s extension settings.',
  'Or set ALIBABA_CLOUD_PROFILE to a profile in ~/.alibabacloud/credentials or ~/.aliyun/config.json (aliyun configure writes the latter).',
  'Then restart the MCP server; to try the tools without an account, start it with --simulate.',
];

const CATALOG: Record<string, Entry> = {
  'InvalidInstanceId.NotFound': (c) => ({
    why: `No simple application server ${c.instanceId ?? ''} exists in region ${regionOf(c)}. The image must be made in the server's own region.`,
    nextSteps: [`Call list_instances with RegionId "${regionOf(c)}" (or another region) to find the server's InstanceId and region.`],
    retryable: false,
  }),
  IncorrectInstanceStatus: (c) => ({
    why: `The server ${c.instanceId ?? ''} is in a state that does not allow ${c.action}; images and snapshots are made only of Running or Stopped servers.`,
    nextSteps: [
      'Call list_instances to see its Status. If it is Starting, Stopping, Resetting or Upgrading, wait a minute and try again.',
      'If it is Disabled or its BusinessStatus is Expired/Overdue, renew it in the Alibaba Cloud console first.',
    ],
    retryable: false,
  }),
  'InvalidParam.SystemSnapshotIdNotFound': (c) => ({
    why: `The system disk snapshot ${c.snapshotId ?? ''} does not exist in region ${regionOf(c)}.`,
    nextSteps: [
      `Call list_snapshots with InstanceId "${c.instanceId ?? '<server>'}" and SourceDiskType "system" to find a finished system snapshot.`,
      'Or omit SystemSnapshotId and the newest finished system snapshot of the server is chosen; or call create_snapshot to make one.',
    ],
    retryable: false,
  }),
  'InvalidParam.DataSnapshotIdNotFound': (c) => ({
    why: `The data disk snapshot ${c.snapshotId ?? ''} does not exist in region ${regionOf(c)}, or it is not a snapshot of one of this server's data disks.`,
    nextSteps: [
      `Call list_snapshots with InstanceId "${c.instanceId ?? '<server>'}" and SourceDiskType "data" to find a finished data snapshot of this server.`,
      'Or leave DataSnapshotId out to image the system disk only.',
    ],
    retryable: false,
  }),
  'InvalidParam.SystemSnapshotIdNotSupport': (c) => ({
    why: `A custom image can only be made from a finished (accomplished) system-disk snapshot of the same server; ${c.snapshotId ?? 'this snapshot'} is not one (it is a data-disk snapshot, belongs to another server, or is still in progress or failed).`,
    nextSteps: [
      `Call list_snapshots with InstanceId "${c.instanceId ?? '<server>'}" to see the server's snapshots and their Status.`,
      'If the snapshot is still progressing, wait for it (create_snapshot with WaitForAccomplished does this) and try again.',
    ],
    retryable: false,
  }),
  'InvalidParam.IllegalImageName': () => ({
    why: 'ImageName must be 2 to 128 characters of letters, digits, colons (:), underscores (_) and hyphens (-), starting with a letter or digit.',
    nextSteps: ['Choose a name such as "blog-server-2026-11-28" and call again.'],
    retryable: false,
  }),
  ImageNameAlreadyExist: (c) => (c.sameServerImageId ? {
    why: `Image ${c.sameServerImageId} named "${c.imageName ?? ''}" was already made from this same server (from another snapshot than the one chosen now). That is most likely this very request, made before (for example before a crash or a lost answer).`,
    nextSteps: [
      `Use image ${c.sameServerImageId}: call list_custom_images with ImageIds ["${c.sameServerImageId}"] or wait_for_resources to see when it is Available. Do not create it again under a new name; that would make a second image.`,
      'Only if the user really wants a second image of this server, choose another ImageName.',
    ],
    retryable: false,
  } : {
    why: `A custom image named "${c.imageName ?? ''}" already exists in region ${regionOf(c)}; names must be unique.`,
    nextSteps: ['Choose another ImageName (for example add the date), or delete the old image in the console if it is no longer needed.', listImagesStep(c)],
    retryable: false,
  }),
  CustomImageQuotaLimit: (c) => ({
    why: 'The custom image quota is full: at most 3 images per simple application server you own, and never more than 15.',
    nextSteps: [listImagesStep(c), 'Delete an image you no longer need (console or DeleteCustomImage), then try again.'],
    retryable: false,
  }),
  IdempotentParameterMismatch: () => ({
    why: 'This ClientToken was already used for a request with different parameters. A ClientToken identifies one request; reusing it with other parameters is refused so that nothing is created twice by mistake.',
    nextSteps: ['Repeat the original request unchanged to get its result, or use a new ClientToken (or none: one is derived from the request) for the new request.'],
    retryable: false,
  }),
  InternalError: () => ({
    why: 'Alibaba Cloud reported an internal error while processing the request. Retries were already made.',
    nextSteps: ['Wait a minute and call again with the same arguments: the same ClientToken is reused, so no second image is created.', 'If it persists, open a ticket with the RequestId below.'],
    retryable: true,
  }),
  ServiceUnavailable: () => ({
    why: 'The SWAS service is temporarily unavailable. Retries were already made.',
    nextSteps: ['Wait a minute and call again with the same arguments; the same ClientToken is reused, so nothing is created twice.'],
    retryable: true,
  }),
  Throttling: () => ({
    why: 'Alibaba Cloud is throttling requests (CreateCustomImage allows about 10 calls a minute per account). Retries with back-off were already made.',
    nextSteps: ['Wait about a minute, then call again with the same arguments; the same ClientToken is reused, so nothing is created twice.'],
    retryable: true,
  }),
  'Forbidden.RAM': (c) => ({
    why: `The credentials are valid but the RAM user or role lacks permission for ${c.authAction ?? `swas-open:${c.action}`}.`,
    nextSteps: [
      `Grant the action "${c.authAction ?? `swas-open:${c.action}`}" to the RAM identity (the README has a least-privilege policy covering every tool of this server).`,
      'Ask your account administrator if you cannot change RAM policies yourself.',
    ],
    retryable: false,
  }),
  CredentialsNotFound: () => ({
    why: 'The server found no Alibaba Cloud credentials in its environment, profile files or instance role.',
    nextSteps: credentialSetup,
    retryable: false,
  }),
  'InvalidAccessKeyId.NotFound': () => ({
    why: 'Alibaba Cloud does not know the AccessKey ID the server is using (deleted, mistyped, or from another site: China vs international).',
    nextSteps: ['Check ALIBABA_CLOUD_ACCESS_KEY_ID (or the profile in use) against the RAM console, and restart the server.'],
    retryable: false,
  }),
  'InvalidAccessKeyId.Inactive': () => ({
    why: 'The AccessKey the server is using is disabled.',
    nextSteps: ['Enable it, or create a new AccessKey for a RAM user, in the RAM console; then update the server\'s credentials.'],
    retryable: false,
  }),
  SignatureDoesNotMatch: () => ({
    why: 'The request signature was rejected: the AccessKey secret does not belong to the AccessKey ID in use.',
    nextSteps: ['Check ALIBABA_CLOUD_ACCESS_KEY_SECRET (or the profile in use), and restart the server.'],
    retryable: false,
  }),
  InvalidSecurityToken: () => ({
    why: 'The STS security token was rejected: it is expired, malformed, or does not belong to the AccessKey ID.',
    nextSteps: ['Obtain fresh STS credentials (or use a RAM role / OIDC profile, which refreshes them), and restart the server.'],
    retryable: false,
  }),
  'InvalidTimeStamp.Expired': () => ({
    why: 'The request time differs from Alibaba Cloud\'s by more than 15 minutes.',
    nextSteps: ['Correct the clock of the machine running the server (enable NTP) and try again.'],
    retryable: false,
  }),
  RequestTimeout: (c) => ({
    why: `No answer arrived within the request deadline, after retries, from the SWAS endpoint of ${regionOf(c)}.`,
    nextSteps: [
      'Check the network path to Alibaba Cloud (proxy, firewall) and try again; a repeated create reuses its ClientToken, so nothing is created twice.',
      'If the create may have gone through, call list_custom_images to check before trying again.',
    ],
    retryable: true,
  }),
  NetworkError: (c) => ({
    why: `The connection to the SWAS endpoint of ${regionOf(c)} failed, after retries.`,
    nextSteps: [
      'Check network access to Alibaba Cloud (DNS, proxy, firewall) and SWAS_ENDPOINT if it is set, then try again; a repeated create reuses its ClientToken.',
    ],
    retryable: true,
  }),
  NoSystemSnapshot: (c) => ({
    why: `The server ${c.instanceId ?? ''} has no finished system-disk snapshot, and a custom image can only be made from one.`,
    nextSteps: [
      `Call create_snapshot with InstanceId "${c.instanceId ?? '<server>'}" and WaitForAccomplished true, then call create_custom_image again.`,
    ],
    retryable: false,
  }),
  'SnapshotQuota': (c) => ({
    why: `The server ${c.instanceId ?? ''} already has the maximum of 3 snapshots (or the account-wide snapshot quota is full).`,
    nextSteps: [
      `Call list_snapshots with InstanceId "${c.instanceId ?? '<server>'}" and reuse a finished snapshot, or delete an old one in the console first.`,
    ],
    retryable: false,
  }),
  'InvalidDiskId.NotFound': (c) => ({
    why: `The disk does not exist in region ${regionOf(c)}.`,
    nextSteps: ['Call list_instances to see each server\'s disks, or pass InstanceId and let the system disk be found.'],
    retryable: false,
  }),
  MissingRegionId: () => ({
    why: 'This call needs a region, and none was given: RegionId was omitted and the server has no default region configured.',
    nextSteps: [
      'Pass RegionId, such as "cn-hangzhou" or "ap-southeast-1" (list_instances with a RegionId shows the servers in that region).',
      'Or have the operator set ALIBABA_CLOUD_REGION_ID (or --region) for the server, so RegionId may be omitted.',
    ],
    retryable: false,
  }),
  SnapshotCreationFailed: (c) => ({
    why: `The snapshot of server ${c.instanceId ?? ''} was accepted by Alibaba Cloud but ended in status "failed", so it cannot be used for an image.`,
    nextSteps: [
      `Call list_snapshots with InstanceId "${c.instanceId ?? '<server>'}" to see its snapshots; a failed one still counts towards the 3-per-server limit, so delete it in the console if the server is at that limit.`,
      'Then call create_snapshot again with another SnapshotName (or your own new ClientToken).',
    ],
    retryable: false,
  }),
  CustomImageCreationFailed: (c) => ({
    why: `Alibaba Cloud accepted the image of server ${c.instanceId ?? ''} but could not finish it: it ended Failed or Unavailable. A failed image still counts towards the quota.`,
    nextSteps: [
      `Call list_custom_images with RegionId "${regionOf(c)}" to see it; delete it in the console (or with DeleteCustomImage) to free its quota slot and its name.`,
      'Then make a fresh system snapshot with create_snapshot and call create_custom_image again with it.',
    ],
    retryable: false,
  }),
  UnexpectedResponse: () => ({
    why: 'The endpoint answered with something that is not an Alibaba Cloud API response, such as a proxy error page.',
    nextSteps: ['Check SWAS_ENDPOINT and any proxy settings; then try again.'],
    retryable: true,
  }),
  Cancelled: () => ({
    why: 'The client cancelled the call.',
    nextSteps: ['Nothing to do; if a create was sent, list_custom_images shows whether it went through.'],
    retryable: true,
  }),
};

/**
 * Finds the catalog entry for a code: exact, then by family (Throttling.*, Forbidden*, …). Any
 * other failure of the network stage (ECONNRESET, EPIPE, …: normaliseSdkError decides which) is a
 * network error.
 */
function entryFor(code: string, stage: Stage): Entry | undefined {
  if (CATALOG[code]) return CATALOG[code];
  if (code.includes('Throttling')) return CATALOG.Throttling;
  if (code.startsWith('Forbidden') || code === 'NoPermission' || code.startsWith('NoPermission')) return CATALOG['Forbidden.RAM'];
  if (code.startsWith('InvalidSecurityToken')) return CATALOG.InvalidSecurityToken;
  if (stage === 'network') return CATALOG.NetworkError;
  if (/Snapshot.*(Quota|Limit|Exceed)/i.test(code)) return CATALOG.SnapshotQuota;
  return undefined;
}

export interface ExplainedError {
  Code: string;
  Message: string;
  Stage: Stage;
  Retryable: boolean;
  NextSteps: string[];
  RequestId?: string;
  Recommend?: string;
}

export interface FailureInput {
  code: string;
  message: string;
  stage: Stage;
  httpStatus?: number;
  requestId?: string;
  recommend?: string;
}

/** One explanation for a code, whether the API returned it or a preflight check predicted it. */
export function explain(failure: FailureInput, ctx: ErrorContext): { error: ExplainedError; why: string } {
  const entry = entryFor(failure.code, failure.stage);
  const known = entry?.(ctx);
  const retryable = known?.retryable ?? (failure.httpStatus !== undefined && failure.httpStatus >= 500);
  const why = known?.why ?? `The ${ctx.action} call failed with a code this server has no explanation for.`;
  const nextSteps = known?.nextSteps ?? [
    failure.recommend
      ? `Open the Recommend link below for Alibaba Cloud's diagnosis of this error.`
      : 'Look the code up in the SWAS API error centre; if it persists, open a ticket with the RequestId.',
  ];
  return {
    why,
    error: {
      Code: failure.code,
      Message: failure.message,
      Stage: failure.stage,
      Retryable: retryable,
      NextSteps: nextSteps,
      ...(failure.requestId ? { RequestId: failure.requestId } : {}),
      ...(failure.recommend ? { Recommend: failure.recommend } : {}),
    },
  };
}

/** The text twin of an error: starts with the code, then what happened, why, and what to do. */
export function errorText(error: ExplainedError, why: string): string {
  const lines = [`${error.Code}: ${error.Message}`, `Why: ${why}`, 'What to do next:'];
  for (const step of error.NextSteps) lines.push(`- ${step}`);
  if (error.Retryable) lines.push('This error is temporary: the same call may succeed later.');
  if (error.RequestId) lines.push(`RequestId: ${error.RequestId}`);
  if (error.Recommend) lines.push(`Diagnosis: ${error.Recommend}`);
  return lines.join('\n');
}
