import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Report, type ReproductionRow } from '../src/core/report/schema.js';
import { speedrun } from './helpers/cli.js';
import { syntheticRun, writeRunFolder } from './helpers/report-fixtures.js';
import { markdownRows } from './helpers/report-tables.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/**
 * Diff overlap through the real CLI: tiny record 1 run by the reference agent (it submits record 2's script) and the
 * null agent (no change) on simulated trainings, and a nanogpt run whose next record is not synced into the (empty)
 * cache, reported in md, html, json and csv.
 */
describe('speedrun report: reproduction (diff overlap)', () => {
  let out: string;
  let stdout: { reproduction: ReproductionRow[] };
  let json: Report;
  let md: string;
  let html: string;
  let csv: string;

  beforeAll(async () => {
    const dir = await tempDir('report-reproduction');
    const runs = join(dir, 'runs');
    const env = { SPEEDRUN_CACHE: join(dir, 'cache') };
    for (const agent of ['reference', 'null']) {
      const run = await speedrun(['run', '--track', 'tiny', '--record', '1', '--agent', agent, '--executor', 'sim', '--out', runs, '--json'], env);
      expect(run.exitCode, run.stderr).toBe(0);
    }
    // A nanogpt run as the store writes one; record 4's script was never synced into this cache.
    const nanogpt = syntheticRun({ record: 3, hint: 'none', model: 'model-x', nodes: [90_000] });
    await writeRunFolder(runs, { ...nanogpt, summary: { ...nanogpt.summary, track: 'nanogpt' } });
    out = join(dir, 'report');
    const report = await speedrun(['report', runs, '--out', out, '--reps', '200', '--json'], env);
    expect(report.exitCode, report.stderr).toBe(0);
    stdout = JSON.parse(report.stdout);
    json = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    [md, html, csv] = (await Promise.all(['report.md', 'report.html', 'runs.csv'].map((f) => readFile(join(out, f), 'utf8')))) as [string, string, string];
  }, 120_000);

  it("scores the reference agent's run 1 and the null agent's 0, per run and per configuration", () => {
    const byAgent = Object.fromEntries(json.runs.map((r) => [r.agent, r]));
    expect(byAgent.reference).toMatchObject({
      best_node: 1,
      diff_overlap: { recall: 1, precision: 1, f1: 1, hunks_reproduced: 1, hunks_total: 1 },
      diff_overlap_note: null,
    });
    // Tiny record 1 → 2 changes one code line (the learning rate); its new docstring is not code.
    expect(byAgent.reference!.diff_overlap).toMatchObject({ true_lines: 2, node_lines: 2, matched_lines: 2 });
    expect(byAgent.null).toMatchObject({
      best_node: 0,
      diff_overlap: { recall: 0, precision: null, f1: 0, hunks_reproduced: 0 },
      diff_overlap_note: 'no change',
    });
    const rows = Object.fromEntries(stdout.reproduction.map((r) => [r.configuration, r]));
    expect(rows.reference).toMatchObject({ runs: 1, diff_overlap_runs: 1, mean_recall: 1, mean_precision: 1, mean_f1: 1, diff_overlap_note: null });
    expect(rows.null).toMatchObject({ runs: 1, diff_overlap_runs: 1, mean_recall: 0, mean_precision: null, mean_f1: 0 });
    expect(json.reproduction.by_configuration).toEqual(stdout.reproduction);
  });

  it('says n/a with the reason, not a failure, where the next record is not in the catalog', () => {
    const nanogpt = json.runs.find((r) => r.track === 'nanogpt')!;
    expect(nanogpt).toMatchObject({ diff_overlap: null, diff_overlap_note: "n/a (record 4's script not in the catalog)" });
    expect(json.reproduction.by_task.find((r) => r.task === 'nanogpt/3')).toMatchObject({ diff_overlap_runs: 0, mean_recall: null });
  });

  it('shows the same numbers in report.md, report.html and runs.csv', () => {
    const rows = markdownRows(md, 'Reproduction');
    expect(md).toContain('| configuration | runs | overlap recall | overlap precision | overlap F1 | hunks reproduced | runs without overlap |');
    expect(rows).toEqual([
      ['model-x', '1', "n/a (record 4's script not in the catalog)", '–', '–', '–', '–'],
      ['null', '1', '0.000', 'no change', '0.000', '0/1', '–'],
      ['reference', '1', '1.000', '1.000', '1.000', '1/1', '–'],
    ]);
    expect(markdownRows(md, 'Reproduction by task').map((r) => r.slice(0, 4))).toContainEqual([
      'model-x',
      'nanogpt/3',
      '1',
      "n/a (record 4's script not in the catalog)",
    ]);
    const htmlTable = html.split('<table id="table-reproduction">')[1]!.split('</table>')[0]!;
    expect(htmlTable).toContain('<th class="label">reference</th><td>1</td><td>1.000</td><td>1.000</td><td>1.000</td><td>1/1</td>');
    expect(htmlTable).toContain('<th class="label">null</th><td>1</td><td>0.000</td><td>no change</td>');
    expect(htmlTable).toContain("<td>n/a (record 4's script not in the catalog)</td>");
    // The scatter of FSR against overlap, drawn because some run has both.
    expect(html).toMatch(/<figure class="chart" id="chart-overlap-vs-fsr"><svg/);
    const [header, ...lines] = csv.trim().split('\n');
    const columns = header!.split(',');
    const reference = lines.find((l) => l.includes('-reference-'))!.split(',');
    expect(reference[columns.indexOf('diff_overlap_recall')]).toBe('1');
    expect(reference[columns.indexOf('diff_overlap_hunks_total')]).toBe('1');
    const nullRun = lines.find((l) => l.includes('-null-'))!.split(',');
    expect(nullRun[columns.indexOf('diff_overlap_precision')]).toBe('');
    expect(nullRun[columns.indexOf('diff_overlap_note')]).toBe('no change');
  });
});
