import { apiText } from '../untrusted.js';
import { isCustomImageId } from '../swas/shapes.js';
import { sameWord } from '../swas/status.js';
import type { Instance } from '../swas/types.js';
import { checkList, type Check } from './checks.js';

/** Server states ResetSystem accepts (undocumented; Terraform retries IncorrectInstanceStatus, the simulator takes these). */
export const RESETTABLE_INSTANCE_STATES = ['Running', 'Stopped'];

/** Chinese mainland regions: `cn-…` except Hong Kong. Outside them a reset cannot switch between Windows and Linux. */
export function isMainlandRegion(regionId: string): boolean {
  return regionId.startsWith('cn-') && regionId !== 'cn-hongkong';
}

/** The image to reset to, as read from ListCustomImages (custom) or ListImages (system, app). */
export interface ResetImage {
  ImageId: string;
  ImageName: string;
  /** system, app or custom. */
  ImageType: string;
  /** Custom images: the account's own, or shared into it by another account. */
  Owner?: 'self' | 'shared-in';
  /** Linux or Windows, as the API spells it; undefined when the API did not say. */
  Platform?: string;
  /** Custom images: the status in words (Available, Creating, …). System and app images listed are usable. */
  Status?: string;
  /** Custom images: the server it was made from, and its name. */
  SourceInstanceId?: string;
  SourceInstanceName?: string;
  /** Custom images: when it was made (ISO 8601). */
  CreationTime?: string;
  /** GB; custom images only (ListImages states no sizes). */
  RequiredSystemDiskSize?: number;
  /** GB; above 0 when the image holds a data disk. */
  RequiredDataDiskSize?: number;
}

/** The custom image a server runs (ListInstances' ImageId `m-…`), as ListCustomImages shows it. */
export interface ServerSourceImage {
  ImageId: string;
  /** The image holds data-disk data (a DataSnapshotId, or a RequiredDataDiskSize above 0). */
  HoldsData: boolean;
}

export interface ResetFacts {
  /** Undefined: the server is not in the region. */
  instance?: Instance;
  /** The custom image the server runs, when it runs one that could be read. */
  sourceImage?: ServerSourceImage;
  /** Undefined: no image of that ID in the region. */
  image?: ResetImage;
}

export interface ResetVerdict {
  checks: Check[];
  failure?: { code: string; message: string };
  /** The server's system disk and largest data disk, GB (for the plan). */
  systemDiskGb?: number;
  dataDiskGb?: number;
}

const size = (gb: number | undefined) => (gb === undefined ? 'of unknown size' : `${gb} GB`);

/** Every precondition of ResetSystem that can be judged from what was read, in the order the API checks them. Pure. */
export function judgeResetSystem(req: { regionId: string; instanceId: string; imageId: string }, f: ResetFacts): ResetVerdict {
  const { checks, add, firstFailure } = checkList();
  const done = (extra: Partial<ResetVerdict> = {}): ResetVerdict => {
    const failure = firstFailure();
    return { checks, ...(failure ? { failure } : {}), ...extra };
  };
  const { instance, image } = f;
  if (!instance) {
    add('InstanceExists', false, `Server ${req.instanceId} does not exist in region ${req.regionId}. list_instances shows the servers of a region.`, 'InvalidInstanceId.NotFound');
    return done();
  }
  add('InstanceExists', true, `Server ${instance.InstanceId} ("${apiText(instance.InstanceName, 128)}") is in region ${req.regionId}.`);
  const stateOk = RESETTABLE_INSTANCE_STATES.some((s) => sameWord(instance.Status, s));
  // As create_custom_image: an expired or overdue server is refused whatever its state.
  const business = instance.BusinessStatus && !sameWord(instance.BusinessStatus, 'Normal') ? apiText(instance.BusinessStatus, 32) : '';
  add('InstanceStatus', stateOk && !business,
    stateOk && !business ? `Server is ${instance.Status}.`
      : business ? `Server is ${apiText(instance.Status, 32)} with business status ${business}; renew it in the console before resetting it.`
      : `Server is ${apiText(instance.Status, 32)}; only a Running or Stopped server can be reset. If it is changing state, wait until it is Running (wait_for_resources with InstanceIds and Until "Running") and try again.`,
    'IncorrectInstanceStatus');

  // SDK remarks on ResetSystem: a server created from a custom image holding data-disk data cannot be reset.
  const runsCustom = instance.ImageId !== undefined && isCustomImageId(instance.ImageId);
  if (f.sourceImage?.HoldsData) {
    add('ServerResettable', false, `Server ${instance.InstanceId} runs custom image ${f.sourceImage.ImageId}, which holds data-disk data; a server created from such an image cannot be reset. Create a new server from the image you want in the console instead.`, 'ServerFromDataImage');
  } else if (runsCustom && !f.sourceImage) {
    add('ServerResettable', 'skipped', `Server ${instance.InstanceId} runs custom image ${apiText(instance.ImageId, 64)}, which could not be read (deleted, or another account's); a server created from an image holding data-disk data cannot be reset, and the API checks that.`);
  } else {
    add('ServerResettable', true, runsCustom ? `The custom image the server runs (${f.sourceImage!.ImageId}) holds no data-disk data.` : 'The server does not run a custom image holding data-disk data.');
  }

  if (!image) {
    add('ImageExists', false, `No image ${req.imageId} in region ${req.regionId}. Images are regional: the image must be in the server's own region. list_images shows the images a server there can be reset to.`, 'InvalidImageId.NotFound');
    return done();
  }
  const custom = image.ImageType === 'custom';
  const owner = image.Owner === 'shared-in' ? ', shared into this account' : image.Owner === 'self' ? ', this account\'s own' : '';
  add('ImageExists', true, `Image ${image.ImageId} ("${apiText(image.ImageName, 128)}", ${image.ImageType}${owner}) is in region ${req.regionId}.`);

  if (custom) {
    // User guide: an image another account shared in can be used only to create servers.
    const sharedIn = image.Owner === 'shared-in';
    add('NotSharedIn', !sharedIn,
      sharedIn ? `Image ${image.ImageId} was shared into this account by another account; a shared image can be used only to create servers, not to reset one. Choose one of this account's own images or a system or app image (list_images).`
        : 'The custom image is this account\'s own.',
      'ResetFromSharedImage');
    const available = sameWord(image.Status, 'Available');
    add('ImageAvailable', available,
      available ? 'The custom image is Available.' : `The custom image is ${image.Status ? apiText(image.Status, 32) : 'in an unknown state'}, not Available; wait for it (wait_for_resources with ImageIds and Until "Available") or choose another.`,
      'ImageNotAvailable');
    const own = image.SourceInstanceId === instance.InstanceId;
    add('NotOwnImage', !own,
      own ? `Image ${image.ImageId} was made from this same server; ResetSystem does not take it. Going back to this server's own earlier disk is a snapshot rollback (in the SWAS console, Snapshots → Roll back), not a reset.`
        : `The image was made from ${image.SourceInstanceId ? `another server (${image.SourceInstanceId})` : 'another server'}.`,
      'ResetFromOwnImage');
  } else {
    add('NotSharedIn', true, `${image.ImageType === 'app' ? 'An app' : 'A system'} image is Alibaba Cloud's, usable by every account.`);
    add('ImageAvailable', true, `${image.ImageType === 'app' ? 'App' : 'System'} images that ListImages lists are available.`);
    add('NotOwnImage', 'skipped', 'Not a custom image: it was not made from a server.');
  }

  const systemDiskGb = instance.Disks.find((d) => sameWord(d.DiskType, 'system'))?.Size;
  const dataSizes = instance.Disks.filter((d) => sameWord(d.DiskType, 'data')).map((d) => d.Size ?? 0);
  const dataDiskGb = dataSizes.length ? Math.max(...dataSizes) : undefined;
  const needSys = image.RequiredSystemDiskSize;
  if (needSys === undefined || needSys <= 0) {
    add('SystemDiskSize', 'skipped', `${custom ? 'The image states' : 'ListImages states'} no minimum system disk size; the API checks it. The server's system disk is ${size(systemDiskGb)}.`);
  } else if (systemDiskGb === undefined) {
    add('SystemDiskSize', 'skipped', `The image needs a system disk of at least ${needSys} GB; the server's system disk size is not listed, so the API checks it.`);
  } else {
    const ok = systemDiskGb >= needSys;
    add('SystemDiskSize', ok,
      ok ? `The server's system disk (${systemDiskGb} GB) is at least the ${needSys} GB the image needs.`
        : `The image needs a system disk of at least ${needSys} GB; the server's is ${systemDiskGb} GB. Choose a smaller image, or upgrade the server's plan in the console first.`,
      'DiskTooSmall');
  }
  const needData = image.RequiredDataDiskSize ?? 0;
  if (needData <= 0) {
    add('DataDiskSize', true, 'The image holds no data disk.');
  } else {
    const ok = dataDiskGb !== undefined && dataDiskGb >= needData;
    add('DataDiskSize', ok,
      ok ? `The image holds a data disk of ${needData} GB; the server's data disk (${dataDiskGb} GB) is large enough.`
        : `The image holds a data disk of ${needData} GB; the server ${dataDiskGb === undefined ? 'has no data disk' : `has a data disk of only ${dataDiskGb} GB`}. Choose an image without data, or a server with a large enough data disk.`,
      'DiskTooSmall');
  }

  const from = instance.OsType;
  const to = image.Platform;
  if (isMainlandRegion(req.regionId)) {
    const switching = from && to && !sameWord(from, to);
    add('Platform', true, `${req.regionId} is in the Chinese mainland, where a reset may switch platform${switching ? ` (here from ${apiText(from, 32)} to ${apiText(to, 32)})` : ''}.`);
  } else if (!from || !to) {
    add('Platform', 'skipped', `Outside the Chinese mainland a reset cannot switch between Windows and Linux; the ${!from ? 'server\'s' : 'image\'s'} platform is not listed, so the API checks it.`);
  } else {
    const same = sameWord(from, to);
    add('Platform', same,
      same ? `Server and image are both ${apiText(to, 32)}.`
        : `Outside the Chinese mainland (${req.regionId}) a server cannot be reset between Windows and Linux: the server runs ${apiText(from, 32)}, the image is ${apiText(to, 32)}. Choose a ${apiText(from, 32)} image (list_images shows Platform).`,
      'PlatformSwitchNotAllowed');
  }
  return done({ ...(systemDiskGb !== undefined ? { systemDiskGb } : {}), ...(dataDiskGb !== undefined ? { dataDiskGb } : {}) });
}
