import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeResult, RunSummary } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// One tiny task through each executor, from the command line: the results have one shape and a real metric.
describe('speedrun run on every executor', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = { SPEEDRUN_CACHE: await tempDir('executors-cache') };
  });

  const shapes: Record<string, { summary: string[]; node: string[] }> = {};

  it.each(['local', 'docker', 'slurm'])('trains record 6 with --executor %s and measures it', { timeout: 300_000 }, async (executor) => {
    const out = await tempDir(`executor-${executor}`);
    const result = await speedrun(
      [
        'run',
        '--track',
        'tiny',
        '--record',
        '5',
        '--agent',
        'reference',
        '--retime',
        'baseline',
        '--retime-repeats',
        '1',
        '--executor',
        executor,
        '--out',
        out,
        '--json',
      ],
      env,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary).toMatchObject({ status: 'finished', best: { node: 1 } });
    const node = NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(node).toMatchObject({ status: 'ok', measured_by: 'executed', exit_code: 0 });
    expect(node.time_to_target_ms!).toBeGreaterThan(1_000);
    expect(node.val_loss_at_target!).toBeLessThanOrEqual(1.9);
    expect(node.wall_ms!).toBeGreaterThan(node.time_to_target_ms!);
    const config = JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8')).config;
    expect(config.executor).toBe(executor);
    shapes[executor] = { summary: Object.keys(summary).sort(), node: Object.keys(node).sort() };
    if (shapes.local) expect(shapes[executor]).toEqual(shapes.local);
  });
});
