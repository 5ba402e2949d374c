import { haveChromium } from '../helpers/browser.js';
// The views first: the inventory suite's host page is kept for the progress and plan suites.
import './browser/apps-views.js';
import './browser/apps-plan.js';
import './browser/consent-passkey.js';
import './browser/approver-login.js';

/**
 * Every test that drives Debian's Chromium, as one test file so that they run in one worker: each
 * worker that runs a browser test imports playwright-core (~0.7 s of CPU: a 7 MB bundle), starts
 * its own Chromium (~0.8 s across its processes with the first page) and, for the views, loads the
 * host page (~0.5 s); as four files they landed in up to three workers and paid that up to three
 * times. Measured: the four alone, 26-29 s of CPU as four files (Chromium 8.5-9.5 s) against 19 s
 * as one (Chromium 7.4-8.2 s); in a whole run, the vitest worker's CPU for them 9.2 s against 4.4 s.
 * Each suite is its own module under browser/, with its own servers and browser context, as it was
 * as a file of its own.
 */
if (!haveChromium) console.log('skipped: Chromium is not installed here (npm run setup:system installs it).');
