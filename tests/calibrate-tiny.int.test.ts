import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTasks, loadTrack } from '../src/core/catalog/catalog.js';
import { CalibrationFile } from '../src/core/calibrate/calibration-file.js';
import { RunSummary } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// Real training of the two fastest tiny records, once each: calibration, then a run scored against it.
describe('speedrun calibrate on the tiny track', () => {
  let cache: string;
  let record: number;

  beforeAll(async () => {
    record = listTasks(await loadTrack('tiny')).at(-1)!.record;
    cache = await tempDir('calib');
  });

  it('measures each record, saves the calibration and reports the ladder', { timeout: 300_000 }, async () => {
    const result = await speedrun(['calibrate', '--track', 'tiny', '--records', `${record}-${record + 1}`, '--repeats', '1', '--json', '--cache', cache]);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { ladder: Array<{ record: number; median_ms: number; speedup: number | null }>; failed: number[] };
    expect(out.failed).toEqual([]);
    expect(out.ladder.map((r) => r.record)).toEqual([record, record + 1]);
    const [slow, fast] = out.ladder;
    expect(slow!.median_ms).toBeGreaterThan(0);
    // The later record is the faster one, and the reported speedup is the ratio of the medians.
    expect(fast!.speedup).toBeGreaterThan(1);
    expect(fast!.speedup).toBeCloseTo(slow!.median_ms / fast!.median_ms, 10);

    const file = CalibrationFile.parse(JSON.parse(await readFile(join(cache, 'calibration', 'tiny.json'), 'utf8')));
    expect(file.records[String(record)]).toMatchObject({ median_ms: slow!.median_ms, failures: 0 });
    expect(file.records[String(record)]!.times_ms).toHaveLength(1);
  });

  it('later runs score against the calibrated times', async () => {
    const calibration = CalibrationFile.parse(JSON.parse(await readFile(join(cache, 'calibration', 'tiny.json'), 'utf8')));
    const result = await speedrun([
      'run',
      '--track',
      'tiny',
      '--record',
      String(record),
      '--agent',
      'null',
      '--retime',
      'none',
      '--json',
      '--cache',
      cache,
      '--out',
      join(cache, 'results'),
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary.times_from).toBe('calibration');
    expect(summary.baseline_ms).toBe(calibration.records[String(record)]!.median_ms);
    expect(summary.target_ms).toBe(calibration.records[String(record + 1)]!.median_ms);
    expect(summary.fsr).toBe(0);
  });
});
