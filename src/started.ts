/**
 * The loader (src/boot.ts) puts a function under this key when it wants to write a code cache:
 * the code compiled by the first answer is the code worth caching.
 */
export const STARTED = Symbol.for('swas-image-mcp.started');

/** Tells the loader, once, that the server has answered its first request (or is listening). */
export function announceStarted(): void {
  const slot = globalThis as Record<symbol, unknown>;
  const started = slot[STARTED];
  delete slot[STARTED];
  if (typeof started === 'function') (started as () => void)();
}
