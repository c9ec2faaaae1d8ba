import { execa } from 'execa';
import { ExternalError, UserError } from '../errors.js';

export interface PythonWithTorch {
  python: string;
  torchVersion: string;
}

/**
 * Interpreters tried in order when the user names none. A `python3` on PATH is often a separate build
 * (pyenv, conda) that cannot see the system's torch, so the system interpreter is tried too.
 */
export const PYTHON_CANDIDATES = ['python3', '/usr/bin/python3', 'python'];

/** Asks an interpreter for its torch version; null when it has no torch or does not run. */
export async function torchVersionOf(python: string): Promise<string | null> {
  const probe = await execa(python, ['-c', 'import torch; print(torch.__version__)'], {
    reject: false,
    timeout: 60_000,
    stdin: 'ignore',
  });
  if (probe.exitCode !== 0) return null;
  return String(probe.stdout).trim().split('\n').pop() ?? null;
}

/**
 * Finds a Python that imports torch. An explicitly named interpreter must work (no silent fallback);
 * otherwise the candidates are tried in order.
 */
export async function findPythonWithTorch(named?: string): Promise<PythonWithTorch> {
  if (named) {
    const version = await torchVersionOf(named);
    if (!version) {
      throw new UserError(
        `the Python interpreter '${named}' cannot import torch`,
        `install PyTorch for it, or name another interpreter with --python (or SPEEDRUN_PYTHON)`,
      );
    }
    return { python: named, torchVersion: version };
  }
  for (const candidate of PYTHON_CANDIDATES) {
    const version = await torchVersionOf(candidate);
    if (version) return { python: candidate, torchVersion: version };
  }
  throw new ExternalError(
    'python',
    `no Python interpreter with torch found (tried ${PYTHON_CANDIDATES.join(', ')})`,
    'on Debian/Ubuntu: apt-get install python3-torch libopenblas0-pthread (or run `npm run demo`, which installs them); elsewhere install PyTorch and pass --python PATH',
  );
}

/**
 * For simulated trainings (the sim executor starts no Python): any interpreter that runs, for the integrity audit
 * and the script-meaning check, which need only the standard library.
 */
export async function findPythonWithoutTorch(named?: string): Promise<PythonWithTorch> {
  for (const candidate of named ? [named] : PYTHON_CANDIDATES) {
    const probe = await execa(candidate, ['-c', 'import ast'], { reject: false, timeout: 60_000, stdin: 'ignore' });
    if (probe.exitCode === 0) return { python: candidate, torchVersion: 'not needed: simulated trainings' };
  }
  throw new ExternalError(
    'python',
    `no Python interpreter runs (tried ${named ?? PYTHON_CANDIDATES.join(', ')})`,
    'install python3, or name one with --python',
  );
}
