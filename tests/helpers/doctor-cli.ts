import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll } from 'vitest';
import type { CheckResult, DoctorReport } from '../../src/core/doctor/check.js';
import { packageRoot } from '../../src/core/paths.js';
import { BIN } from './cli.js';
import { tempDir } from './temp.js';

/**
 * `speedrun doctor` as a user runs it (the built binary), with a throwaway cache and a folder with no
 * speedrun.config.yaml, so the user's own config never leaks into a test. Call at the top of a test file. With
 * `standInPython`, SPEEDRUN_PYTHON names a stand-in that answers the doctor's torch and BLAS probes, so checks
 * of other things pass or fail on their own, whether or not this machine has torch.
 */
export function doctorBinary(opts: { standInPython?: boolean } = {}) {
  const dirs = { cache: '', cwd: '' };
  const baseEnv: Record<string, string> = {};
  beforeAll(async () => {
    // `npm test` builds dist/ before vitest runs.
    if (!existsSync(join(packageRoot, 'dist', 'cli', 'main.js'))) throw new Error('no dist/cli/main.js: run `npm run build` first');
    dirs.cache = await tempDir('doctor-cache');
    dirs.cwd = await tempDir('doctor-cwd');
    if (opts.standInPython) baseEnv.SPEEDRUN_PYTHON = await standInPython(await tempDir('doctor-python'));
  });

  /** Runs `speedrun doctor`; `env` adds to (or, with '', blanks) the inherited environment. */
  function doctor(args: string[], env: Record<string, string> = {}) {
    return execa(process.execPath, [BIN, 'doctor', '--cache', dirs.cache, ...args], {
      cwd: dirs.cwd,
      env: { ...baseEnv, ...env },
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
      timeout: 120_000,
    });
  }

  async function doctorJson(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number | undefined; report: DoctorReport }> {
    const result = await doctor([...args, '--json'], env);
    return { exitCode: result.exitCode, report: JSON.parse(String(result.stdout)) as DoctorReport };
  }

  return { dirs, doctor, doctorJson };
}

export function check(report: DoctorReport, id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${JSON.stringify(report.checks.map((c) => c.id))}`);
  return found;
}

/** A `python` that reports torch 2.7.1 with MKL to the doctor's probes (and fails anything else). */
async function standInPython(dir: string): Promise<string> {
  const path = join(dir, 'python3');
  const body = [
    '#!/bin/sh',
    'case "$2" in',
    '  *BLAS_INFO*) echo \'{"blas_info": "mkl", "libs": []}\' ;;',
    '  *torch.__version__*) echo 2.7.1+cpu ;;',
    '  *) echo "stand-in python: unexpected $*" >&2; exit 1 ;;',
    'esac',
    '',
  ].join('\n');
  await writeFile(path, body);
  await chmod(path, 0o755);
  return path;
}
