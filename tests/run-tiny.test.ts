import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTasks, loadTrack } from '../src/core/catalog/catalog.js';
import { fsr } from '../src/core/score/fsr.js';
import { RunSummary, NodeResult } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// End to end on the real tiny track: real data preparation, real PyTorch training, the built binary.
describe('speedrun run on the tiny track', () => {
  let env: Record<string, string>;
  let out: string;
  let record: number;

  beforeAll(async () => {
    const manifest = await loadTrack('tiny');
    // The last task has the fastest records, which keeps the suite short.
    record = listTasks(manifest).at(-1)!.record;
    env = { SPEEDRUN_CACHE: await tempDir('cache') };
    out = await tempDir('results');
  });

  it('trains the reference agent and scores it against the record table', { timeout: 300_000 }, async () => {
    const result = await speedrun(['run', '--track', 'tiny', '--record', String(record), '--hint', 'L1', '--agent', 'reference', '--out', out, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary).toMatchObject({ track: 'tiny', record, hint: 'L1', agent: 'reference', status: 'finished', times_from: 'record-table' });

    const node = NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(node.measured_by).toBe('executed');
    expect(node.status).toBe('ok');
    expect(node.time_to_target_ms).toBeGreaterThan(0);
    // The harness's wall clock covers the script's own clock.
    expect(node.wall_ms!).toBeGreaterThan(node.time_to_target_ms!);
    const best = Math.min(node.time_to_target_ms!, summary.baseline_ms);
    expect(summary.fsr).toBeCloseTo(fsr(summary.baseline_ms, summary.target_ms, best), 10);
    // Trained here, scored against another machine's times: the score says so.
    expect(summary.fsr_flags.join('\n')).toMatch(/record table .*speedrun calibrate --track tiny/);

    // The run folder holds everything a reader needs to audit the score.
    for (const file of ['run.json', 'journal.jsonl', 'hint.md', 'nodes/0/train_gpt.py', 'nodes/1/edit.diff', 'nodes/1/stdout.log', 'nodes/1/stderr.log']) {
      expect(existsSync(join(summary.results_dir, file)), file).toBe(true);
    }
    expect(await readFile(join(summary.results_dir, 'hint.md'), 'utf8')).toMatch(/level 1/i);
    const journal = (await readFile(join(summary.results_dir, 'journal.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).type);
    expect(journal[0]).toBe('run-started');
    expect(journal.at(-1)).toBe('run-finished');
    expect(journal).toContain('metric');
    const runJson = JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8'));
    expect(runJson.result).toEqual(summary);
  });

  it('recognises the null agent as the baseline, trains nothing, and scores exactly 0', async () => {
    const result = await speedrun(['run', '--track', 'tiny', '--record', String(record), '--agent', 'null', '--out', out, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary.fsr).toBe(0);
    expect(summary.fsr_flags).toEqual([]);
    expect(summary.best).toMatchObject({ train_time_ms: summary.baseline_ms });
    const node = NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(node).toMatchObject({ measured_by: 'duplicate', duplicate_of: 0 });
    expect(existsSync(join(summary.results_dir, 'nodes', '1', 'stdout.log'))).toBe(false);
  });

  it('flags a score made without the integrity audit', async () => {
    const result = await speedrun(['run', '--track', 'tiny', '--record', String(record), '--agent', 'null', '--no-integrity-check', '--out', out, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary.fsr_flags).toEqual(['the integrity audit was off (--no-integrity-check): node scripts were not checked for tampering']);
    expect(JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8')).config.integrity_check).toBe(false);
  });

  it('rejects a task without a next record with exit code 2', async () => {
    const manifest = await loadTrack('tiny');
    const last = manifest.records.at(-1)!.number;
    const result = await speedrun(['run', '--track', 'tiny', '--record', String(last), '--agent', 'null', '--out', out, '--json'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/record/);
  });
});
