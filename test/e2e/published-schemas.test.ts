// The build converts every tool's published schemas once (dist/published-schemas.json), so that a
// started server's tools/list does not build every tool's zod schemas: the file must be exactly what
// the server would make itself. That the built server publishes from it, and lists what the server
// composed in this process lists in each consent mode, is proven by starts of
// test/e2e/code-cache.test.ts (each of its copies of dist/ changes one description in the file).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { PUBLISHED_SCHEMAS_FILE, publishedSchemasOf } from '../../src/tools/publish.js';
import { SERVER_ENTRY } from '../helpers/stack.js';

const DIST = dirname(SERVER_ENTRY);

describe('the published schemas the build writes', () => {
  it('are the ones the sources make, for every tool', () => {
    const file = JSON.parse(readFileSync(join(DIST, PUBLISHED_SCHEMAS_FILE), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(publishedSchemasOf(ALL_TOOLS))));
  });
});
