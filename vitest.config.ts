import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // A Docker engine with the CPU image and a single-node Slurm, started (and installed, as root) when missing.
    globalSetup: ['tests/setup/services.ts'],
    // CI=true makes ink print only its final frame, which hides what the UI component tests look at; the code under
    // test never reads CI, and the end-to-end UI tests run the binary in tmux without it anyway.
    env: { CI: 'false' },
    // Tests that train real models set their own, longer timeouts.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // Training tests are CPU-bound on small machines; running files one at a time keeps timings honest.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'results/test-results.json' },
  },
});
