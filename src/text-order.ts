/**
 * Code-unit order of two strings: for ISO 8601 UTC timestamps this is time order, and for the API's
 * ASCII ids the same order as `localeCompare` gave. Unlike `localeCompare`, it loads no ICU collator:
 * the first `localeCompare` of a process maps about 2.8 MB of ICU's collation data and code and
 * allocates 0.8 MB more, kept for the life of the process.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
