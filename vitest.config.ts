import { defineConfig } from 'vitest/config';

/**
 * Two projects, told apart by file name:
 * - unit: every `tests/**\/*.test.ts(x)` except integration files. Needs Node, git and a python3 (no torch), no root,
 *   no Docker, Slurm, tmux or Chromium: `npm run test:unit`.
 * - integration: `*.int.test.ts(x)`, the tests that drive a real Docker engine, Slurm cluster, tmux, Chromium or
 *   train real PyTorch. Only this project runs the global setup that installs and starts those services.
 * `npm test` runs both (README, CI).
 */
const INTEGRATION = ['tests/**/*.int.test.ts', 'tests/**/*.int.test.tsx'];

export default defineConfig({
  test: {
    // CI=true makes ink print only its final frame, which hides what the UI component tests look at; the code under
    // test never reads CI, and the end-to-end UI tests run the binary in tmux without it anyway.
    env: { CI: 'false' },
    // Tests that train real models set their own, longer timeouts.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'results/test-results.json' },
    projects: [
      {
        extends: true,
        // Unit files first, then integration files: a training test never shares the machine with the unit suite.
        // Unit tests assert no timing, so their files may run side by side (as many as vitest's workers: one on a
        // 2-core machine, more on a laptop).
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
          exclude: INTEGRATION,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          sequence: { groupOrder: 1 },
          // Training tests are CPU-bound on small machines; running their files one at a time keeps timings honest.
          fileParallelism: false,
          // A Docker engine with the CPU image, a single-node Slurm, tmux and Chromium, started (and installed, as
          // root) when missing.
          globalSetup: ['tests/setup/services.ts'],
        },
      },
    ],
  },
});
