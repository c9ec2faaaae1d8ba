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

  it("trains the reference agent and scores it with the track's default: times measured in the run's scoring round", { timeout: 300_000 }, async () => {
    // One repeat of the round keeps the suite short; the track's own default is 3.
    const result = await speedrun(
      ['run', '--track', 'tiny', '--record', String(record), '--hint', 'L1', '--agent', 'reference', '--retime-repeats', '1', '--out', out, '--json'],
      env,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary).toMatchObject({
      track: 'tiny',
      record,
      hint: 'L1',
      agent: 'reference',
      status: 'finished',
      times_from: 'run',
      timing_rule: 'first-crossing',
      target_val_loss: 1.9,
    });

    const node0 = NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '0', 'result.json'), 'utf8')));
    const node = NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(node0).toMatchObject({ measured_by: 'executed', status: 'ok' });
    expect(node.measured_by).toBe('executed');
    expect(node.status).toBe('ok');
    expect(node.val_loss_at_target!).toBeLessThanOrEqual(1.9);
    // The harness's wall clock covers the script's own clock.
    expect(node.wall_ms!).toBeGreaterThan(node.time_to_target_ms!);
    // Record 6 beats record 5 when both train in the same minutes of the same machine, whatever else it does.
    expect(summary.best?.node).toBe(1);
    expect(node.time_to_target_ms!).toBeLessThan(node0.time_to_target_ms!);
    // The score is the round's own arithmetic, and run.json names every measurement behind it.
    expect(summary.fsr).toBeCloseTo(fsr(summary.baseline_ms, summary.target_ms, summary.best!.train_time_ms), 10);
    expect(summary.scoring).toMatchObject({ retime: 'both', repeats: 1 });
    for (const source of [summary.scoring!.baseline, summary.scoring!.next, summary.scoring!.best!]) {
      expect(source).toMatchObject({ from: 'run', runs: [{ status: 'ok', repeat: 1 }] });
      expect(existsSync(join(summary.results_dir, source.runs[0]!.dir, 'stdout.log'))).toBe(true);
    }

    // The run folder holds everything a reader needs to audit the score.
    for (const file of ['run.json', 'journal.jsonl', 'hint.md', 'nodes/0/train_gpt.py', 'nodes/1/edit.diff', 'nodes/1/stdout.log', 'nodes/1/stderr.log']) {
      expect(existsSync(join(summary.results_dir, file)), file).toBe(true);
    }
    expect(await readFile(join(summary.results_dir, 'hint.md'), 'utf8')).toMatch(/level 1/i);
    const journal = (await readFile(join(summary.results_dir, 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).type);
    expect(journal[0]).toBe('run-started');
    expect(journal.at(-1)).toBe('run-finished');
    expect(journal).toContain('metric');
    const runJson = JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8'));
    expect(runJson.result).toEqual(summary);
  });

  it('with --retime none, scores against the record table and says so', { timeout: 300_000 }, async () => {
    const result = await speedrun(
      ['run', '--track', 'tiny', '--record', String(record), '--agent', 'reference', '--retime', 'none', '--out', out, '--json'],
      env,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary).toMatchObject({ times_from: 'record-table', scoring: { retime: 'none', repeats: 0 } });
    const node0 = NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '0', 'result.json'), 'utf8')));
    expect(node0).toMatchObject({ measured_by: 'record-table', time_to_target_ms: summary.baseline_ms });
    // Trained here, scored against another machine's times: the score says so.
    expect(summary.fsr_flags.join('\n')).toMatch(/record table .*speedrun calibrate --track tiny/);
  });

  it('recognises the null agent as the baseline, trains its script once as node 0, and scores exactly 0 without a round', { timeout: 300_000 }, async () => {
    const result = await speedrun(['run', '--track', 'tiny', '--record', String(record), '--agent', 'null', '--out', out, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = RunSummary.parse(JSON.parse(result.stdout));
    expect(summary.fsr).toBe(0);
    expect(summary.fsr_flags).toEqual([]);
    expect(summary.best).toMatchObject({ node: 0, train_time_ms: summary.baseline_ms });
    expect(summary.scoring).toMatchObject({ retime: 'both', repeats: 0 });
    const node = NodeResult.parse(JSON.parse(await readFile(join(summary.results_dir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(node).toMatchObject({ measured_by: 'duplicate', duplicate_of: 0 });
    expect(existsSync(join(summary.results_dir, 'nodes', '1', 'stdout.log'))).toBe(false);
    expect(existsSync(join(summary.results_dir, 'scoring'))).toBe(false);
  });

  it('flags a score made without the integrity audit', async () => {
    const result = await speedrun(
      ['run', '--track', 'tiny', '--record', String(record), '--agent', 'null', '--no-integrity-check', '--retime', 'none', '--out', out, '--json'],
      env,
    );
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
