import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { haveSystemPackage } from './system.js';

/**
 * Debian's Chromium, as its headless shell (package chromium-headless-shell) where installed, else
 * the full browser (package chromium). The shell is the same Blink, V8 and network stack without
 * the browser's own UI, profile services and preloaded WebUI pages; it is what Playwright runs for
 * headless Chromium. The browser tests together, measured with each on a loaded 2-core machine:
 * ~11 s of Chromium CPU with the shell against ~22 s with the full browser (a start alone ~0.3 s
 * against ~1.7 s).
 */
const HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell';
const FULL = '/usr/bin/chromium';
export const CHROMIUM = existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : FULL;

/** Whether the browser tests run: Debian's Chromium is there (missing under CI is an error). */
export const haveChromium = haveSystemPackage('Chromium', existsSync(CHROMIUM));

/**
 * Whether the browser tests save screenshots (under test-output/, gitignored) for a person to look
 * at: only when asked, with SWAS_TEST_SCREENSHOTS=1. A screenshot is no check (the tests prove the
 * look by the page's computed styles and attributes), and each costs Chromium ~0.3-0.5 s of CPU to
 * composite and encode; the suite took eight.
 */
export const takeScreenshots = process.env.SWAS_TEST_SCREENSHOTS === '1';

let browser: Promise<Browser> | undefined;

/**
 * A fresh BrowserContext of Debian's Chromium: its own cookies, storage and pages; close it when
 * done. The browser itself is started on the first call and kept for the worker's later files (the
 * suite runs with isolate: false): with the shell a start costs ~0.3 s of CPU, a context ~0.05 s,
 * a page or view load ~0.1-0.2 s. Playwright closes it when the worker exits (and Chromium exits
 * when its pipe closes). Measured against one Chromium for the whole run (launchServer in a global
 * setup, connect() from each file): the same CPU for the browser tests together, since the protocol
 * then crosses a WebSocket and the main process, and slower, since every file's pages share one
 * browser process.
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
