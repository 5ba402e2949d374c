import { haveChromium } from '../helpers/browser.js';
// The views first: the inventory suite's host page is kept for the progress and plan suites.
import './browser/apps-views.js';
import './browser/apps-plan.js';
import './browser/consent-passkey.js';
import './browser/approver-login.js';

/**
 * Every test that drives Debian's Chromium, as one test file so that they run in one worker: each
 * worker that runs a browser test imports playwright-core (~0.7 s of CPU: a 7 MB bundle), starts
 * its own Chromium (~0.4 s across its processes) and, for the views, loads the host page (~0.6 s);
 * as four files they landed in up to three workers and paid that up to three times (measured on
 * the four alone: 26-29 s of CPU as four files, 19 s as one, Chromium's part 8.5-9.5 s against
 * 7.4-8.2 s). Each suite is its own module under browser/, with its own servers and browser
 * context, as it was as a file of its own.
 */
if (!haveChromium) console.log('skipped: Chromium is not installed here (npm run setup:system installs it).');
