// The code cache's rules (src/code-cache.ts), on a small script in this process: where a cache is
// read and written, and that a cache V8 rejects, or one that cannot be written, only makes a start
// slower. The built server's starts through its loader with these caches: test/e2e/code-cache.test.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCached, runCommonJs } from '../../src/code-cache.js';

const SOURCE = '(function (exports, require, module) { module.exports = { answer: [1, 2, 3].map((n) => n * 14).reduce((a, b) => a + b, 0) }; })';
const ID = 'test-build-1';

const roots: string[] = [];
afterAll(() => { for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true }); });
function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `swas-code-cache-unit-${name}-`));
  roots.push(dir);
  return dir;
}

let starts = 0;
/**
 * Compiles SOURCE from `dist`, runs it (as a start does before it writes), then writes the cache.
 * Each under a file name of its own: V8 keeps what this process compiled by source and name, and a
 * second compile of the same pair would take that instead of reading, or rejecting, the cache.
 */
function start(dist: string): { wantsCache: boolean; answer: unknown } {
  const file = join(dist, `script-${++starts}.js`);
  const compiled = compileCached(dist, file, SOURCE, ID);
  const { answer } = runCommonJs(compiled.script, file) as { answer: unknown };
  compiled.writeCache();
  return { wantsCache: compiled.wantsCache, answer };
}

const listing = (dir: string) => { try { return readdirSync(dir).sort(); } catch { return []; } };

// The user's cache folder is $XDG_CACHE_HOME when it is absolute: each case points it at its own folder.
let savedXdg: string | undefined;
let userCacheRoot: string;
beforeEach(() => {
  savedXdg = process.env.XDG_CACHE_HOME;
  userCacheRoot = tempDir('xdg');
  process.env.XDG_CACHE_HOME = userCacheRoot;
});
afterEach(() => {
  if (savedXdg === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedXdg;
});
const userCache = () => join(userCacheRoot, 'swas-image-mcp', 'code-cache');

describe('compileCached', () => {
  it('writes a missing cache beside the script, named by build, Node version and architecture, and the next compile uses it as it is', () => {
    const dist = tempDir('dist');
    expect(start(dist)).toEqual({ wantsCache: true, answer: 84 });
    const [name, ...more] = listing(join(dist, 'code-cache'));
    expect(more).toEqual([]);
    expect(name).toMatch(new RegExp(`^${ID}-${process.version}-${process.arch}-\\w+\\.bin$`));
    const written = readFileSync(join(dist, 'code-cache', name!));
    expect(start(dist)).toEqual({ wantsCache: false, answer: 84 });
    expect(readFileSync(join(dist, 'code-cache', name!)).equals(written)).toBe(true);
    expect(listing(userCache())).toEqual([]);
  });

  it('a cache V8 rejects (garbage, or made for other code) is compiled past and replaced, with no temporary file left', () => {
    for (const bad of [Buffer.from('not a code cache at all'), new Script('1 + 1', { filename: 'other.js' }).createCachedData()]) {
      const dist = tempDir('dist');
      start(dist);
      const [name] = listing(join(dist, 'code-cache'));
      const path = join(dist, 'code-cache', name!);
      writeFileSync(path, bad);
      expect(start(dist)).toEqual({ wantsCache: true, answer: 84 });
      expect(listing(join(dist, 'code-cache'))).toEqual([name]);
      expect(readFileSync(path).equals(bad)).toBe(false);
      expect(start(dist)).toEqual({ wantsCache: false, answer: 84 });
    }
  });

  it('where dist/ cannot be written (a read-only install), the cache goes to the user\'s cache folder and is read from there', () => {
    const dist = tempDir('dist');
    // A file where the folder should be: creating it fails whoever runs the test (root ignores modes).
    writeFileSync(join(dist, 'code-cache'), '');
    expect(start(dist)).toEqual({ wantsCache: true, answer: 84 });
    const [name, ...more] = listing(userCache());
    expect(more).toEqual([]);
    expect(name).toMatch(new RegExp(`^${ID}-`));
    expect(start(dist)).toEqual({ wantsCache: false, answer: 84 });
    expect(listing(dist)).toEqual(['code-cache']);
  });

  it('where neither can be written, the script compiles and runs all the same, and nothing is left behind', () => {
    const dist = tempDir('dist');
    writeFileSync(join(dist, 'code-cache'), '');
    writeFileSync(join(userCacheRoot, 'swas-image-mcp'), '');
    expect(start(dist)).toEqual({ wantsCache: true, answer: 84 });
    expect(start(dist)).toEqual({ wantsCache: true, answer: 84 });
    expect(listing(dist)).toEqual(['code-cache']);
    expect(listing(userCacheRoot)).toEqual(['swas-image-mcp']);
  });

  it('a cache is another build\'s when its ID differs: not read', () => {
    const dist = tempDir('dist');
    start(dist);
    const other = compileCached(dist, join(dist, `script-${++starts}.js`), SOURCE, 'test-build-2');
    expect(other.wantsCache).toBe(true);
  });
});
