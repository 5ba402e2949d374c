/**
 * Text that came from the API (names, descriptions, error messages) is data, not the server's own
 * words: it may hold newlines that start a fake paragraph, "ignore previous instructions", ANSI
 * escapes that repaint a terminal, NUL, bidi overrides, or 100 KB. These two functions make it safe
 * to show: apiText for text answers (one line, quotes and backslashes escaped so it cannot close
 * the quotes it is put in), apiField for structuredContent (no controls, bounded).
 */

/** Visible marker of a cut. */
export const CUT_MARK = '…[cut]';

// ESC-introduced sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC
// (ESC P/X/^/_ … ESC \), and the two-character ones (ESC followed by one byte). C1 CSI is \x9b.
// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]/g;
// Line and tab breaks become spaces (words stay apart).
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// What is left of C0, DEL and C1, plus bidi overrides/isolates and zero-width characters that can
// hide or reorder text.
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

/** No input is read further than this before it is cleaned (bounded work for any size). */
const READ_LIMIT_FACTOR = 16;

function asString(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Cleans and caps, counting code points (a surrogate pair is never split). */
function clean(value: unknown, max: number): { text: string; cut: boolean } {
  const raw = asString(value);
  const limit = Math.max(4096, max * READ_LIMIT_FACTOR);
  let cut = raw.length > limit;
  const text = (cut ? raw.slice(0, limit) : raw)
    .replace(ANSI, '')
    .replace(BREAKS, ' ')
    .replace(CONTROLS, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const points = Array.from(text);
  if (points.length > max) {
    cut = true;
    return { text: points.slice(0, max).join('').trimEnd(), cut };
  }
  return { text, cut };
}

/**
 * API text for a text answer: one line, controls and escapes removed, `\` and `"` escaped, at most
 * `max` characters of the original, then a visible "…[cut]". Put it between double quotes.
 */
export function apiText(value: unknown, max = 200): string {
  const { text, cut } = clean(value, max);
  const escaped = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return cut ? `${escaped}${CUT_MARK}` : escaped;
}

/** API text for a structured field: controls and escapes removed, capped with "…[cut]". */
export function apiField(value: unknown, max = 1024): string {
  const { text, cut } = clean(value, max);
  return cut ? `${text}${CUT_MARK}` : text;
}

/** An optional structured field: undefined stays undefined. */
export function apiFieldOpt(value: unknown, max = 1024): string | undefined {
  return value === undefined || value === null ? undefined : apiField(value, max);
}

/** How a text answer quotes what the API said, so that it never reads as the server's own words. */
export function apiSaid(value: unknown, max = 300): string {
  return `The API said: "${apiText(value, max)}"`;
}
