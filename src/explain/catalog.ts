import { SwasError, CancelledError, type Stage } from '../swas/errors.js';
import { apiField, apiSaid, apiText } from '../untrusted.js';
import { IMAGE_QUOTA_RULE, SNAPSHOTS_PER_SERVER } from '../preflight/quotas.js';

/** What the caller was doing when a failure happened: fills the blanks of an explanation. */
export interface ErrorContext {
  /** API action, e.g. CreateCustomImage. */
  action: string;
  regionId?: string;
  instanceId?: string;
  imageName?: string;
  snapshotId?: string;
  imageId?: string;
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

/** An entry may also say which stage the failure belongs to, whatever the caller guessed. */
type Entry = (ctx: ErrorContext) => Explanation & { stage?: Stage };

const regionOf = (c: ErrorContext) => c.regionId ?? 'the region';
const listImagesStep = (c: ErrorContext) => `Call list_custom_images with RegionId "${regionOf(c)}" to see the existing images and the quota left.`;

/** Every SWAS action this server calls. */
export const SWAS_ACTIONS = [
  'ListInstances', 'ListInstanceStatus', 'ListSnapshots', 'ListDisks', 'ListCustomImages', 'ListCustomImageShareAccounts',
  'ListImages', 'ListRegions', 'CreateCustomImage', 'CreateSnapshot', 'DeleteCustomImages',
  'DeleteSnapshots', 'ModifyImageShareStatus', 'AddCustomImageShareAccount', 'RemoveCustomImageShareAccount',
  'TagResources', 'UntagResources', 'ResetSystem', 'ListPlans', 'CreateInstances',
] as const;
export type SwasAction = (typeof SWAS_ACTIONS)[number];

/** The RAM action a call needs: swas-open:<Action>. */
export function ramAction(action: string): string {
  return `swas-open:${action}`;
}

/** Actions that change something; the others only read. */
const MUTATIONS = new Set<string>([
  'CreateCustomImage', 'CreateSnapshot', 'DeleteCustomImages', 'DeleteSnapshots', 'ModifyImageShareStatus',
  'AddCustomImageShareAccount', 'RemoveCustomImageShareAccount', 'TagResources', 'UntagResources', 'ResetSystem',
  'CreateInstances',
]);

/** Actions whose documented rate limit is about 10 calls a minute per account (older doc revisions). */
const TEN_A_MINUTE = new Set<string>(['CreateCustomImage', 'CreateSnapshot', 'DeleteSnapshots', 'DeleteCustomImages', 'ModifyImageShareStatus']);

/** The read tool that shows whether a mutation went through. */
const CHECK_TOOL: Record<string, string> = {
  CreateCustomImage: 'list_custom_images', DeleteCustomImages: 'list_custom_images', ModifyImageShareStatus: 'list_custom_images',
  AddCustomImageShareAccount: 'list_custom_images', RemoveCustomImageShareAccount: 'list_custom_images',
  TagResources: 'list_custom_images', UntagResources: 'list_custom_images',
  CreateSnapshot: 'list_snapshots', DeleteSnapshots: 'list_snapshots', ResetSystem: 'list_instances',
  CreateInstances: 'list_instances',
};

/** The read tool that shows whether a change of this API action went through. */
export function checkToolFor(action: string): string | undefined {
  return CHECK_TOOL[action];
}

const isMutation = (c: ErrorContext) => MUTATIONS.has(c.action);

/** What a repeat of the same call does: reads are harmless; writes reuse their ClientToken. */
function repeatNote(c: ErrorContext): string {
  return isMutation(c)
    ? `call again with the same arguments: the same ClientToken is reused, so ${c.action} is not carried out twice`
    : 'call again: a read changes nothing, so repeating it is safe';
}

/** For a mutation whose answer was lost: how to see whether it went through. */
function checkStep(c: ErrorContext): string[] {
  const tool = CHECK_TOOL[c.action];
  return tool ? [`If ${c.action} may have gone through, call ${tool} with RegionId "${regionOf(c)}" to check before trying again.`] : [];
}

function rateLimitOf(c: ErrorContext): string {
  return TEN_A_MINUTE.has(c.action)
    ? `${c.action} allows about 10 calls a minute per account`
    : `${c.action} is rate-limited per account`;
}

/** Why the server's own region matters, per action that names a server. */
const SERVER_REGION_RULE: Record<string, string> = {
  CreateCustomImage: ' The image must be made in the server\'s own region.',
  CreateSnapshot: ' A snapshot is made in the region of the server whose disk it copies.',
  ResetSystem: ' A server is re-installed in its own region, from an image of that region.',
};

const credentialSetup = [
  'Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus ALIBABA_CLOUD_SECURITY_TOKEN for STS) in the server\'s environment, or in Claude Desktop\'s extension settings.',
  'Or set ALIBABA_CLOUD_PROFILE to a profile in ~/.alibabacloud/credentials or ~/.aliyun/config.json (aliyun configure writes the latter).',
  'Then restart the MCP server; to try the tools without an account, start it with --simulate.',
];

const CATALOG: Record<string, Entry> = {
  'InvalidInstanceId.NotFound': (c) => ({
    why: `No simple application server ${c.instanceId ?? ''} exists in region ${regionOf(c)}.${SERVER_REGION_RULE[c.action] ?? ''}`,
    nextSteps: [`Call list_instances with RegionId "${regionOf(c)}" (or another region) to find the server's InstanceId and region.`],
    retryable: false,
  }),
  IncorrectInstanceStatus: (c) => ({
    why: c.action === 'ResetSystem'
      ? `The server ${c.instanceId ?? ''} is in a state that does not allow ResetSystem (for example it is already Resetting, Starting, Stopping or Upgrading, or it is Disabled).`
      : `The server ${c.instanceId ?? ''} is in a state that does not allow ${c.action}; images and snapshots are made only of Running or Stopped servers.`,
    nextSteps: [
      c.action === 'ResetSystem'
        ? 'Call list_instances to see its Status; if it is changing state, wait for it with wait_for_resources (InstanceIds, Until "Running") and try again.'
        : 'Call list_instances to see its Status. If it is Starting, Stopping, Resetting or Upgrading, wait a minute and try again.',
      'If it is Disabled or its BusinessStatus is Expired/Overdue, renew it in the Alibaba Cloud console first.',
    ],
    retryable: false,
  }),
  'InvalidParam.SystemSnapshotIdNotFound': (c) => ({
    why: `The system disk snapshot ${c.snapshotId ?? ''} does not exist in region ${regionOf(c)}.`,
    nextSteps: [
      `Call list_snapshots with InstanceId "${c.instanceId ?? '<server>'}" and SourceDiskType "system" to find a finished system snapshot.`,
      'Or omit SystemSnapshotId: create_custom_image then captures the server as it is now (new snapshots, then the image).',
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
    why: `The custom image quota is full: ${IMAGE_QUOTA_RULE}.`,
    nextSteps: [listImagesStep(c), 'Delete an image you no longer need with delete_custom_images (registered when the server runs with --allow-destructive; otherwise in the console), then try again.'],
    retryable: false,
  }),
  IdempotentParameterMismatch: () => ({
    why: 'This ClientToken was already used for a request with different parameters. A ClientToken identifies one request; reusing it with other parameters is refused so that nothing is created twice by mistake.',
    nextSteps: ['Repeat the original request unchanged to get its result, or use a new ClientToken (or none: one is derived from the request) for the new request.'],
    retryable: false,
  }),
  InternalError: (c) => ({
    why: `Alibaba Cloud reported an internal error while processing ${c.action}. Retries were already made.`,
    nextSteps: [`Wait a minute and ${repeatNote(c)}.`, ...checkStep(c), 'If it persists, open a ticket with the RequestId below.'],
    retryable: true,
  }),
  ServiceUnavailable: (c) => ({
    why: `The SWAS service is temporarily unavailable for ${c.action}. Retries were already made.`,
    nextSteps: [`Wait a minute and ${repeatNote(c)}.`, ...checkStep(c)],
    retryable: true,
  }),
  Throttling: (c) => ({
    why: `Alibaba Cloud is throttling requests (${rateLimitOf(c)}). Retries with back-off were already made.`,
    nextSteps: [`Wait about a minute, then ${repeatNote(c)}.`],
    retryable: true,
  }),
  'Forbidden.RAM': (c) => ({
    why: `The credentials are valid but the RAM user or role lacks permission for ${c.authAction ? apiText(c.authAction, 100) : ramAction(c.action)}.`,
    nextSteps: [
      `Grant the action "${c.authAction ? apiText(c.authAction, 100) : ramAction(c.action)}" to the RAM identity (the README has a least-privilege policy covering every tool of this server).`,
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
    why: `No answer to ${c.action} arrived within the request deadline, after retries, from the SWAS endpoint of ${regionOf(c)}.`,
    nextSteps: [
      `Check the network path to Alibaba Cloud (proxy, firewall), then ${repeatNote(c)}.`,
      ...checkStep(c),
    ],
    retryable: true,
  }),
  NetworkError: (c) => ({
    why: `The connection to the SWAS endpoint of ${regionOf(c)} failed during ${c.action}, after retries.`,
    nextSteps: [
      `Check network access to Alibaba Cloud (DNS, proxy, firewall) and SWAS_ENDPOINT if it is set, then ${repeatNote(c)}.`,
      ...checkStep(c),
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
    why: `The server ${c.instanceId ?? ''} already has the maximum of ${SNAPSHOTS_PER_SERVER} snapshots (or the account-wide snapshot quota is full).`,
    nextSteps: [
      `Call list_snapshots with InstanceId "${c.instanceId ?? '<server>'}" and reuse a finished snapshot, or delete an old one first with delete_snapshots (registered with --allow-destructive; otherwise in the console).`,
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
      `Call list_snapshots with InstanceId "${c.instanceId ?? '<server>'}" to see its snapshots; a failed one still counts towards the ${SNAPSHOTS_PER_SERVER}-per-server limit, so delete it in the console if the server is at that limit.`,
      'Then call create_snapshot again with another SnapshotName (or your own new ClientToken).',
    ],
    retryable: false,
  }),
  CustomImageCreationFailed: (c) => ({
    why: `Alibaba Cloud accepted the image of server ${c.instanceId ?? ''} but could not finish it: it ended Failed or Unavailable. A failed image still counts towards the quota.`,
    nextSteps: [
      `Call list_custom_images with RegionId "${regionOf(c)}" to see it; delete it with delete_custom_images (registered with --allow-destructive; otherwise in the console) to free its quota slot and its name.`,
      'Then make a fresh system snapshot with create_snapshot and call create_custom_image again with it.',
    ],
    retryable: false,
  }),
  UnexpectedResponse: (c) => ({
    why: `The endpoint answered ${c.action} with something that is not an Alibaba Cloud API response, such as a proxy error page.`,
    nextSteps: ['Check SWAS_ENDPOINT and any proxy settings; then try again.', ...checkStep(c)],
    retryable: true,
  }),
  Cancelled: (c) => ({
    stage: 'cancelled',
    why: 'The client cancelled the call.',
    nextSteps: [CHECK_TOOL[c.action]
      ? `Nothing to do; if ${c.action} was already sent, ${CHECK_TOOL[c.action]} shows whether it went through.`
      : 'Nothing to do; call again when needed.'],
    retryable: true,
  }),
  UnexpectedError: (c) => ({
    stage: 'internal',
    why: `This MCP server hit a bug of its own while handling ${c.action}; the request itself may be fine. Details are in the server's log.`,
    nextSteps: [
      ...checkStep(c),
      'Report it to the operator of this MCP server with the time of the call; trying again may not help.',
    ],
    retryable: false,
  }),

  // ---- consent (share, delete, reset) ----
  ConfirmationRequired: () => ({
    stage: 'consent',
    why: 'This call changes or removes something that cannot easily be undone, so the person must confirm the plan first. Nothing was sent.',
    nextSteps: [
      'Show the plan below to the user, including what cannot be undone, and ask whether to go ahead.',
      'If they agree, call the same tool again with exactly the same arguments plus ConfirmToken set to the token below (it lasts 10 minutes and only fits these arguments and the state the plan saw).',
      'If they do not agree, do not call again.',
    ],
    retryable: false,
  }),
  DeclinedByUser: () => ({
    stage: 'consent',
    why: 'The user declined (or cancelled) the confirmation. Nothing was sent.',
    nextSteps: ['Do not repeat the call unless the user asks for it again; ask them what they want instead.'],
    retryable: false,
  }),
  AwaitingApproval: () => ({
    stage: 'consent',
    why: 'A person must approve this plan (on the approval page or in the plan view shown with the answer) and has not decided yet. Nothing was sent.',
    nextSteps: [
      'Tell the user the plan is waiting for their approval (give them the link if the answer has one).',
      'When they say they decided, call the same tool again with the same arguments plus the ApprovalId: it carries out the approved plan once, or says it was declined.',
    ],
    retryable: true,
  }),
  HumanApprovalUnavailable: () => ({
    stage: 'consent',
    why: 'This change needs a person\'s approval, and this client offers no way to ask one. Nothing was sent.',
    nextSteps: [
      'Tell the user: use a client with elicitation; or enroll a passkey once with "swas-image-mcp passkey add"; or set SWAS_MCP_CONSENT=confirm knowingly (a second call then counts as agreement, not proof of a person).',
      'Do not retry the same call until one of these changed.',
    ],
    retryable: false,
  }),
  ApprovalNotPending: () => ({
    stage: 'consent',
    why: 'The plan view asked to decide an approval that is not waiting for a decision here: it does not exist, it lapsed (an approval lasts 10 minutes), it was not shown in a plan view, or it was decided already. Nothing was decided.',
    nextSteps: ['Ask the assistant to make the call again: a fresh plan is shown to decide.'],
    retryable: false,
  }),
  AppChannelUnavailable: () => ({
    stage: 'consent',
    why: 'Only a plan view in a host that renders MCP Apps may decide an approval, and this client did not declare that it renders them. Nothing was decided.',
    nextSteps: ['Use the approval the change\'s own answer offers (a form, a page, or a passkey link).'],
    retryable: false,
  }),
  ConsentTimedOut: () => ({
    stage: 'consent',
    why: 'The client was asked to show the plan to the user and gave no answer in time. Nothing was sent.',
    nextSteps: ['Ask the user whether they saw the question; call again if they want to go ahead.'],
    retryable: true,
  }),

  // ---- images: share, delete, reset ----
  'InvalidImageId.NotFound': (c) => ({
    why: `The image ${c.imageId ?? ''} does not exist in region ${regionOf(c)} (deleted, mistyped, or in another region; images are regional).`,
    nextSteps: [
      c.action === 'ResetSystem' || c.action === 'ListImages'
        ? `Call list_images with RegionId "${regionOf(c)}" to see the system, app and custom images a server there can be reset to.`
        : listImagesStep(c),
    ],
    retryable: false,
  }),
  ImageShared: (c) => ({
    why: `The image ${c.imageId ?? ''} is shared (to ECS and/or to other accounts), and a shared image cannot be deleted.`,
    nextSteps: [
      'Call delete_custom_images again with Unshare true to unshare it first, as part of the same confirmed plan (ECS instances made from it then can no longer re-initialise their disks from it).',
      'Or unshare it with share_custom_image (Operation "UnShare").',
    ],
    retryable: false,
  }),
  ImageNotOwned: (c) => ({
    why: `The image ${c.imageId ?? ''} was shared into this account by another account: its recipient can use it to create servers but cannot delete, share, tag or rename it.`,
    nextSteps: ['Ask the owning account to do this, or pick one of this account\'s own images (list_custom_images lists them).'],
    retryable: false,
  }),
  // What the API answers for a shared image is undocumented; the simulator names it so. The tool
  // refuses before sending (ImageShared); this explains a race with a share.
  'OperationDenied.ImageShared': (c) => CATALOG.ImageShared!(c),
  ImageNotAvailable: (c) => ({
    why: `The image ${c.imageId ?? ''} is not Available (it is still being created, or it failed), so ${c.action} cannot use it yet.`,
    nextSteps: [`Call wait_for_resources with ImageIds ["${c.imageId ?? '<image>'}"] and Until "Available", then try again.`, listImagesStep(c)],
    retryable: false,
  }),
  ShareAccountLimitExceeded: (c) => ({
    why: 'An image can be shared with at most 10 Alibaba Cloud accounts (not RAM users), in the same region and the same site (China or international). This code is this server\'s name for that documented limit.',
    nextSteps: [`Remove an account first with share_custom_image (Operation "UnShare", Accounts [...]); list_custom_images shows who the image ${c.imageId ?? ''} is shared with.`],
    retryable: false,
  }),
  'InvalidParam.Account': () => ({
    why: 'An account ID must be the numeric ID of an Alibaba Cloud (primary) account, such as 1234567890123456; RAM users cannot receive shared images.',
    nextSteps: ['Ask the recipient for their account ID (console: the avatar menu) and call again with it as a digit string.'],
    retryable: false,
  }),
  // What the API (as the simulator models it) answers when the state changed between preflight and
  // the request: the same explanations as the codes preflight uses.
  'OperationDenied.NotImageOwner': (c) => CATALOG.ImageNotOwned!(c),
  IncorrectImageStatus: (c) => CATALOG.ImageNotAvailable!(c),
  CustomImageShareAccountQuotaLimit: (c) => CATALOG.ShareAccountLimitExceeded!(c),
  'InvalidParam.TagKey': () => tagRules(),
  'InvalidParam.TagValue': () => tagRules(),
  'InvalidParam.TagCount': () => tagRules(),
  ResetFromOwnImage: (c) => ({
    why: `The custom image ${c.imageId ?? ''} was made from this same server ${c.instanceId ?? ''}; ResetSystem does not take it (restoring a server's own image is a snapshot rollback).`,
    nextSteps: ['Roll the server back from one of its snapshots in the Alibaba Cloud console, or choose another image with list_images.'],
    retryable: false,
  }),
  DiskTooSmall: (c) => (c.action === 'CreateInstances' ? {
    why: `The plan's system disk is smaller than the image ${c.imageId ?? ''} needs, or DataDiskSize is smaller than the data the image holds.`,
    nextSteps: [`Call list_plans with ImageId "${c.imageId ?? '<image>'}" for the plans that fit, or pass a larger DataDiskSize.`],
    retryable: false,
  } : {
    why: `The server ${c.instanceId ?? ''}'s disk is smaller than the image ${c.imageId ?? ''} needs (RequiredSystemDiskSize / RequiredDataDiskSize), so it cannot be reset to it.`,
    nextSteps: ['Choose an image that fits (list_custom_images shows each custom image\'s RequiredSystemDiskSize; list_instances shows the server\'s disk sizes), or upgrade the server\'s plan in the console first.'],
    retryable: false,
  }),
  PlatformSwitchNotAllowed: (c) => ({
    why: `Outside the Chinese mainland a server cannot be reset between Windows and Linux; the image ${c.imageId ?? ''} is of the other platform.`,
    nextSteps: ['Choose an image of the server\'s current platform (list_images shows Platform).'],
    retryable: false,
  }),
  // ResetSystem's own answers for the rules above. Alibaba documents none of these codes; they are
  // the simulator's names (fidelity §3.6), met when preflight passed and the API still refused.
  'InvalidImageId.SameInstance': (c) => CATALOG.ResetFromOwnImage!(c),
  'InvalidImageId.DiskSizeNotEnough': (c) => CATALOG.DiskTooSmall!(c),
  'InvalidImageId.PlatformSwitchNotSupported': (c) => CATALOG.PlatformSwitchNotAllowed!(c),
  'InvalidParam.KeyPairName': () => ({
    why: 'The key pair name was refused: it must be the name of an SSH key pair that exists in the Simple Application Server console in this region (2–128 characters, a letter first, then letters, digits, ".", "_", "-" or ":").',
    nextSteps: ['Check the key pair\'s name in the SWAS console (Key Pairs), or leave KeyPairName out and set a password in the console after the reset (the server, then Reset Password).'],
    retryable: false,
  }),

  // ---- new servers (purchase) ----
  // Codes marked design choice or inferred are not in any SWAS error table; the simulator uses the same names.
  'InvalidPlanId.NotFound': (c) => ({
    why: `The plan does not exist in region ${regionOf(c)} (plans differ by region). This code is a design choice.`,
    nextSteps: [`Call list_plans with RegionId "${regionOf(c)}"${c.imageId ? ` and ImageId "${c.imageId}"` : ''} and pick a PlanId from it.`],
    retryable: false,
  }),
  PlanPlatformMismatch: (c) => ({
    why: `The plan does not support the platform (Linux or Windows) of the image ${c.imageId ?? ''}.`,
    nextSteps: [`Call list_plans with ImageId "${c.imageId ?? '<image>'}" for the plans that can run it.`],
    retryable: false,
  }),
  'InvalidImageId.PlatformNotSupported': (c) => CATALOG.PlanPlatformMismatch!(c),
  'InvalidParam.DataDiskSize': () => ({
    why: 'A plan with a standard SSD needs a data disk of at least 20 GB; DataDiskSize is 0–16380 GB, a multiple of 20.',
    nextSteps: ['Pass DataDiskSize 20 (or more, a multiple of 20), or choose an ESSD plan with list_plans.'],
    retryable: false,
  }),
  'QuotaExceed.Instance': (c) => ({
    why: `An account holds at most 50 servers in a region, and this order would pass that in ${regionOf(c)} (the limit is documented; the code is inferred).`,
    nextSteps: [`Call list_instances with RegionId "${regionOf(c)}" to count the servers (an order cut off earlier may already be among them); order fewer, or release servers no longer needed in the console.`],
    retryable: false,
  }),
  PlanPriceUnknown: () => ({
    why: 'The plan states no price or currency, and a purchase is sent only with its cost known.',
    nextSteps: ['Choose another plan with list_plans, or buy in the SWAS console where the price is shown.'],
    retryable: false,
  }),
  OrderCostAboveCeiling: () => ({
    stage: 'preflight',
    why: 'The order costs more than the most the operator allows one order to cost (SWAS_MCP_MAX_ORDER_COST). Nothing was bought.',
    nextSteps: ['Order fewer servers or fewer months (Amount, Period), or ask the operator to raise SWAS_MCP_MAX_ORDER_COST.'],
    retryable: false,
  }),
  PurchaseCeilingRequired: () => ({
    stage: 'config',
    why: 'Without a person approving purchases (SWAS_MCP_CONSENT confirm or off), servers may be bought only below a ceiling the operator sets, and SWAS_MCP_MAX_ORDER_COST is not set. Nothing was bought.',
    nextSteps: ['Ask the operator to set SWAS_MCP_MAX_ORDER_COST (the most one order may cost, in the plans\' currency), or to run with SWAS_MCP_CONSENT=human.'],
    retryable: false,
  }),
  // Inferred: SWAS documents no code; other Alibaba Cloud products answer this one when the balance cannot pay.
  'PAY.INSUFFICIENT_BALANCE': () => ({
    why: 'The account balance (after coupons) does not cover the order, so nothing was bought. The code is inferred from other Alibaba Cloud products.',
    nextSteps: ['Top up the account balance in the Alibaba Cloud console (Billing), then call again with the same arguments: the same ClientToken makes it the same order.'],
    retryable: false,
  }),

  // ---- snapshots: delete ----
  'InvalidSnapshotId.NotFound': (c) => ({
    why: `The snapshot ${c.snapshotId ?? ''} does not exist in region ${regionOf(c)} (already deleted, mistyped, or in another region).`,
    nextSteps: [`Call list_snapshots with RegionId "${regionOf(c)}" to see the snapshots that exist.`],
    retryable: false,
  }),
  SnapshotExistCustomImage: (c) => ({
    why: `A custom image was made from the snapshot ${c.snapshotId ?? ''}, and such a snapshot cannot be deleted while the image exists (documented rule; the code SnapshotExistCustomImage is inferred, not from Alibaba's error table).`,
    nextSteps: [
      listImagesStep(c).replace('to see the existing images and the quota left', 'to find the image (its SystemSnapshotId or DataSnapshotId names this snapshot)'),
      'Delete that image first (delete_custom_images) if it is no longer needed, then delete the snapshot.',
    ],
    retryable: false,
  }),

  // ---- the audit ledger ----
  OutcomeUnknown: (c) => ({
    why: `No answer came back for the ${c.action} request (the call was stopped, or the connection failed or timed out), so whether it reached the API is not known: it may have been applied. The audit ledger records the outcome as unknown until a read shows what happened.`,
    nextSteps: [
      `Check with ${CHECK_TOOL[c.action] ?? 'the matching list tool'} (RegionId "${regionOf(c)}") whether ${c.action} went through before doing anything else.`,
      `If it did not, ${repeatNote(c)}.`,
    ],
    retryable: true,
  }),
  AuditLedgerUnwritable: (c) => ({
    stage: 'config',
    why: `The audit ledger could not be written (a full disk, a removed or unwritable file), and nothing is sent without its record. Nothing was sent for ${c.action}.`,
    nextSteps: [
      'Ask the operator of this MCP server to make the ledger writable again (free space, fix the file at SWAS_MCP_AUDIT_LOG; a SIGHUP reopens it), then call again.',
    ],
    retryable: true,
  }),

  // ---- codes the audit confirmed (Alibaba's error-code page, API pages, user guide, SDK remarks) ----
  // Documented: 400 "The custom image is being shared. Please disable sharing first and then delete it."
  // delete_custom_images' preflight predicts it under the same code.
  CustomImageInShare: (c) => CATALOG.ImageShared!(c),
  'IncorrectDiskStatus.CreatingSnapshot': (c) => ({
    why: 'A snapshot of this disk is still being made, and a disk takes one snapshot at a time (documented code).',
    nextSteps: [
      `Call list_snapshots with RegionId "${regionOf(c)}" to find the snapshot in progress; wait for it with wait_for_resources (SnapshotIds, Until "accomplished"), then call create_snapshot again if a second snapshot is still wanted.`,
    ],
    retryable: true,
  }),
  'InvalidParam.OperationIllegal': () => ({
    why: 'ModifyImageShareStatus takes Operation "Share" or "UnShare", spelled exactly so (documented code).',
    nextSteps: ['Call share_custom_image with Operation "Share" or "UnShare".'],
    retryable: false,
  }),
  ResetFromSharedImage: (c) => ({
    why: `The image ${c.imageId ?? ''} was shared into this account by another account; a shared image can be used only to create servers, not to reset one (user guide).`,
    nextSteps: ['Choose one of this account\'s own custom images, or a system or app image (list_images), to reset to; or create a new server from the shared image in the console.'],
    retryable: false,
  }),
  ServerFromDataImage: (c) => ({
    why: `The server ${c.instanceId ?? ''} was created from a custom image that holds data-disk data, and such a server cannot be reset (SDK remarks on ResetSystem).`,
    nextSteps: ['Nothing here can reset it. To start over, create a new server from the image you want in the console, move what matters, then release this one.'],
    retryable: false,
  }),
  // The simulator's names for the last two (Alibaba documents no code for either).
  'OperationDenied.SharedImageResetNotSupported': (c) => CATALOG.ResetFromSharedImage!(c),
  'OperationDenied.CreatedFromDataDiskImage': (c) => CATALOG.ServerFromDataImage!(c),
  ProfilePolicyDenied: () => ({
    why: 'The profile this call acts on has a policy (SWAS_MCP_PROFILE_POLICY, capped by the server-wide switches) that does not allow this kind of tool, so the call was refused before anything was read or sent.',
    nextSteps: [
      'If the change is meant for another account, call again with Profile naming a profile whose policy allows it (list_profiles shows each profile\'s policy).',
      'Otherwise the operator must raise the profile\'s policy in SWAS_MCP_PROFILE_POLICY (read, write or destructive) and restart the server.',
    ],
    retryable: false,
    stage: 'config',
  }),
  ProfileNotAllowedForUser: () => ({
    why: 'The operator limits which users may use which profiles (SWAS_MCP_PROFILE_USERS), and the user of this access token is not among those allowed for this profile, so the call was refused before anything was read or sent.',
    nextSteps: [
      'Call again with Profile naming a profile this user may use (list_profiles shows which ones).',
      'Otherwise ask the operator to add the user (the token\'s subject) to the profile in SWAS_MCP_PROFILE_USERS.',
    ],
    retryable: false,
    stage: 'config',
  }),
};

function tagRules(): Explanation {
  return {
    why: 'A tag was refused: at most 20 tags; a key is 1–64 characters, without "http://" or "https://", not starting with "acs:" or "aliyun"; a value is 0–64 characters without "http://" or "https://".',
    nextSteps: ['Fix the tags and call again.'],
    retryable: false,
  };
}

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
  /**
   * The message is the API's own text (an error body's Message). Defaults to: stage api with an
   * HTTP status, which is how normaliseSdkError builds API failures.
   */
  fromApi?: boolean;
}

const CODE_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Errors whose Message is the API's text: errorText quotes it as data. */
const MESSAGE_FROM_API = new WeakSet<ExplainedError>();
const REQUEST_ID_SHAPE = /^[A-Za-z0-9-]{1,64}$/;

/**
 * One explanation for a code, whether the API returned it or a preflight check predicted it. What
 * the API said (Message, Recommend, an odd Code or RequestId) is cleaned and marked as data.
 */
export function explain(failure: FailureInput, ctx: ErrorContext): { error: ExplainedError; why: string } {
  const code = CODE_SHAPE.test(failure.code) ? failure.code : apiField(failure.code, 128) || 'UnknownError';
  const entry = entryFor(code, failure.stage);
  const known = entry?.(ctx);
  const retryable = known?.retryable ?? (failure.httpStatus !== undefined && failure.httpStatus >= 500);
  const why = known?.why ?? `The ${ctx.action} call failed with a code this server has no explanation for.`;
  const nextSteps = known?.nextSteps ?? [
    failure.recommend
      ? `Open the Recommend link below for Alibaba Cloud's diagnosis of this error.`
      : 'Look the code up in the SWAS API error centre; if it persists, open a ticket with the RequestId.',
  ];
  const fromApi = failure.fromApi ?? (failure.stage === 'api' && failure.httpStatus !== undefined);
  const requestId = failure.requestId === undefined ? undefined
    : REQUEST_ID_SHAPE.test(failure.requestId) ? failure.requestId : apiField(failure.requestId, 64);
  const error: ExplainedError = {
    Code: code,
    // Structured: cleaned and bounded. The text twin (errorText) quotes it as the API's words.
    Message: fromApi ? apiField(failure.message, 1024) : failure.message,
    Stage: known?.stage ?? failure.stage,
    Retryable: retryable,
    NextSteps: nextSteps,
    ...(requestId ? { RequestId: requestId } : {}),
    ...(failure.recommend ? { Recommend: apiField(failure.recommend, 1024) } : {}),
  };
  if (fromApi) MESSAGE_FROM_API.add(error);
  return { why, error };
}

/** The text twin of an error: starts with the code, then what happened, why, and what to do. */
export function errorText(error: ExplainedError, why: string): string {
  const message = MESSAGE_FROM_API.has(error) ? apiSaid(error.Message) : error.Message;
  const lines = [`${error.Code}: ${message}`, `Why: ${why}`, 'What to do next:'];
  for (const step of error.NextSteps) lines.push(`- ${step}`);
  if (error.Retryable) lines.push('This error is temporary: the same call may succeed later.');
  if (error.RequestId) lines.push(`RequestId: ${error.RequestId}`);
  if (error.Recommend) lines.push(`Diagnosis: ${apiText(error.Recommend, 300)} (a link the API sent)`);
  return lines.join('\n');
}

/**
 * What anything thrown in a handler becomes, for explain(): an SwasError as it is, a cancel as stage
 * `cancelled`, anything else as an `internal` bug (log it: `unexpected` is true).
 */
export function explainInputOf(err: unknown): { input: FailureInput; authAction?: string; unexpected: boolean } {
  if (err instanceof SwasError) {
    return {
      input: { code: err.code, message: err.message, stage: err.stage, httpStatus: err.httpStatus, requestId: err.requestId, recommend: err.recommend },
      ...(err.authAction ? { authAction: err.authAction } : {}),
      unexpected: false,
    };
  }
  if (err instanceof CancelledError) {
    return err.byShutdown
      ? { input: { code: 'ServerShuttingDown', message: 'The server is shutting down and stopped this call before it finished.', stage: 'cancelled' }, unexpected: false }
      : { input: { code: 'Cancelled', message: 'The call was cancelled by the client.', stage: 'cancelled' }, unexpected: false };
  }
  return { input: { code: 'UnexpectedError', message: 'The server hit an unexpected problem; details are in its log.', stage: 'internal' }, unexpected: true };
}

// ---- input the tool's schema refuses (nothing is sent) ----
CATALOG.InvalidParameter = (c) => ({
  stage: 'input',
  why: `The arguments break the input rules of ${c.action} (each broken rule is named in the message); nothing was sent.`,
  nextSteps: [
    'Correct the argument(s) the message names, as each rule there says, and call again; the tool\'s input schema gives every argument\'s rule and an example.',
  ],
  retryable: false,
});

/** Whether the catalog has its own explanation for a code (not a family's or the generic one). */
export function hasExplanation(code: string): boolean {
  return Object.hasOwn(CATALOG, code);
}

// ---- regions ----
CATALOG['InvalidRegionId.NotFound'] = (c) => ({
  why: `There is no Simple Application Server region "${regionOf(c)}" (a mistyped region ID, or a region where SWAS is not offered). Region IDs look like cn-hangzhou or ap-southeast-1.`,
  nextSteps: [
    'Call list_instances with RegionId "all": it searches every region SWAS offers and shows each server\'s RegionId; pass that RegionId here.',
  ],
  retryable: false,
});

// ---- the server's own shutdown (not the client's cancel) ----
CATALOG.ServerShuttingDown = (c) => ({
  stage: 'cancelled',
  why: `This MCP server is shutting down (its operator or host stopped it), so it stopped ${c.action} before it finished. The client did not cancel it.`,
  nextSteps: [
    ...(CHECK_TOOL[c.action] ? [`If ${c.action} was already sent, ${CHECK_TOOL[c.action]} shows whether it went through.`] : []),
    `Once the server is back, ${repeatNote(c)}.`,
  ],
  retryable: true,
});

// ---- credentials given by half ----
CATALOG.CredentialsIncomplete = () => ({
  stage: 'config',
  why: 'The credentials this server was given are incomplete, or name a profile that does not exist (the message says which), and no other source had any.',
  nextSteps: [
    'Fix what the message names in the server\'s environment (or in Claude Desktop\'s extension settings), then restart the MCP server.',
    'To try the tools without an account, start it with --simulate.',
  ],
  retryable: false,
});
