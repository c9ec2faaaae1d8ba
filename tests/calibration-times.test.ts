import { describe, expect, it } from 'vitest';
import { calibratedMs, type CalibrationFile } from '../src/core/calibrate/calibration-file.js';
import { ladder } from '../src/core/calibrate/run-calibration.js';
import { median } from '../src/core/score/stats.js';
import { parseRecordRange } from '../src/core/catalog/record-range.js';

const file: CalibrationFile = {
  track: 'tiny',
  updated_at: '2026-11-26T00:00:00.000Z',
  machine: { cpus: 2, cpu_model: 'test', python: 'python3', torch_version: '1.13' },
  records: {
    '1': { script_sha256: 'aaa', times_ms: [100_000, 90_000, 95_000], median_ms: 95_000, min_ms: 90_000, max_ms: 100_000, failures: 0 },
    '2': { script_sha256: 'bbb', times_ms: [60_000, null, 62_000], median_ms: null, min_ms: 60_000, max_ms: 62_000, failures: 1 },
    '3': { script_sha256: 'ccc', times_ms: [40_000], median_ms: 40_000, min_ms: 40_000, max_ms: 40_000, failures: 0 },
  },
};

describe('calibrated times', () => {
  const first = { target: 1.9, rule: 'first-crossing' } as const;

  it('are used only for the script they were measured on', () => {
    expect(calibratedMs(file, 1, 'aaa', first)).toBe(95_000);
    expect(calibratedMs(file, 1, 'edited-script', first)).toBeNull();
    expect(calibratedMs(file, 9, 'aaa', first)).toBeNull();
    expect(calibratedMs(null, 1, 'aaa', first)).toBeNull();
  });

  it('are used only when read by the timing rule and target in force (files without a rule were first-crossing times)', () => {
    expect(calibratedMs(file, 1, 'aaa', { target: 3.28, rule: 'final' })).toBeNull();
    const final: CalibrationFile = { ...file, records: { '1': { ...file.records['1']!, timing_rule: 'final', target_val_loss: 3.28 } } };
    expect(calibratedMs(final, 1, 'aaa', { target: 3.28, rule: 'final' })).toBe(95_000);
    expect(calibratedMs(final, 1, 'aaa', { target: 3.29, rule: 'final' })).toBeNull();
    expect(calibratedMs(final, 1, 'aaa', first)).toBeNull();
  });

  it('give a ladder of speedups between consecutive records, none across a missing rung', () => {
    expect(ladder(file, [1, 2, 3])).toEqual([
      { record: 1, median_ms: 95_000, speedup: null },
      { record: 2, median_ms: null, speedup: null },
      { record: 3, median_ms: 40_000, speedup: null },
    ]);
    expect(ladder(file, [1, 3])[1]!.speedup).toBeCloseTo(95 / 40, 10);
  });

  it('median handles odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });
});

describe('record ranges', () => {
  it('expand ranges and lists in order without duplicates', () => {
    expect(parseRecordRange('1-3,5')).toEqual([1, 2, 3, 5]);
    expect(parseRecordRange('4, 2-3,3')).toEqual([2, 3, 4]);
  });

  it('reject malformed ranges with a fix', () => {
    for (const bad of ['', 'a', '3-1', '0-2', '1..3']) expect(() => parseRecordRange(bad), bad).toThrow(/range/);
  });
});
