import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '../../src');
const importsOf = (file: string) => [...readFileSync(join(src, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

describe('module layers', () => {
  it('untrusted.ts imports nothing: the API layer and the explanations both build on it', () => {
    expect(importsOf('untrusted.ts')).toEqual([]);
  });
  it('the API layer (swas/) does not import the explanations (explain/), which import it', () => {
    const offenders = readdirSync(join(src, 'swas')).filter((f) => f.endsWith('.ts'))
      .filter((f) => importsOf(join('swas', f)).some((i) => i.includes('/explain/')));
    expect(offenders).toEqual([]);
  });
});
