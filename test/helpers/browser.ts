import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { haveSystemPackage } from './system.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests run: Debian's Chromium is there (missing under CI is an error). */
export const haveChromium = haveSystemPackage(CHROMIUM, existsSync(CHROMIUM));

let browser: Promise<Browser> | undefined;

/**
 * A fresh BrowserContext of Debian's Chromium: its own cookies, storage and pages; close it when
 * done. The browser itself is started on the first call and kept for the worker's later files (the
 * suite runs with isolate: false): a start costs ~2 s of CPU, a context ~1 s, a page navigation
 * ~0.1 s. Playwright closes it when the worker exits (and Chromium exits when its pipe closes).
 * Measured against one Chromium for the whole run (launchServer in a global setup, connect() from
 * each file): the same CPU for the browser tests together, since the protocol then crosses a
 * WebSocket and the main process, and slower, since every file's pages share one browser process.
 */
export async function newChromiumContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  browser ??= chromium.launch({
    executablePath: CHROMIUM, headless: true,
    // Nothing but loopback resolves: a page that tried to reach out could not.
    args: ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
  });
  const b = await browser.catch((err: unknown) => { browser = undefined; throw err; });
  if (!b.isConnected()) { browser = undefined; return newChromiumContext(options); }
  return b.newContext(options);
}
