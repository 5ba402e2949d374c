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
    // time (whole suite of 1,174 tests on the shared machine, measured with threads: two workers
    // 156-182 s wall, three 110-138 s, for the same ~95 s of CPU). More leaves the timing-bound
    // tests (deadlines, wait windows) less headroom on a shared 2-core machine.
    maxWorkers: 3,
    // Child processes, not worker threads. Threads measured within the noise (whole suite, 1,226
    // tests, back to back: 55.8 s and 97 s of CPU against 54.9 s and 100 s with forks), and a
    // thread's process.env is its own copy, which os.homedir() does not read: the in-process
    // profiles tests point HOME at their profile files and would need os.homedir() patched.
    pool: 'forks',
    // One V8 platform thread per worker instead of four (Node's default): on two cores, shared with
    // two more workers, the spawned servers and Chromium, the background compile and GC threads
    // mostly contend (see docs/performance.md for the measurement). And no optimizing compiler
    // (TurboFan; the baseline compiler stays): a worker runs a great deal of code a few times each,
    // and optimizing it cost more than it gave back (six alternate runs each: 55.3 s of CPU and
    // 30.9 s against 58.3 s and 32.2 s). The servers a test spawns run as users run them.
    execArgv: ['--v8-pool-size=1', '--no-opt'],
    // One module graph per worker instead of one per test file: re-importing the simulator, the
    // SDK clients and vitest's own runtime for each of ~40 files cost ~11 s of import time (a third
    // of the suite on this machine). Every file starts and stops its own simulator and servers, and
    // the two files that change process.env restore it, so nothing leaks from file to file. The
    // browser tests share their worker's Chromium, each in its own context (test/helpers/browser.ts).
    isolate: false,
    // Keeps each module's transform on disk (node_modules/.experimental-vitest-cache) between runs:
    // a run after the first transforms only what changed (in-process files: ~3 s less CPU; a fresh
    // clone starts empty and pays the transform once).
    experimental: { fsModuleCache: true },
    globalSetup: ['./test/helpers/run-temp.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
