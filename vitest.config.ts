import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The credential chain must never reach for an instance metadata address in tests.
    env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    // Two cores: spawned servers and the simulator share them with the runner.
    maxWorkers: 2,
    // One module graph per worker instead of one per test file: re-importing the simulator, the
    // SDK clients and vitest's own runtime for each of ~40 files cost ~11 s of import time (a third
    // of the suite on this machine). Every file starts and stops its own simulator and servers, and
    // the two files that change process.env restore it, so nothing leaks from file to file.
    isolate: false,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
