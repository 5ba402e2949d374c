import { apiText } from '../untrusted.js';

/**
 * Small helpers that keep plans in plain words: counts with the right plural, lists joined as a
 * person writes them, names beside IDs, and times both relative and exact.
 */

/** "1 image", "2 images"; give the plural when it is not the singular plus "s". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** The word alone: `noun(1, 'image')` is "image", `noun(2, 'image')` "images". */
export function noun(n: number, singular: string, plural = `${singular}s`): string {
  return n === 1 ? singular : plural;
}

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `"shop-prod" (m-abc)`: the name from the API, quoted as data, then the ID; the ID alone without a name. */
export function named(id: string, name: string | undefined): string {
  const clean = name === undefined ? '' : apiText(name, 128);
  return clean ? `"${clean}" (${id})` : id;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "2026-11-29 02:00 UTC". */
export function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function ago(diff: number): string {
  const past = diff >= 0;
  const d = Math.abs(diff);
  let words: string;
  if (d < MINUTE) return past ? 'just now' : 'in less than a minute';
  if (d < HOUR) words = count(Math.floor(d / MINUTE), 'minute');
  else if (d < DAY) words = count(Math.floor(d / HOUR), 'hour');
  else if (d < 60 * DAY) words = count(Math.floor(d / DAY), 'day');
  else if (d < 730 * DAY) words = count(Math.floor(d / (30 * DAY)), 'month');
  else words = count(Math.floor(d / (365 * DAY)), 'year');
  return past ? `${words} ago` : `in ${words}`;
}

/**
 * When something happened, for a person: "3 days ago, 2026-11-29 02:00 UTC", measured from `now`
 * (the injected clock). A time the API gave that does not parse is shown as it came, as data;
 * none at all is "at an unknown time".
 */
export function when(iso: string | undefined, now: number): string {
  if (iso === undefined || iso === '') return 'at an unknown time';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return `at "${apiText(iso, 40)}"`;
  return `${ago(now - ms)}, ${isoMinute(ms)}`;
}
