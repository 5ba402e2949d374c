// Typed access to the flattened request parameters (query string and form body merged).
import { SimulatedApiError, invalidParameter, missing } from './errors.js';
import type { Tag } from './types.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 10;

const TAG_RE = /^Tag\.(\d+)\.(Key|Value)$/;

export class Params {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** All parameters, for logging and idempotency fingerprints. */
  all(): Record<string, string> {
    return Object.fromEntries(this.values);
  }

  get(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  required(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw missing(name);
    return v;
  }

  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || +v < min || +v > max) {
      throw invalidParameter(`The specified parameter "${name}" is not valid: expected an integer from ${min} to ${max}.`);
    }
    return +v;
  }

  bool(name: string): boolean | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    const lower = v.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw invalidParameter(`The specified parameter "${name}" must be true or false.`);
    return lower === 'true';
  }

  /** ID lists arrive as a JSON array literal in one string, e.g. `["m-aaa","m-bbb"]`. */
  jsonList(name: string, max: number): string[] | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw invalidParameter(`The specified parameter "${name}" is not a valid JSON array.`);
    }
    if (!Array.isArray(parsed) || !parsed.every((x): x is string => typeof x === 'string')) {
      throw invalidParameter(`The specified parameter "${name}" must be a JSON array of strings.`);
    }
    if (parsed.length > max) throw invalidParameter(`The specified parameter "${name}" holds more than ${max} items.`);
    return parsed;
  }

  /** A required JSON ID list of 1 to `max` entries (`what`: "image IDs", "snapshot IDs"). */
  requiredJsonList(name: string, max: number, what: string): string[] {
    const ids = this.jsonList(name, max);
    if (ids === undefined) throw missing(name);
    if (ids.length === 0) throw invalidParameter(`The specified parameter "${name}" must hold 1 to ${max} ${what}.`);
    return ids;
  }

  paging(maxPageSize = MAX_PAGE_SIZE): { pageNumber: number; pageSize: number } {
    return {
      pageNumber: this.int('PageNumber', 1, 1),
      pageSize: this.int('PageSize', DEFAULT_PAGE_SIZE, 1, maxPageSize),
    };
  }

  /**
   * A repeat list as the SDK flattens an array (`Name.1`, `Name.2`, …), ordered by N, empty
   * values dropped. Undefined when absent; more than `max` items is InvalidParameter.
   */
  repeatList(name: string, max: number): string[] | undefined {
    const re = new RegExp(`^${name.replace(/\./g, '\\.')}\\.(\\d+)$`);
    const items: Array<[number, string]> = [];
    for (const [k, v] of this.values) {
      const m = re.exec(k);
      if (m && v !== '') items.push([+m[1]!, v]);
    }
    if (items.length === 0) return undefined;
    if (items.length > max) throw invalidParameter(`The specified parameter "${name}" holds more than ${max} items.`);
    return items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** `Tag.N.Key` / `Tag.N.Value`, ordered by N. A value without a key is an error. */
  tags(): Tag[] {
    const byIndex = new Map<number, { key?: string; value?: string }>();
    for (const [k, v] of this.values) {
      const m = TAG_RE.exec(k);
      if (!m) continue;
      const n = +m[1]!;
      const entry = byIndex.get(n) ?? {};
      if (m[2] === 'Key') entry.key = v;
      else entry.value = v;
      byIndex.set(n, entry);
    }
    return [...byIndex.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([n, t]) => {
        if (t.key === undefined || t.key === '') {
          throw new SimulatedApiError(400, 'InvalidParam.TagKey', `The tag key of Tag.${n} must not be empty.`);
        }
        return { key: t.key, value: t.value ?? '' };
      });
  }
}

export function paginate<T>(items: readonly T[], pageNumber: number, pageSize: number): T[] {
  return items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
}
