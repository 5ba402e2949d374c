#!/usr/bin/env node
// dist/index.js: starts the server bundle (dist/server.script.js) through a V8 code cache.
//
// Most of a start used to be V8 compiling the bundle; Node 20 keeps no compile cache for modules,
// but vm.Script takes one. The build compiles the server as one script (a function expression,
// so that it gets CommonJS's arguments), runs it once and stores the code V8 compiled by the first
// answer in dist/code-cache/; a later start deserialises that code instead of compiling it. A cache
// that is missing or that V8 rejects (another Node version or V8 flags) is only slower: the script
// compiles from source and the cache is written anew, atomically, once the first answer is out
// (beside the server, or in the user's cache folder when dist/ cannot be written).
// Nothing about the cache can stop a start: every failure to read or write it is ignored.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';
import { STARTED } from './started.js';

/** A hash of the bundle's content, set by the build: V8 itself checks a cache against the source's length only. */
declare const SERVER_BUILD_ID: string;

const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, 'server.script.js');
const cacheName = `${cacheKey()}.bin`;
/** Beside the server; where that cannot be written (a read-only install), in the user's cache folder. */
const cacheFiles = [join(here, 'code-cache', cacheName), join(userCacheDir(), 'swas-image-mcp', 'code-cache', cacheName)];

function userCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
}

/** V8 rejects a cache made by another V8 or under other V8 flags: each gets its own file, so they don't overwrite each other. */
function cacheKey(): string {
  let h = 0x811c9dc5;
  for (const c of `${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return `${SERVER_BUILD_ID}-${process.version}-${process.arch}-${(h >>> 0).toString(36)}`;
}

function readCache(): Buffer | undefined {
  for (const f of cacheFiles) {
    try { return readFileSync(f); } catch { /* the next place */ }
  }
  return undefined;
}

/** Temporary file, then rename: a reader sees the old cache, no cache, or the whole new one. */
function writeCache(script: Script): void {
  const data = script.createCachedData();
  for (const f of cacheFiles) {
    const tmp = `${f}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(f), { recursive: true });
      writeFileSync(tmp, data);
      renameSync(tmp, f);
      return;
    } catch {
      try { unlinkSync(tmp); } catch { /* nothing was written */ }
    }
  }
}

const cachedData = readCache();
// The bundle is ASCII (esbuild escapes the rest), so latin1 reads it without decoding.
// The build turns the server's import() calls into require(); should one remain, it resolves as in a module here.
const script = new Script(readFileSync(file, 'latin1'), {
  filename: file, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, ...(cachedData ? { cachedData } : {}),
});
if (!cachedData || script.cachedDataRejected) {
  // Written once the server has answered its first request (or listens): a start that stops before
  // that (bad settings, --version) compiled too little to be worth caching, and would keep its
  // meagre cache, as an accepted one is never rewritten.
  let answered = false;
  let written = false;
  const write = () => { if (answered && !written) { written = true; writeCache(script); } };
  (globalThis as Record<symbol, unknown>)[STARTED] = () => { answered = true; setImmediate(write); };
  // A server told to stop right after its first answer still leaves its cache.
  process.once('exit', write);
}
const run = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
const module = { exports: {} };
run.call(module.exports, module.exports, createRequire(file), module, file, here);
