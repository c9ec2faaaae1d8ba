import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CalibrationFile } from '../src/core/calibrate/calibration-file.js';
import { speedrun } from './helpers/cli.js';
import { fakeNvidiaSmi } from './helpers/fake-nvidia-smi.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const TWO_GPUS = ['0, GPU-a, NVIDIA H100 80GB HBM3, 81559', '1, GPU-b, NVIDIA H200, 143771'].join('\n');

describe('speedrun calibrate on GPUs', () => {
  it('trains each repeat on the named GPU and records which GPU the times come from', { timeout: 120_000 }, async () => {
    const cache = await tempDir('calib-gpu');
    const env = { SPEEDRUN_NVIDIA_SMI: await fakeNvidiaSmi(TWO_GPUS) };
    // The tiny track's scripts train on the CPU whatever the slot; the GPU bookkeeping is what is checked here.
    const result = await speedrun(['calibrate', '--track', 'tiny', '--records', '6', '--repeats', '1', '--gpus', '1', '--json', '--cache', cache], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/records 6 × 1 repeats \(interleaved\) on GPU 1/);
    const file = CalibrationFile.parse(JSON.parse(await readFile(join(cache, 'calibration', 'tiny.json'), 'utf8')));
    expect(file.machine.gpus).toEqual(['NVIDIA H200']);
  });

  it('refuses a GPU count a nanogpt record cannot train with, before looking for data', async () => {
    const env = { SPEEDRUN_NVIDIA_SMI: await fakeNvidiaSmi(TWO_GPUS) };
    const result = await speedrun(
      ['calibrate', '--track', 'nanogpt', '--records', '18-19', '--gpus', '0-1', '--gpus-per-run', '2', '--cache', await tempDir('calib-ng')],
      env,
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/nanogpt record 19 trains its own algorithm only with 8 GPUs per run, not 2/);
    expect(result.stderr).not.toMatch(/FineWeb/);
  });
});
