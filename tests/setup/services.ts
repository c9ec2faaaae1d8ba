import { execa } from 'execa';

/**
 * Brings up what the integration tests (`*.int.test.ts`, vitest.config.ts) run against: a Docker engine with the CPU
 * image, a single-node Slurm, tmux for the terminal UI and Chromium for the report's screenshot test. Unit tests
 * never run it. The scripts are idempotent and take well under a second when everything is up, so `npm test` works
 * the same on a fresh machine (as root: they install and start what is missing) and on one where it already runs.
 */
const SERVICES = ['scripts/ci/docker-setup.sh', 'scripts/ci/slurm-setup.sh', 'scripts/ci/tools-setup.sh'];

export default async function setupServices(): Promise<void> {
  for (const script of SERVICES) {
    const result = await execa('bash', [script], { reject: false, all: true, stdin: 'ignore' });
    if (result.exitCode !== 0) {
      throw new Error(`${script} failed (exit ${result.exitCode}); the Docker, Slurm and terminal UI suites need it:\n${result.all}`);
    }
  }
}
