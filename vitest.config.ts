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
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
