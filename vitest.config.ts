import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The credential chain must never reach for an instance metadata address in tests.
    env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    // Two cores, three workers: most of an e2e file's time is spent waiting on its spawned server,
    // the simulator's timers and polls, not computing, so a third worker fills that idle time
    // (whole suite ~25 s -> ~18 s here). Four was faster still (~14 s) but leaves the timing-bound
    // tests (deadlines, wait windows) less headroom on a shared 2-core machine.
    maxWorkers: 3,
    // One module graph per worker instead of one per test file: re-importing the simulator, the
    // SDK clients and vitest's own runtime for each of ~40 files cost ~11 s of import time (a third
    // of the suite on this machine). Every file starts and stops its own simulator and servers, and
    // the two files that change process.env restore it, so nothing leaks from file to file.
    isolate: false,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
