import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The credential chain must never reach for an instance metadata address in tests.
    env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    // Two cores, three workers: much of an e2e file's time is spent waiting on its spawned servers,
    // Chromium, the simulator's timers and polls, not computing, so a third worker fills that idle
    // time (whole suite with threads, shared machine: two workers 156-182 s wall, three 110-138 s, for
    // the same ~95 s of CPU). More leaves the timing-bound tests (deadlines, wait windows) less
    // headroom on a shared 2-core machine.
    maxWorkers: 3,
    // Worker threads instead of child processes: the whole suite (119 files) took 93-100 s of CPU
    // and 110-138 s wall with threads, 110-119 s of CPU and 157-244 s wall with forks (two runs
    // each, same machine and hour). Under threads, process.env and process.chdir are per worker
    // (chdir throws) and signals reach only the main thread: tests of those spawn the built server.
    pool: 'threads',
    // One module graph per worker instead of one per test file: re-importing the simulator, the
    // SDK clients and vitest's own runtime for each of ~40 files cost ~11 s of import time (a third
    // of the suite on this machine). Every file starts and stops its own simulator and servers, and
    // the two files that change process.env restore it, so nothing leaks from file to file. The
    // browser tests share their worker's Chromium, each in its own context (test/helpers/browser.ts).
    isolate: false,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
