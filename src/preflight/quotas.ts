/** The quotas of custom images and snapshots, and the one wording of each (texts use these, never the numbers). */

/** The images one account may hold in a region: 3 per server, never more than 15. */
export const IMAGES_PER_SERVER = 3;
export const IMAGE_QUOTA_CAP = 15;
/** Snapshots one server may hold, system and data disks together. */
export const SNAPSHOTS_PER_SERVER = 3;
/** The account-wide cap is min(3 × servers, 15), over every region. */
export const SNAPSHOT_ACCOUNT_CAP = 15;

export interface Quota { Limit: number; Used: number; Remaining: number }

export function imageQuota(serverCount: number, imageCount: number): Quota {
  const limit = Math.min(IMAGES_PER_SERVER * serverCount, IMAGE_QUOTA_CAP);
  return { Limit: limit, Used: imageCount, Remaining: Math.max(0, limit - imageCount) };
}

/** The image quota rule in words. */
export const IMAGE_QUOTA_RULE = `at most ${IMAGES_PER_SERVER} images per simple application server you own, and never more than ${IMAGE_QUOTA_CAP}`;

/** "4 of 6 custom images used (3 per server × 2 servers, at most 15)". */
export function imageQuotaWords(q: { Used: number; Limit: number }, serverCount: number): string {
  return `${q.Used} of ${q.Limit} custom images used (${IMAGES_PER_SERVER} per server × ${serverCount} servers, at most ${IMAGE_QUOTA_CAP})`;
}

/** The account-wide snapshot cap in words. */
export const ACCOUNT_SNAPSHOT_CAP_WORDS = `the account-wide cap is min(${SNAPSHOTS_PER_SERVER} × servers, ${SNAPSHOT_ACCOUNT_CAP}) over all regions`;
