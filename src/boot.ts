#!/usr/bin/env node
// dist/index.js: starts the server bundle (dist/server.script.js) through a V8 code cache, and loads
// the on-demand bundles (dist/lazy/<group>.cjs) through one too.
//
// Most of a start used to be V8 compiling the bundle; Node 20 keeps no compile cache for modules,
// but vm.Script takes one (src/code-cache.ts). The build compiles the server as one script (a
// function expression, so that it gets CommonJS's arguments), runs it once and stores the code V8
// compiled by the first answer in dist/code-cache/; a later start deserialises that code instead of
// compiling it. The same goes for an on-demand bundle the first time a call needs it (the Alibaba
// SDK is most of a first call's CPU without one).
// Nothing about a cache can stop a start or a call: every failure to read or write one is ignored.
//
// `--help` and `--version` are answered here, before the server's script is read: they print what the
// server would print, at the cost of a bare Node start instead of a whole server's.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { helpOrVersion } from './cli-options.js';
import { compileCached, runCommonJs, type CachedScript } from './code-cache.js';
import { STARTED } from './started.js';
import { usage } from './usage.js';
import { VERSION } from './version.js';

/** Hashes of the bundles' content, set by the build: V8 itself checks a cache against the source's length only. */
declare const SERVER_BUILD_ID: string;
declare const LAZY_BUILD_IDS: Record<string, string>;

/** Compiles and runs the server's script (and on demand its bundles) through the code caches. */
function startServer(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, 'server.script.js');

  // The bundle is ASCII (esbuild escapes the rest), so latin1 reads it without decoding.
  const server = compileCached(here, file, readFileSync(file, 'latin1'), SERVER_BUILD_ID);
  if (server.wantsCache) {
    // Written once the server has answered its first request (or listens): a start that stops before
    // that (bad settings) compiled too little to be worth caching, and would keep its
    // meagre cache, as an accepted one is never rewritten.
    let answered = false;
    const write = () => { if (answered) server.writeCache(); };
    (globalThis as Record<symbol, unknown>)[STARTED] = () => { answered = true; setImmediate(write); };
    // A server told to stop right after its first answer still leaves its cache.
    process.once('exit', write);
  }

  /** The on-demand bundles loaded so far: their module.exports. */
  const lazyLoaded = new Map<string, unknown>();
  /** Their caches still to write. */
  const lazyToCache: CachedScript[] = [];

  /**
   * Loads dist/lazy/<group>.cjs as require() would, but through a code cache. Its cache is written when
   * the process exits, so that it holds all the code the calls of this run compiled, not only the
   * bundle's top level (most of the SDK's code runs in the call, not when it loads).
   */
  function requireLazy(group: string): unknown {
    if (lazyLoaded.has(group)) return lazyLoaded.get(group);
    const lazyFile = join(here, 'lazy', `${group}.cjs`);
    const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(lazyFile, 'latin1')}\n})`;
    const bundle = compileCached(here, lazyFile, source, `lazy-${group}-${LAZY_BUILD_IDS[group] ?? 'unknown'}`);
    const exports = runCommonJs(bundle.script, lazyFile);
    lazyLoaded.set(group, exports);
    if (bundle.wantsCache) {
      if (lazyToCache.length === 0) process.once('exit', () => { for (const b of lazyToCache) b.writeCache(); });
      lazyToCache.push(bundle);
    }
    return exports;
  }

  // The server's require(): the build makes its import() of an on-demand module a require('./lazy/<group>.cjs').
  const serverRequire = createRequire(file);
  const LAZY = /^\.\/lazy\/([\w-]+)\.cjs$/;
  const require = Object.assign((id: string): unknown => {
    const group = LAZY.exec(id)?.[1];
    return group !== undefined && Object.hasOwn(LAZY_BUILD_IDS, group) ? requireLazy(group) : serverRequire(id);
  }, serverRequire) as NodeJS.Require;
  runCommonJs(server.script, file, require);
}

// Asked for help or the version, the protocol is not running: they go to stdout, as a reader expects.
const asked = helpOrVersion(process.argv.slice(2));
if (asked === 'help') process.stdout.write(`${usage()}\n`); // allowed-stdout
else if (asked === 'version') process.stdout.write(`${VERSION}\n`); // allowed-stdout
else startServer();
