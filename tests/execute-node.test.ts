import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/core/exec/local.js';
import { executeNode } from '../src/core/train/execute-node.js';
import type { SpeedrunEvent } from '../src/core/events.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// Fake training scripts print upstream-format lines; any python3 runs them (no torch needed).
async function runFake(lines: string[], tail = '', timeoutMs = 30_000, rule: 'final' | 'first-crossing' = 'first-crossing') {
  const dir = await tempDir('node');
  const script = join(dir, 'train_gpt.py');
  await writeFile(script, `import sys, time\n${lines.map((l) => `print(${JSON.stringify(l)}, flush=True)`).join('\n')}\n${tail}\n`);
  const events: SpeedrunEvent[] = [];
  const result = await executeNode({
    runId: 'test',
    node: 1,
    parent: 0,
    operator: 'draft',
    scriptPath: script,
    scriptSha256: 'x',
    workDir: dir,
    executor: new LocalExecutor(),
    launch: { runner: 'python', nproc: 1, timeoutMs, python: 'python3', env: {}, readOnlyDirs: [] },
    timing: { target: 3.0, rule },
    emit: (e) => events.push(e),
  });
  return { result, events };
}

const run = [
  'step:0/300 val_loss:6.0000 train_time:0ms step_avg:nanms',
  'step:100/300 val_loss:3.5000 train_time:1000ms step_avg:10.00ms',
  'step:200/300 val_loss:2.9800 train_time:2000ms step_avg:10.00ms',
  'step:300/300 val_loss:2.9000 train_time:3000ms step_avg:10.00ms',
];

describe('executing a node', () => {
  it('takes the time of the first validation line at or below the target', async () => {
    const { result, events } = await runFake(run);
    expect(result.status).toBe('ok');
    expect(result.time_to_target_ms).toBe(2000);
    expect(result.final).toEqual({ step: 300, total_steps: 300, val_loss: 2.9, train_time_ms: 3000 });
    expect(events.filter((e) => e.type === 'metric')).toHaveLength(4);
    // Lines seen live: the wall time to step 100 and per step after it are kept (never compared with anything).
    expect(result.pace).toEqual({ first_step_ms: expect.any(Number), per_step_ms: expect.any(Number) });
  });

  it("by the track's final rule, takes the last validation line's time, and keeps when the training ran", async () => {
    const { result } = await runFake(run, '', 30_000, 'final');
    expect(result).toMatchObject({ status: 'ok', time_to_target_ms: 3000, val_loss_at_target: 2.9 });
    expect(Date.parse(result.ended_at!)).toBeGreaterThanOrEqual(Date.parse(result.started_at!));
    const endsAbove = await runFake([...run.slice(0, 3), 'step:300/300 val_loss:3.0100 train_time:3000ms step_avg:10.00ms'], '', 30_000, 'final');
    expect(endsAbove.result).toMatchObject({ status: 'missed-target', time_to_target_ms: null });
  });

  it('marks a run that never reaches the target as missed-target with no time', async () => {
    const { result } = await runFake(run.slice(0, 2).concat(['step:300/300 val_loss:3.1000 train_time:3000ms step_avg:10.00ms']));
    expect(result.status).toBe('missed-target');
    expect(result.time_to_target_ms).toBeNull();
  });

  it('gives no time to a script that crashes after reaching the target', async () => {
    const { result } = await runFake(run.slice(0, 3), 'raise SystemExit("boom")');
    expect(result.status).toBe('crashed');
    expect(result.time_to_target_ms).toBeNull();
    expect(result.stderr_tail).toContain('boom');
  });

  it('reports no-metric when the script prints no validation line', async () => {
    const { result } = await runFake(['hello', 'step:1/10 train_loss:5.0 train_time:10ms step_avg:nanms']);
    expect(result.status).toBe('no-metric');
  });

  it('reports a NaN loss as never reaching the target', async () => {
    const { result } = await runFake(['step:0/10 val_loss:nan train_time:0ms step_avg:nanms', 'step:10/10 val_loss:nan train_time:100ms step_avg:10.00ms']);
    expect(result.status).not.toBe('ok');
    expect(result.time_to_target_ms).toBeNull();
  });

  it('times out a hanging script and keeps what it printed', async () => {
    const { result } = await runFake(run.slice(0, 2), 'time.sleep(600)', 1_500);
    expect(result.status).toBe('timeout');
    expect(result.final?.step).toBe(100);
  });

  it('flags a train_time longer than the process could have run', async () => {
    const { result } = await runFake([
      'step:0/10 val_loss:6.0 train_time:0ms step_avg:nanms',
      'step:10/10 val_loss:2.5 train_time:999999ms step_avg:99999.90ms',
    ]);
    expect(result.warnings.join('\n')).toMatch(/wall/i);
  });
});
