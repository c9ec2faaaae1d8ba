import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeResult, RunSummary } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// The real tiny track through the built binary: --smoke trains the record's own script for a few steps.
describe('speedrun run --smoke', () => {
  it('trains the rewritten script, shows the rewrite, and scores nothing', { timeout: 120_000 }, async () => {
    const env = { SPEEDRUN_CACHE: await tempDir('cache') };
    const out = await tempDir('results');
    const result = await speedrun(['run', '--track', 'tiny', '--record', '2', '--agent', 'null', '--smoke', '12', '--out', out, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^\+\s+num_iterations = 12$/m);

    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary.fsr).toBeNull();
    expect(summary.fsr_flags).toEqual(['smoke run (12 steps per node): not scored']);
    const nodeDir = join(summary.results_dir, 'nodes', '1');
    const node = NodeResult.parse(JSON.parse(await readFile(join(nodeDir, 'result.json'), 'utf8')));
    // The null agent's script equals the baseline's, yet a smoke run trains it rather than reuse the record's time.
    expect(node.measured_by).toBe('executed');
    expect(node.final).toMatchObject({ step: 12, total_steps: 12 });
    expect(existsSync(join(nodeDir, 'train_gpt.smoke.py'))).toBe(true);
    expect(await readFile(join(nodeDir, 'smoke.diff'), 'utf8')).toMatch(/^\+\s+num_iterations = 12$/m);
    // The agent's own script is kept as written.
    expect(await readFile(join(nodeDir, 'train_gpt.py'), 'utf8')).not.toMatch(/num_iterations = 12\b/);
    expect(JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8')).config.smoke).toBe(12);
  });

  it('refuses a step count the record already trains within', async () => {
    const result = await speedrun(['run', '--track', 'tiny', '--record', '2', '--agent', 'null', '--smoke', '100000', '--out', await tempDir('results')], {
      SPEEDRUN_CACHE: await tempDir('cache'),
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/already trains for \d+ steps, no more than --smoke 100000/);
  });
});
