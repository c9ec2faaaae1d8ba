import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // A Docker engine with the CPU image and a single-node Slurm, started (and installed, as root) when missing.
    globalSetup: ['tests/setup/services.ts'],
    // Tests that train real models set their own, longer timeouts.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // Training tests are CPU-bound on small machines; running files one at a time keeps timings honest.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'results/test-results.json' },
  },
});
