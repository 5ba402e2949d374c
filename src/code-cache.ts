// A V8 code cache for a CommonJS file compiled with vm.Script: used by the loader (src/boot.ts) for
// the server's script and for each on-demand bundle (dist/lazy/<group>.cjs).
//
// A cache lives in dist/code-cache/, or in the user's cache folder where dist/ cannot be written,
// one file per script, build, Node version, architecture and V8 flags (V8 rejects a cache made by
// another V8 or under other flags, and checks one against the source's length only). A cache that
// is missing or that V8 rejects is only slower: the script compiles from source and the caller
// writes the cache anew, atomically. Every failure to read or write a cache is ignored.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { constants, Script } from 'node:vm';

/** A compiled script and its cache. */
export interface CachedScript {
  script: Script;
  /** False when V8 accepted the cache it was given: such a cache is never rewritten. */
  wantsCache: boolean;
  /** Writes the cache of the code compiled so far, once; later calls do nothing. */
  writeCache(): void;
}

function userCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
}

let flagsHash: string | undefined;
function flags(): string {
  if (flagsHash === undefined) {
    let h = 0x811c9dc5;
    for (const c of `${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    flagsHash = (h >>> 0).toString(36);
  }
  return flagsHash;
}

/** Beside the server; where that cannot be written (a read-only install), in the user's cache folder. */
function cacheFiles(distDir: string, id: string): string[] {
  const name = `${id}-${process.version}-${process.arch}-${flags()}.bin`;
  return [join(distDir, 'code-cache', name), join(userCacheDir(), 'swas-image-mcp', 'code-cache', name)];
}

function readCache(files: string[]): Buffer | undefined {
  for (const f of files) {
    try { return readFileSync(f); } catch { /* the next place */ }
  }
  return undefined;
}

/** Temporary file, then rename: a reader sees the old cache, no cache, or the whole new one. */
function writeCache(files: string[], data: Buffer): void {
  for (const f of files) {
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

/**
 * Compiles `source` (for `file`) with the cache named by `id` (which must change whenever the source
 * does) from the folder `distDir`, when there is one V8 accepts.
 */
export function compileCached(distDir: string, file: string, source: string, id: string): CachedScript {
  const files = cacheFiles(distDir, id);
  const cachedData = readCache(files);
  // Should an import() remain in the code, it resolves as in a module.
  const script = new Script(source, {
    filename: file, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, ...(cachedData ? { cachedData } : {}),
  });
  const wantsCache = !cachedData || script.cachedDataRejected === true;
  let written = !wantsCache;
  return {
    script,
    wantsCache,
    writeCache: () => {
      if (written) return;
      written = true;
      try { writeCache(files, script.createCachedData()); } catch { /* only the next start is slower */ }
    },
  };
}

/** Runs a compiled `(function (exports, require, module, __filename, __dirname) {...})` as CommonJS does: its module.exports. */
export function runCommonJs(script: Script, file: string, require: NodeJS.Require = createRequire(file)): unknown {
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const module = { exports: {} as object };
  run.call(module.exports, module.exports, require, module, file, dirname(file));
  return module.exports;
}
