/**
 * A zod schema (or a shape of one), built on its first use and then kept. Building every tool's
 * schemas at import cost start-up time (zod compiles its own code on first use, too), and nothing
 * needs them before the first tools/list or tools/call.
 */
export function lazySchema<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
