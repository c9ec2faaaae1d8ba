import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeNvidiaSmi } from './helpers/fake-nvidia-smi.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const SCRIPT = fileURLToPath(new URL('../scripts/gpu-smoke.sh', import.meta.url));

/**
 * scripts/gpu-smoke.sh on this GPU-less machine: a stand-in nvidia-smi names a GPU and a stand-in Python says CUDA
 * is there and hands everything else to Debian's Python with its CPU torch, so the tiny-track runs train for real.
 * What is checked is the script's planning and its table, not a GPU.
 */
async function smokeEnv(extra: Record<string, string>): Promise<{ env: Record<string, string>; work: string }> {
  const smi = await fakeNvidiaSmi('', 'echo "Stand-in GPU"');
  const bin = await tempDir('fake-python');
  const python = join(bin, 'python');
  await writeFile(python, ['#!/bin/sh', 'case "$2" in *torch.cuda.is_available*) exit 0 ;; esac', 'exec /usr/bin/python3 "$@"'].join('\n'));
  await chmod(python, 0o755);
  const work = await tempDir('gpu-smoke');
  const env = {
    PATH: `${dirname(smi)}:${process.env.PATH}`,
    SPEEDRUN_PYTHON: python,
    SPEEDRUN_CACHE: await tempDir('gpu-smoke-user-cache'),
    SMOKE_DIR: work,
    NANOGPT_RECORDS: '',
    MODERN_RECORDS: '',
    ...extra,
  };
  return { env, work };
}

function tableRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| track') && !line.startsWith('| ---'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('scripts/gpu-smoke.sh', () => {
  it('skips, with the reason, the runs a budget leaves too little time for', async () => {
    const { env } = await smokeEnv({ NANOGPT_RECORDS: '4', TINY_RECORDS: '1', MIN_RUN: '45' });
    const result = await execa('bash', [SCRIPT, '--budget', '20'], { env, extendEnv: true, reject: false, timeout: 300_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/budget 20 s/);
    const rows = tableRows(result.stdout);
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['nanogpt', '4', 'skipped'],
      ['tiny', '1', 'skipped'],
    ]);
    expect(rows[0]!.at(-1)).toMatch(/^budget: \d+ s left for 2 runs, under MIN_RUN=45 s/);
  });

  it('refuses a budget that is not whole seconds', async () => {
    const { env } = await smokeEnv({});
    const result = await execa('bash', [SCRIPT, '--budget', '10m'], { env, extendEnv: true, reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--budget needs whole seconds, not 10m/);
  });

  it('trains within the budget and, cut short by TERM, still prints a row for every planned run', async () => {
    // TINY_SHARE is generous: on a loaded machine a 20-step tiny run may take well over a minute.
    const { env, work } = await smokeEnv({ TINY_RECORDS: '1 2 3', TINY_SHARE: '600', MIN_RUN: '5' });
    const child = execa('bash', [SCRIPT, '--budget', '3600'], { env, extendEnv: true, reject: false, timeout: 900_000 });
    // Cut short while the second run is in progress: the first has its row, the second is stopped, the third never starts.
    const deadline = Date.now() + 600_000;
    while (!existsSync(join(work, 'results', 'tiny-2')) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    const rows = tableRows(result.stdout);
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['tiny', '1'],
      ['tiny', '2'],
      ['tiny', '3'],
    ]);
    // The first trained its 20 steps; the wall time to its first step and per step are in the table.
    expect(rows[0]!.slice(2, 6)).toEqual(['missed-target', '20/20', expect.stringMatching(/ s$/), expect.stringMatching(/ s$/)]);
    expect(rows[2]!.slice(2)).toEqual(['not run', '', '', '', '', '', '', 'cut short']);
    expect(result.stdout).toMatch(/\(cut short; logs and run folders: /);
  }, 960_000);
});
