/**
 * Shapes of the values that reach a URL or a host name. The RegionId becomes part of the host
 * swas.<RegionId>.aliyuncs.com, so its pattern admits ASCII lower-case words and digits joined by
 * single hyphens and nothing else: no dots, slashes, colons, percent signs or look-alike letters.
 */
export const REGION_ID_PATTERN = /^[a-z]{2,4}(?:-[a-z0-9]{1,20}){1,4}$/;
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const SNAPSHOT_ID_PATTERN = /^s-[A-Za-z0-9]{1,62}$/;
export const IMAGE_ID_PATTERN = /^m-[A-Za-z0-9]{1,62}$/;
export const DISK_ID_PATTERN = /^d-[A-Za-z0-9]{1,62}$/;
export const RESOURCE_GROUP_ID_PATTERN = /^rg-[A-Za-z0-9]{1,62}$/;
/** Image IDs ListImages and ResetSystem take: custom images are m-…, system and app images 32 hex characters. */
export const ANY_IMAGE_ID_PATTERN = /^(?:m-[A-Za-z0-9]{1,62}|[0-9A-Fa-f]{32})$/;
export const ANY_IMAGE_ID_RULE = 'an image ID: m-… for a custom image, or 32 hexadecimal characters for a system or app image';
/** An Alibaba Cloud account ID: digits, no leading zero. */
export const ACCOUNT_ID_PATTERN = /^[1-9]\d{0,19}$/;
/** A plan ID from ListPlans, e.g. swas.s2.c2m2s50b4t08. */
export const PLAN_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** The API's key pair name rule: 2–128 characters, a letter first, then letters, digits, ".", "_", "-", ":". */
export const KEY_PAIR_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{1,127}$/;

/** ImageName: 2–128 characters of letters, digits, ':', '_', '-', starting with a letter or digit. */
export const IMAGE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_-]{1,127}$/;
/** SnapshotName: 2–50 characters of letters, digits, ':', '_', '.', '-', starting with a letter. */
export const SNAPSHOT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9:_.-]{1,49}$/;
/**
 * The character rules of the two names alone (their lengths are separate checks), so that a name
 * that is only too short is told only that.
 */
export const IMAGE_NAME_CHARS = /^[A-Za-z0-9][A-Za-z0-9:_-]*$/;
export const SNAPSHOT_NAME_CHARS = /^[A-Za-z][A-Za-z0-9:_.-]*$/;
/** ClientToken: at most 64 printable ASCII characters. */
export const CLIENT_TOKEN_PATTERN = /^[\x20-\x7E]{1,64}$/;

/** A custom image's ID (m-…), as opposed to a system or app image's. */
export function isCustomImageId(id: string): boolean {
  return id.startsWith('m-');
}

export function isRegionId(value: string): boolean {
  return REGION_ID_PATTERN.test(value) && value.length <= 40;
}

/** The default public endpoint host of a region. */
export function regionHost(regionId: string): string {
  if (!isRegionId(regionId)) throw new Error('refusing to build a host from an invalid region ID');
  return `swas.${regionId}.aliyuncs.com`;
}
