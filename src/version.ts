/** Kept equal to package.json's version by a test; a constant keeps JSON out of the start-up path. */
export const VERSION = '0.1.0';
