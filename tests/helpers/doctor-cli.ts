import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll } from 'vitest';
import type { CheckResult, DoctorReport } from '../../src/core/doctor/check.js';
import { packageRoot } from '../../src/core/paths.js';
import { BIN } from './cli.js';
import { tempDir } from './temp.js';

/**
 * `speedrun doctor` as a user runs it (the built binary), with a throwaway cache and a folder with no
 * speedrun.config.yaml, so the user's own config never leaks into a test. Call at the top of a test file.
 */
export function doctorBinary() {
  const dirs = { cache: '', cwd: '' };
  beforeAll(async () => {
    // `npm test` builds dist/ before vitest runs.
    if (!existsSync(join(packageRoot, 'dist', 'cli', 'main.js'))) throw new Error('no dist/cli/main.js: run `npm run build` first');
    dirs.cache = await tempDir('doctor-cache');
    dirs.cwd = await tempDir('doctor-cwd');
  });

  /** Runs `speedrun doctor`; `env` adds to (or, with '', blanks) the inherited environment. */
  function doctor(args: string[], env: Record<string, string> = {}) {
    return execa(process.execPath, [BIN, 'doctor', '--cache', dirs.cache, ...args], { cwd: dirs.cwd, env, extendEnv: true, reject: false, stdin: 'ignore', timeout: 120_000 });
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
