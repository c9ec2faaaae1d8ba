/** What every configuration needs: a recent enough Node.js and git (each run folder is a git repository). */
import { fail, ok } from './check.js';
import type { DoctorCheck } from './context.js';

/** Mirrors package.json's engines field (>=20.19): older Node lacks APIs the CLI uses. */
export const MIN_NODE_VERSION: readonly [number, number] = [20, 19];

export const nodeCheck: DoctorCheck = {
  id: 'node',
  title: 'Node.js',
  irrelevant: () => null,
  run: async ({ deps }) => {
    const [major = 0, minor = 0] = deps.nodeVersion.replace(/^v/, '').split('.').map(Number);
    const [needMajor, needMinor] = MIN_NODE_VERSION;
    const recent = major > needMajor || (major === needMajor && minor >= needMinor);
    const version = `v${deps.nodeVersion.replace(/^v/, '')}`;
    return recent
      ? ok(version)
      : fail(`${version} is older than v${needMajor}.${needMinor}`, `install Node.js ${needMajor}.${needMinor} or newer (e.g. from nodejs.org or with nvm)`);
  },
};

export const gitCheck: DoctorCheck = {
  id: 'git',
  title: 'git',
  irrelevant: () => null,
  run: async ({ deps }) => {
    const result = await deps.run('git', ['--version'], { timeoutMs: 15_000 });
    if (result.notFound)
      return fail('git is not on PATH (every run folder keeps its nodes in a git repository)', 'install git (Debian/Ubuntu: apt-get install git)');
    if (result.exitCode !== 0) return fail(`git --version failed: ${(result.stderr || result.stdout).trim()}`, 'reinstall git');
    return ok(result.stdout.trim().replace(/^git version /, ''));
  },
};
