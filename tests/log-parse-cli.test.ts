import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const bin = join(root, 'bin/speedrun.js');
const fixturesDir = resolve(here, '../../shared/fixtures/upstream-logs');
const tmp = mkdtempSync(join(tmpdir(), 'speedrun-log-parse-'));

const speedrun = (...args: string[]) => execa('node', [bin, ...args], { cwd: root, reject: false });

function onlyJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

// `npm test` builds dist/ before vitest runs; the binary is tested as a user runs it.
beforeAll(() => {
  expect(existsSync(join(root, 'dist/cli/commands/log.js')), 'run `npm run build` first').toBe(true);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('speedrun log parse', () => {
  it('--json prints exactly one object with the final line, time to target and the points', async () => {
    const { exitCode, stdout } = await speedrun('log', 'parse', join(fixturesDir, 'r20.log'), '--target', '3.28', '--json');
    expect(exitCode).toBe(0);
    const out = onlyJson(stdout);
    expect(Object.keys(out).sort()).toEqual([
      'final',
      'final_line',
      'first_crossing',
      'points',
      'reached_target',
      'target_val_loss',
      'time_to_target_ms',
      'timing_rule',
      'warnings',
    ]);
    expect(out.final).toEqual({ step: 1393, total_steps: 1393, val_loss: 3.2785, train_time_ms: 179527 });
    expect(out.reached_target).toBe(true);
    expect(out.time_to_target_ms).toBe(179527);
    expect(out.points).toHaveLength(13);
    expect((out.points as unknown[])[0]).toEqual({ step: 0, total_steps: 1393, val_loss: 10.8258, train_time_ms: 0 });
    expect(out.warnings).toEqual([]);
  });

  it("times r18 by the nanogpt track's rule, its final line, and reports its earlier first crossing beside it", async () => {
    const out = onlyJson((await speedrun('log', 'parse', join(fixturesDir, 'r18.log'), '--json')).stdout);
    expect(out).toMatchObject({ timing_rule: 'final', target_val_loss: 3.28, reached_target: true, time_to_target_ms: 204345 });
    expect(out.final_line).toEqual({ step: 1390, train_time_ms: 204345, val_loss: 3.2785 });
    expect(out.first_crossing).toEqual({ step: 1375, train_time_ms: 201992, val_loss: 3.2793 });
    const byTrack = onlyJson((await speedrun('log', 'parse', join(fixturesDir, 'r18.log'), '--track', 'nanogpt', '--json')).stdout);
    expect(byTrack.time_to_target_ms).toBe(204345);
    const first = onlyJson((await speedrun('log', 'parse', join(fixturesDir, 'r18.log'), '--rule', 'first-crossing', '--json')).stdout);
    expect(first).toMatchObject({ timing_rule: 'first-crossing', time_to_target_ms: 201992 });
  });

  it('reports a run whose final line misses the target as not reached, with no time', async () => {
    const never = onlyJson((await speedrun('log', 'parse', join(fixturesDir, 'r60.log'), '--target', '3.28', '--json')).stdout);
    expect(never).toMatchObject({ reached_target: false, time_to_target_ms: null, first_crossing: null });
    expect(never.final).toEqual({ step: 1775, total_steps: 1775, val_loss: 3.2807, train_time_ms: 105875 });
  });

  it('without --target or --track, times the log as the nanogpt track does (3.28, final line)', async () => {
    const out = onlyJson((await speedrun('log', 'parse', join(fixturesDir, 'r89.log'), '--json')).stdout);
    expect(out).toMatchObject({ target_val_loss: 3.28, timing_rule: 'final', reached_target: true, time_to_target_ms: 79532 });
    expect(out.final).toEqual({ step: 1390, total_steps: 1390, val_loss: 3.2775, train_time_ms: 79532 });
  });

  it("--track tiny takes the tiny track's target and rule; a bad --rule exits 2", async () => {
    const out = onlyJson((await speedrun('log', 'parse', join(fixturesDir, 'r89.log'), '--track', 'tiny', '--json')).stdout);
    expect(out).toMatchObject({ target_val_loss: 1.9, timing_rule: 'first-crossing', reached_target: false });
    const bad = await speedrun('log', 'parse', join(fixturesDir, 'r89.log'), '--rule', 'last');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--rule must be final or first-crossing');
  });

  it('skips the script source before the separator and reports parser and clock warnings', async () => {
    const file = join(tmp, 'with-source.log');
    writeFileSync(
      file,
      [
        'import torch',
        'step:0/9 val_loss:1.0 train_time:1ms step_avg:nanms',
        '='.repeat(100),
        'step:0/100 val_loss:10.9 train_time:0ms step_avg:nanms',
        'step:50/100 val_loss:nan train_time:5000ms step_avg:100.00ms',
        'step:51/100 train_time:5100ms step_avg:100.00ms',
        'Traceback (most recent call last):',
        '',
      ].join('\n'),
    );
    const out = onlyJson((await speedrun('log', 'parse', file, '--target', '3.28', '--json')).stdout);
    // NaN is not representable in JSON; it prints as null.
    expect(out.final).toEqual({ step: 50, total_steps: 100, val_loss: null, train_time_ms: 5000 });
    expect(out.points).toHaveLength(2);
    expect(out.reached_target).toBe(false);
    expect(out.warnings).toEqual([
      'line 5: val_loss is NaN at step 50',
      'the log stops early: the last validation line is at step 50 of 100',
      'training went on to step 51 of 100 after the last validation line (step 50)',
      'val_loss is not finite on 1 of 2 validation lines (first NaN at step 50)',
    ]);
  });

  it('prints a short human summary without --json', async () => {
    const { exitCode, stdout } = await speedrun('log', 'parse', join(fixturesDir, 'r04.log'), '--target', '3.28');
    expect(exitCode).toBe(0);
    expect(stdout).toContain('final: step 6200/6200 val_loss 3.2785 train_time 1339067 ms');
    expect(stdout).toContain('target 3.28 (final line): reached at step 6200, train_time 1339067 ms');
    expect(stdout).toContain('first crossing: step 6200, train_time 1339067 ms');
    expect(stdout).toContain('validation points: 51, train lines: 6200');
    expect(stdout).toContain('warnings: none');
  });

  it('a missing file exits 2 with the reason and a fix', async () => {
    const { exitCode, stdout, stderr } = await speedrun('log', 'parse', join(tmp, 'no-such.log'), '--json');
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('log file not found');
    expect(stderr).toContain('fix:');
  });

  it('a target that is not a number exits 2', async () => {
    const { exitCode, stderr } = await speedrun('log', 'parse', join(fixturesDir, 'r04.log'), '--target', 'low');
    expect(exitCode).toBe(2);
    expect(stderr).toContain('--target must be a positive validation loss');
  });
});
