// How long the simulated account's asynchronous work takes, measured on the simulator's clock.
//
// Two profiles:
// - `fixed`: the same few milliseconds for every resource (the original behaviour; tests set them).
// - `realistic`: minutes of simulated time sized by disk, as real snapshots and images take
//   (the fidelity audit §2: several minutes to tens of minutes), divided by `timeScale` so that a
//   demo or a test runs it in seconds: timeScale 600 means ten simulated minutes pass in one second.

export type TimingProfile = 'fixed' | 'realistic';

/** The realistic profile, in seconds of simulated time (before `timeScale`). */
export const REALISTIC_TIMINGS = {
  /** A snapshot takes base + perGb × disk size, within [min, max]: 40 GB → 6 min. */
  snapshot: { baseS: 120, perGbS: 6, minS: 120, maxS: 600 },
  /** An image takes base + perGb × (system + data snapshot disk sizes), within [min, max]: 40 + 20 GB → 9 min. */
  image: { baseS: 180, perGbS: 6, minS: 180, maxS: 1200 },
  /** A new image is not listed at all for this long (CreateCustomImage returns before it is listable). */
  imageListDelayS: 30,
  /** A deleted image stays listed, status unchanged, for this long. */
  imageDeleteS: 20,
  /** ResetSystem: Resetting for this long, then Running. */
  resetS: 60,
  /** CreateInstances: Pending, then Starting for the second half, then Running after this long. */
  launchS: 120,
} as const;

/** The fixed profile's defaults, in clock milliseconds. */
export const FIXED_TIMINGS = {
  imageReadyMs: 3000,
  snapshotReadyMs: 2000,
  imageListDelayMs: 0,
  imageDeleteMs: 1000,
  resetMs: 2000,
  launchMs: 2000,
} as const;

export interface FixedTimings {
  imageReadyMs: number;
  snapshotReadyMs: number;
  imageListDelayMs: number;
  imageDeleteMs: number;
  resetMs: number;
  launchMs: number;
}

export type DurationKind = 'snapshot' | 'image' | 'imageListDelay' | 'imageDelete' | 'reset' | 'launch';

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Simulated seconds a piece of work takes in the realistic profile. */
export function realisticSeconds(kind: DurationKind, diskGb = 0): number {
  const r = REALISTIC_TIMINGS;
  switch (kind) {
    case 'snapshot':
      return clamp(r.snapshot.baseS + r.snapshot.perGbS * diskGb, r.snapshot.minS, r.snapshot.maxS);
    case 'image':
      return clamp(r.image.baseS + r.image.perGbS * diskGb, r.image.minS, r.image.maxS);
    case 'imageListDelay':
      return r.imageListDelayS;
    case 'imageDelete':
      return r.imageDeleteS;
    case 'reset':
      return r.resetS;
    case 'launch':
      return r.launchS;
  }
}

export function checkTimeScale(timeScale: number): void {
  if (!(Number.isFinite(timeScale) && timeScale > 0)) throw new Error(`simulator: timeScale must be a positive number, got ${timeScale}`);
}

/** Clock milliseconds for a piece of work under the given profile. */
export function durationMs(profile: TimingProfile, timeScale: number, fixed: FixedTimings, kind: DurationKind, diskGb = 0): number {
  if (profile === 'realistic') return Math.round((realisticSeconds(kind, diskGb) * 1000) / timeScale);
  switch (kind) {
    case 'snapshot':
      return fixed.snapshotReadyMs;
    case 'image':
      return fixed.imageReadyMs;
    case 'imageListDelay':
      return fixed.imageListDelayMs;
    case 'imageDelete':
      return fixed.imageDeleteMs;
    case 'reset':
      return fixed.resetMs;
    case 'launch':
      return fixed.launchMs;
  }
}
