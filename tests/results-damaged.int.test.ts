import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadResults } from '../src/core/store/load-results.js';
import { syntheticRun, writeRunFolder } from './helpers/report-fixtures.js';
import { speedrun } from './helpers/cli.js';
import { NULL_BENCH_RUNS, nullBench } from './helpers/null-bench.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/** Cuts a file to its first bytes, as a full disk or a copy stopped half-way leaves it. */
async function truncate(path: string, bytes: number): Promise<void> {
  await writeFile(path, (await readFile(path, 'utf8')).slice(0, bytes));
}

describe('a damaged run never takes the rest down', () => {
  let bench: string;
  let env: Record<string, string>;
  const damagedNode = () => join(bench, NULL_BENCH_RUNS.none, 'nodes', '1', 'result.json');

  beforeAll(async () => {
    ({ dir: bench, env } = await nullBench('damaged'));
    await truncate(damagedNode(), 40);
  }, 300_000);

  it('report leaves the run with a truncated node result out, names the file and the reason, and reports the rest', { timeout: 120_000 }, async () => {
    const made = await speedrun(['report', bench, '--json', '--format', 'md'], env);
    expect(made.exitCode, made.stderr).toBe(0);
    const out = JSON.parse(made.stdout) as { totals: { runs: number }; damaged: Array<{ dir: string; file: string; reason: string }> };
    expect(out.totals.runs).toBe(1);
    expect(out.damaged).toEqual([
      { dir: join(bench, NULL_BENCH_RUNS.none), file: join('nodes', '1', 'result.json'), reason: expect.stringMatching(/not valid JSON.*truncated/) },
    ]);
    expect(made.stderr).toContain(`damaged run left out: ${join(bench, NULL_BENCH_RUNS.none)}: nodes/1/result.json: not valid JSON`);
    expect(made.stderr).not.toMatch(/internal error/);
  });

  it('the TUI results listing reads the same: the good run counted, the damaged one listed', async () => {
    const { runs, damaged } = await loadResults(bench);
    expect(runs.map((r) => r.summary.run_id)).toEqual([NULL_BENCH_RUNS.L1]);
    expect(damaged.map((d) => d.file)).toEqual(['nodes/1/result.json']);
  });

  it('bench --resume keeps a finished run as it is and records a run with a damaged run.json as one failed cell', { timeout: 120_000 }, async () => {
    const runJson = join(bench, NULL_BENCH_RUNS.L1, 'run.json');
    const good = await readFile(runJson, 'utf8');
    await writeFile(runJson, '');
    try {
      const resumed = await speedrun(['bench', '--resume', bench, '--json'], env);
      expect(resumed.exitCode, resumed.stderr).toBe(1);
      const events = resumed.stdout
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { type: string; run_id?: string; message?: string; runs?: Array<{ run_id: string; status: string; error: string | null }> },
        );
      expect(events.find((e) => e.type === 'error')).toMatchObject({ run_id: NULL_BENCH_RUNS.L1, message: expect.stringContaining('run.json: empty file') });
      const finished = events.at(-1)!;
      expect(finished.type).toBe('bench-finished');
      expect(finished.runs).toEqual([
        expect.objectContaining({ run_id: NULL_BENCH_RUNS.none, status: 'finished', error: null }),
        expect.objectContaining({ run_id: NULL_BENCH_RUNS.L1, status: 'failed', error: expect.stringContaining('run.json: empty file') }),
      ]);
      // Nothing was written over the damaged file: it is the user's to repair.
      expect(await readFile(runJson, 'utf8')).toBe('');

      // verify lists it too, and verifies the run whose run.json reads back.
      const verified = await speedrun(['verify', bench, '--json'], env);
      expect(verified.exitCode, verified.stderr).toBe(0);
      const out = JSON.parse(verified.stdout) as { runs: Array<{ run_id: string }>; damaged: Array<{ file: string; reason: string }> };
      expect(out.runs.map((r) => r.run_id)).toEqual([NULL_BENCH_RUNS.none]);
      expect(out.damaged).toEqual([{ dir: join(bench, NULL_BENCH_RUNS.L1), file: 'run.json', reason: 'empty file' }]);
      expect(verified.stderr).toContain(`damaged run skipped: ${join(bench, NULL_BENCH_RUNS.L1)}: run.json: empty file`);
    } finally {
      await writeFile(runJson, good);
    }
  });
});

describe('the store names what is damaged', () => {
  it('a node result of another shape and an unreadable verification.json: file and reason, the other runs read', async () => {
    const dir = await tempDir('damaged-shapes');
    const runs = [1, 2, 3].map((record) => syntheticRun({ record, hint: 'none', nodes: [90_000] }));
    const [a, b] = await Promise.all(runs.map((run) => writeRunFolder(dir, run)));
    await writeFile(join(a!, 'nodes', '1', 'result.json'), JSON.stringify({ ...runs[0]!.nodes[1], status: 'great' }));
    await writeFile(join(b!, 'verification.json'), '{"version": 1');
    const { runs: read, damaged } = await loadResults(dir);
    expect(read.map((r) => r.summary.record)).toEqual([3]);
    expect(damaged).toEqual([
      { dir: a, file: 'nodes/1/result.json', reason: expect.stringMatching(/^does not fit its schema at status: /) },
      { dir: b, file: 'verification.json', reason: expect.stringMatching(/^not valid JSON/) },
    ]);
  });
});
