import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLog } from '../src/core/measure/log-parser.js';
import { timeToTarget as timeBy, timingFigures } from '../src/core/measure/time-to-target.js';

const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures/upstream-logs');
const fixture = (name: string) => readFileSync(resolve(fixturesDir, name), 'utf8');

const run = (lines: string[]) => parseLog(`${lines.join('\n')}\n`);

describe("timeToTarget by the final line (the records' own rule)", () => {
  const final = (points: Parameters<typeof timeBy>[0], target: number) => timeBy(points, target, 'final');

  it('times r18 by its last validation line, though it crossed 3.28 at step 1375 already', () => {
    const parsed = parseLog(fixture('r18.log'));
    expect(parsed.final).toMatchObject({ step: 1390, val_loss: 3.2785, train_time_ms: 204345 });
    expect(final(parsed.points, 3.28)).toEqual({ reached: true, time_ms: 204345, step: 1390, val_loss: 3.2785 });
    expect(timingFigures(parsed.points, 3.28)).toEqual({
      first_crossing: { step: 1375, train_time_ms: 201992, val_loss: 3.2793 },
      final_line: { step: 1390, train_time_ms: 204345, val_loss: 3.2785 },
    });
  });

  it('a run that dips below the target and ends above it is invalid', () => {
    const dips = run([
      'step:0/30 val_loss:10.9 train_time:0ms step_avg:nanms',
      'step:20/30 val_loss:3.27 train_time:200ms step_avg:10.00ms',
      'step:30/30 val_loss:3.29 train_time:300ms step_avg:10.00ms',
    ]);
    expect(final(dips.points, 3.28)).toEqual({ reached: false, time_ms: null, step: null, val_loss: null });
    expect(timeBy(dips.points, 3.28, 'first-crossing')).toMatchObject({ reached: true, time_ms: 200 });
  });

  it('agrees with first crossing where only the last line reaches the target (r04), and a NaN last line never counts', () => {
    const points = parseLog(fixture('r04.log')).points;
    expect(final(points, 3.28)).toEqual(timeBy(points, 3.28, 'first-crossing'));
    expect(
      final(run(['step:10/20 val_loss:3.0 train_time:10ms step_avg:1.00ms', 'step:20/20 val_loss:nan train_time:20ms step_avg:1.00ms']).points, 3.28).reached,
    ).toBe(false);
    expect(final([], 3.28).reached).toBe(false);
    expect(timingFigures([], 3.28)).toEqual({ first_crossing: null, final_line: null });
  });
});

describe('timeToTarget by first crossing', () => {
  const timeToTarget = (points: Parameters<typeof timeBy>[0], target: number) => timeBy(points, target, 'first-crossing');

  it('takes the train_time of the final line when only the final line reaches the target (r04)', () => {
    expect(timeToTarget(parseLog(fixture('r04.log')).points, 3.28)).toEqual({ reached: true, time_ms: 1339067, step: 6200, val_loss: 3.2785 });
  });

  it('takes the first validation line at or below the target, before the final line (r18 reaches 3.28 at step 1375)', () => {
    const parsed = parseLog(fixture('r18.log'));
    expect(timeToTarget(parsed.points, 3.28)).toEqual({ reached: true, time_ms: 201992, step: 1375, val_loss: 3.2793 });
    // A target exactly equal to a printed loss counts as reached (≤).
    expect(timeToTarget(parsed.points, 3.2793)).toEqual({ reached: true, time_ms: 201992, step: 1375, val_loss: 3.2793 });
    expect(timeToTarget(parsed.points, 3.2792)).toEqual({ reached: true, time_ms: 204345, step: 1390, val_loss: 3.2785 });
  });

  it('a run that never reaches the target has no time (r60 ends at 3.2807)', () => {
    expect(timeToTarget(parseLog(fixture('r60.log')).points, 3.28)).toEqual({ reached: false, time_ms: null, step: null, val_loss: null });
  });

  it('NaN never reaches a target, even a later finite value does', () => {
    const parsed = run([
      'step:0/30 val_loss:10.9 train_time:0ms step_avg:nanms',
      'step:10/30 val_loss:nan train_time:100ms step_avg:10.00ms',
      'step:20/30 val_loss:nan train_time:200ms step_avg:10.00ms',
    ]);
    expect(timeToTarget(parsed.points, 3.28)).toEqual({ reached: false, time_ms: null, step: null, val_loss: null });
    const recovered = run(['step:10/30 val_loss:nan train_time:100ms step_avg:10.00ms', 'step:30/30 val_loss:3.27 train_time:300ms step_avg:10.00ms']);
    expect(timeToTarget(recovered.points, 3.28)).toEqual({ reached: true, time_ms: 300, step: 30, val_loss: 3.27 });
  });

  it('a truncated log that stops before the target is not reached', () => {
    const full = fixture('r20.log');
    const cut = full.slice(0, full.indexOf('step:1393/1393 val_loss'));
    expect(timeToTarget(parseLog(full).points, 3.28).time_ms).toBe(179527);
    expect(timeToTarget(parseLog(cut).points, 3.28)).toEqual({ reached: false, time_ms: null, step: null, val_loss: null });
  });

  it('a crash mid-run keeps the points before it, and reaches only if one of them did', () => {
    const crashed = run([
      'step:0/100 val_loss:10.9 train_time:0ms step_avg:nanms',
      'step:50/100 val_loss:3.30 train_time:5000ms step_avg:100.00ms',
      'step:51/100 train_time:5100ms step_avg:100.00ms',
      'Traceback (most recent call last):',
      'torch.OutOfMemoryError: CUDA out of memory.',
    ]);
    expect(crashed.final?.step).toBe(50);
    expect(timeToTarget(crashed.points, 3.28)).toEqual({ reached: false, time_ms: null, step: null, val_loss: null });
    expect(timeToTarget(crashed.points, 3.3)).toEqual({ reached: true, time_ms: 5000, step: 50, val_loss: 3.3 });
  });

  it('llm.c points reach the target without a time', () => {
    const parsed = run(['s:0 tel:10.96', 's:8000 tel:3.27']);
    expect(timeToTarget(parsed.points, 3.28)).toEqual({ reached: true, time_ms: null, step: 8000, val_loss: 3.27 });
  });

  it('no points: not reached; a non-finite target is a programming error', () => {
    expect(timeToTarget([], 3.28)).toEqual({ reached: false, time_ms: null, step: null, val_loss: null });
    expect(() => timeToTarget([], Number.NaN)).toThrow(/finite/);
  });
});
