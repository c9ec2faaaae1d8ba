import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkClock } from '../src/core/measure/clock-check.js';
import { parseLog } from '../src/core/measure/log-parser.js';

const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures/upstream-logs');
const fixture = (name: string) => readFileSync(resolve(fixturesDir, name), 'utf8');
const run = (lines: string[]) => parseLog(`${lines.join('\n')}\n`);

describe('checkClock', () => {
  it('a real record log within a plausible wall time has no warnings, its warm-up timer reset included', () => {
    for (const name of ['r04.log', 'r12.log', 'r89.log']) {
      expect(checkClock({ parsed: parseLog(fixture(name)), wallMs: 2_000_000, exitCode: 0 })).toEqual([]);
    }
  });

  it('flags a train_time larger than the harness wall time of the process', () => {
    expect(checkClock({ parsed: parseLog(fixture('r20.log')), wallMs: 150_000 })).toEqual([
      "train_time 179527 ms at step 1393 is larger than the harness's wall time of the whole process (150000 ms): the script's clock cannot be true",
    ]);
  });

  it('flags train_time going backwards mid-run, but not the warm-up reset', () => {
    const parsed = run([
      'step:0/40 val_loss:10.9 train_time:0ms step_avg:nanms',
      'step:10/40 train_time:9000ms step_avg:nanms',
      'step:11/40 train_time:100ms step_avg:nanms',
      'step:20/40 val_loss:5.0 train_time:1000ms step_avg:90.00ms',
      'step:21/40 train_time:400ms step_avg:20.00ms',
      'step:40/40 val_loss:3.2 train_time:2000ms step_avg:100.00ms',
    ]);
    expect(checkClock({ parsed, wallMs: 60_000 })).toEqual(['train_time went backwards at line 5 (step 21): 1000 ms -> 400 ms']);
  });

  it('flags a log that stops early, and the exit code of the process', () => {
    const full = fixture('r22.log');
    const parsed = parseLog(full.slice(0, full.indexOf('step:1770/1770 val_loss')));
    expect(checkClock({ parsed, wallMs: 400_000, exitCode: 137 })).toEqual([
      'the process exited with code 137',
      'the log stops early: the last validation line is at step 1750 of 1770',
      'training went on to step 1770 of 1770 after the last validation line (step 1750)',
    ]);
  });

  it('flags NaN validation losses', () => {
    const parsed = run([
      'step:0/20 val_loss:10.9 train_time:0ms step_avg:nanms',
      'step:10/20 val_loss:nan train_time:100ms step_avg:10.00ms',
      'step:20/20 val_loss:nan train_time:200ms step_avg:10.00ms',
    ]);
    expect(checkClock({ parsed, wallMs: null })).toEqual(['val_loss is not finite on 2 of 3 validation lines (first NaN at step 10)']);
  });

  it('flags a missing final validation line', () => {
    expect(checkClock({ parsed: run(['Running PyTorch 2.6', 'step:1/100 train_time:10ms step_avg:nanms']), wallMs: 5000 })).toEqual([
      'no validation line in the output: the final val_loss line is missing (last train line at step 1 of 100)',
    ]);
    expect(checkClock({ parsed: run(['Traceback (most recent call last):']), wallMs: null, exitCode: 1 })).toEqual([
      'the process exited with code 1',
      'no validation line in the output: the final val_loss line is missing',
    ]);
  });

  it('flags a final line without train_time (llm.c), which cannot be timed', () => {
    expect(checkClock({ parsed: run(['s:0 tel:10.9', 's:100 tel:3.2']), wallMs: 1000 })).toEqual([
      'the final validation line (step 100) has no train_time: time to target cannot be measured',
    ]);
  });
});
