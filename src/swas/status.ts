/** Custom image Status codes travel as strings "0"–"4"; results speak words. */
export const IMAGE_STATUS_WORDS = {
  '0': 'Copying',
  '1': 'Available',
  '2': 'Unavailable',
  '3': 'Failed',
  '4': 'Creating',
} as const;

export type ImageStatusWord = (typeof IMAGE_STATUS_WORDS)[keyof typeof IMAGE_STATUS_WORDS] | 'Unknown';
export const IMAGE_STATUS_VALUES = ['Copying', 'Available', 'Unavailable', 'Failed', 'Creating', 'Unknown'] as const;

export function imageStatusWord(code: string): ImageStatusWord {
  return (IMAGE_STATUS_WORDS as Record<string, ImageStatusWord>)[code.trim()] ?? 'Unknown';
}

/** Instance states in which CreateCustomImage is accepted. */
export const IMAGEABLE_INSTANCE_STATES = ['Running', 'Stopped'];

export function sameWord(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

/** Instance states in which CreateSnapshot is accepted. */
export const SNAPSHOTTABLE_INSTANCE_STATES = ['Running', 'Stopped'];
