import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Report } from '../src/core/report/schema.js';
import { compareHints } from '../src/core/score/per-hint.js';
import { loadResults } from '../src/core/store/load-results.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

describe('speedrun report on a real tiny bench', () => {
  it('reports what the bench trained, with the results screen’s per-hint numbers', { timeout: 600_000 }, async () => {
    const env = { SPEEDRUN_CACHE: await tempDir('report-tiny-cache') };
    const bench = join(await tempDir('report-tiny'), 'bench');
    // 4 runs: each trains record 5 as node 0 (re-timing), the reference agent record 6's script as node 1 and then
    // both once more in its scoring round; the null agent's node is record 5 again, not trained twice.
    const ran = await speedrun(
      [
        'bench',
        '--track',
        'tiny',
        '--records',
        '5',
        '--hints',
        'none,L1',
        '--agents',
        'null,reference',
        '--scaffolds',
        'flat',
        '--nodes',
        '1',
        '--retime',
        'baseline',
        '--retime-repeats',
        '1',
        '--out',
        bench,
        '--json',
      ],
      env,
    );
    expect(ran.exitCode, ran.stderr).toBe(0);

    const made = await speedrun(['report', bench, '--json'], env);
    expect(made.exitCode, made.stderr).toBe(0);
    const report = Report.parse(JSON.parse(await readFile(join(bench, 'report', 'report.json'), 'utf8')));
    expect(report.totals).toMatchObject({ runs: 4, scored: 4, tasks: 1 });

    const screen = compareHints((await loadResults(bench)).runs);
    expect(
      report.by_hint.map((r) => ({
        hint: r.label,
        tasks: r.tasks,
        runs: r.runs,
        scored: r.scored,
        mean_fsr: r.mean_fsr,
        success_rate: r.success_rate,
        buggy_share: r.buggy_share,
        median_best_ms: r.median_best_ms,
        verified_runs: r.verified_runs,
        mean_fsr_verified: r.mean_fsr_verified,
      })),
    ).toEqual(screen);

    const byAgent = Object.fromEntries(report.runs.map((r) => [`${r.hint}/${r.agent}`, r]));
    // The null agent changes nothing: FSR 0, the baseline is best, nothing to verify.
    expect(byAgent['none/null']).toMatchObject({ fsr: 0, best_node: 0, integrity: 'verified' });
    // The reference agent's node trained here and beat the baseline; no verification exists yet.
    expect(byAgent['none/reference']?.fsr).toBeGreaterThan(0);
    expect(byAgent['none/reference']?.compute_hours).toBeGreaterThan(0);
    // Each run says how it read its times and where its score took them.
    expect(byAgent['none/reference']).toMatchObject({
      timing_rule: 'first-crossing',
      target_val_loss: 1.9,
      retime: 'baseline',
      times_from: 'run+record-table',
    });
    expect(await readFile(join(bench, 'report', 'report.md'), 'utf8')).toMatch(/tiny: first-crossing at 1\.9, t_i and t_i\+1 from run\+record-table/);
    expect(['unverified', 'flagged']).toContain(byAgent['none/reference']?.integrity);
    expect(report.ranking.at(-1)?.mean_fsr).toBe(0);
    const csv = await readFile(join(bench, 'report', 'runs.csv'), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(5);
  });
});
