import { execa } from 'execa';
import { ExternalError } from '../errors.js';

/** Debian packages that give a CPU PyTorch; without OpenBLAS's threaded build torch falls back to a ~40× slower BLAS. */
export const DEBIAN_TORCH_PACKAGES = ['python3-torch', 'python3-numpy', 'libopenblas0-pthread'];

export interface InstallPlan {
  /** Packages not installed yet. */
  missing: string[];
  /** Why installing is impossible here, if it is. */
  blocker: string | null;
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  const result = await execa(command, args, { reject: false, stdin: 'ignore' });
  return result.exitCode === 0;
}

/** Which of the Debian packages are missing, and whether this machine can install them (apt, root). */
export async function planTorchInstall(): Promise<InstallPlan> {
  if (!(await succeeds('dpkg-query', ['--version']))) {
    return { missing: DEBIAN_TORCH_PACKAGES, blocker: 'this is not a Debian-based system (no dpkg)' };
  }
  const missing: string[] = [];
  for (const pkg of DEBIAN_TORCH_PACKAGES) {
    const status = await execa('dpkg-query', ['-W', '-f=${Status}', pkg], { reject: false, stdin: 'ignore' });
    if (!String(status.stdout).includes('install ok installed')) missing.push(pkg);
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const blocker = missing.length && !root ? 'installing system packages needs root' : null;
  return { missing, blocker };
}

/** apt-get install of the missing packages, streaming apt's output to the log. */
export async function installDebianTorch(missing: string[], log: (line: string) => void): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  for (const [command, args] of [
    ['apt-get', ['update', '-q']],
    ['apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing]],
  ] as const) {
    log(`$ ${command} ${args.join(' ')}`);
    const result = await execa(command, [...args], { env, reject: false, stdin: 'ignore', all: true });
    if (result.exitCode !== 0) {
      throw new ExternalError(
        'apt-get',
        `\`${command} ${args.join(' ')}\` failed:\n${String(result.all).split('\n').slice(-15).join('\n')}`,
        `install them yourself: apt-get install ${missing.join(' ')}`,
      );
    }
  }
}
