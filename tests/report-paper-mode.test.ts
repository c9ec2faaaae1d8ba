import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../src/core/report/build.js';
import { paperModelOf } from '../src/core/report/paper-names.js';
import type { PaperNotebook } from '../src/core/report/paper-notebook.js';
import type { ReportRun } from '../src/core/report/runs.js';
import { Report } from '../src/core/report/schema.js';
import { nodeResult } from '../src/core/store/node-result.js';
import type { NodeResult } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { fixtureConfigs, fixtureNotebook, naiveAggregates } from './helpers/paper-notebook-fixture.js';
import { reportRun, writeRunFolder } from './helpers/report-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

type NodeSpec = number | { missed: number; time: number } | 'crashed';

/** A nanogpt run (baseline 100 s, target 60 s unless given): a number is a node that reached the target at that time. */
function nanogptRun(
  record: number,
  nodes: NodeSpec[],
  o: { hint?: string; model?: string; scaffold?: string; seed?: number; status?: 'aborted'; targetMs?: number } = {},
): ReportRun {
  const base = reportRun({
    hint: o.hint ?? 'L1',
    model: o.model ?? 'o3-mini-2025-01-31',
    scaffold: o.scaffold ?? 'aide',
    record,
    seed: o.seed ?? 1,
    nodes: [],
    status: o.status,
    targetMs: o.targetMs,
  });
  const agent: NodeResult[] = nodes.map((n, i) => {
    const common = { node: i + 1, parent: 0, operator: 'draft' as const, measured_by: 'executed' as const };
    if (n === 'crashed') return nodeResult({ ...common, status: 'crashed' });
    if (typeof n === 'number')
      return nodeResult({ ...common, status: 'ok', time_to_target_ms: n, final: { step: 9, total_steps: 9, val_loss: 3.279, train_time_ms: n } });
    return nodeResult({ ...common, status: 'missed-target', final: { step: 9, total_steps: 9, val_loss: n.missed, train_time_ms: n.time } });
  });
  return {
    ...base,
    nodes: [...base.nodes, ...agent],
    summary: { ...base.summary, track: 'nanogpt', run_id: `${base.summary.run_id}-${record}-${o.seed ?? 1}` },
  };
}

// FSR = (100 − t) / 40: 80 s → 0.5, 90 s → 0.25, 70 s → 0.75.
const RUNS: ReportRun[] = [
  nanogptRun(1, [80_000, 'crashed'], { seed: 1 }),
  nanogptRun(1, [90_000], { seed: 2 }),
  nanogptRun(1, [70_000, 95_000], { seed: 3 }),
  nanogptRun(1, ['crashed'], { seed: 4 }),
  nanogptRun(1, [50_000], { seed: 5, status: 'aborted' }), // not over: left out
  nanogptRun(
    2,
    [
      { missed: 3.285, time: 80_000 },
      { missed: 3.295, time: 60_000 },
    ],
    { seed: 1 },
  ), // 3.285 < 3.29 counts: 0.5
  nanogptRun(2, [90_000], { seed: 2, targetMs: 99_000 }), // FSR 10: outside [0, 3], counts 0
  nanogptRun(6, [70_000], { seed: 1 }), // the paper dropped task 6
  nanogptRun(20, [70_000], { seed: 1 }), // its notebooks skip task 20
  nanogptRun(1, [80_000], { model: 'gpt-4o' }),
  reportRun({ hint: 'L1', model: 'o3-mini', scaffold: 'aide', record: 1, nodes: [80_000] }), // tiny: no published figure
];

const NOTEBOOK: PaperNotebook = {
  configs: [
    {
      key: 'ori_aide_1_o3-mini',
      scaffold: 'ori_aide',
      hint: '1',
      model: 'o3-mini',
      tasks: [7, 1, 2],
      matrix: [
        [1, 1, 1],
        [0.3, 0.3, 0],
        [0.6, 0, 0],
      ],
    },
  ],
  printed: { by_hint: [], by_scaffold: [] },
};

describe('paper mode on a user’s runs', () => {
  const report = buildReport(RUNS, {
    sources: ['r'],
    now: new Date(0),
    reps: 200,
    paper: {
      targets: new Map([
        ['nanogpt', 3.28],
        ['tiny', 1.9],
      ]),
      notebook: NOTEBOOK,
    },
  });
  const paper = report.paper!;

  it("takes the paper's tasks and runs whose search is over, validity below target + 0.01, best 3 padded, then rliable's four", () => {
    expect(() => Report.parse(report)).not.toThrow();
    expect(paper.validity).toEqual([
      { track: 'nanogpt', below: 3.29 },
      { track: 'tiny', below: expect.closeTo(1.91, 12) },
    ]);
    expect(paper.left_out).toEqual({ not_over: 1, other_tasks: 2 });
    const row = paper.rows.find((r) => r.model === 'o3-mini-2025-01-31')!;
    expect(row).toMatchObject({ hint: 'L1', scaffold: 'aide', tasks: 2, runs: 6 });
    // Task 1: 0.5, 0.25, 0.75, 0 → [0.75, 0.5, 0.25]; task 2: 0.5, 0 → [0.5, 0, 0].
    const [median, iqm, mean, gap] = naiveAggregates([
      [0.75, 0.5, 0.25],
      [0.5, 0, 0],
    ]);
    expect(row.estimate).toMatchObject({
      rows: 2,
      median: expect.closeTo(median, 12),
      iqm: expect.closeTo(iqm, 12),
      mean: expect.closeTo(mean, 12),
      optimality_gap: expect.closeTo(gap, 12),
    });
    expect(row.estimate.iqm).toBeCloseTo(0.3125, 12);
    expect(row.estimate.ci.mean[0]).toBeLessThanOrEqual(row.estimate.mean);
  });

  it("sets the paper's figure for the same model × scaffold × hint beside it, on the same tasks and on all of its own", () => {
    const row = paper.rows.find((r) => r.model === 'o3-mini-2025-01-31')!;
    expect(row.published_note).toBeNull();
    expect(row.published).toMatchObject({ key: 'ori_aide_1_o3-mini', tasks: 2, mean: expect.closeTo(0.2, 12) });
    expect(row.published_all).toMatchObject({ tasks: 3, mean: expect.closeTo(4.2 / 9, 12) });
    expect(paper.rows.find((r) => r.model === 'gpt-4o')!.published_note).toMatch(/the paper ran models deepseek-r1, o3-mini, gemini-2.5-pro, not gpt-4o/);
    const tiny = paper.rows.find((r) => r.model === 'o3-mini')!;
    expect(tiny.published).toBeNull();
    expect(tiny.published_note).toMatch(/the paper has none for track tiny/);
  });

  it('matches models by name across providers and dated versions, never a different model', () => {
    expect(['openai/o3-mini', 'o3-mini-2025-01-31', 'DeepSeek-R1', 'deepseek-ai/DeepSeek-R1', 'gemini-2.5-pro-preview-05-06'].map(paperModelOf)).toEqual([
      'o3-mini',
      'o3-mini',
      'deepseek-r1',
      'deepseek-r1',
      'gemini-2.5-pro',
    ]);
    expect(['deepseek-r1-distill-qwen-32b', 'o3', 'gpt-4o', 'o3-mini-high'].map(paperModelOf)).toEqual([null, null, null, null]);
  });

  it('is absent without --paper', () => {
    expect(buildReport(RUNS, { sources: ['r'], now: new Date(0), reps: 20 }).paper).toBeNull();
  });
});

describe('speedrun report --paper', () => {
  it('writes the paper section into every format and prints it, with the paper’s figure beside ours', async () => {
    const dir = await tempDir('report-paper');
    for (const run of RUNS.filter((r) => r.summary.track === 'nanogpt' && r.summary.model !== 'gpt-4o')) await writeRunFolder(dir, run);
    const notebook = join(await tempDir('report-paper-nb'), 'nb.ipynb');
    const configs = fixtureConfigs();
    await writeFile(notebook, fixtureNotebook(configs));
    const out = join(dir, 'out');
    const result = await speedrun(['report', dir, '--out', out, '--paper', '--notebook', notebook, '--reps', '200']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("## Paper mode: the paper's aggregation beside its figures");
    const json = Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
    const row = json.paper!.rows[0]!;
    // The fixture's ori_aide_1_o3-mini covers tasks 7, 1 (and 19): only task 1 is shared.
    const fixture = configs.find((c) => c.key === 'ori_aide_1_o3-mini')!;
    expect(row.published).toMatchObject({
      key: 'ori_aide_1_o3-mini',
      tasks: 1,
      mean: expect.closeTo(naiveAggregates([fixture.matrix[fixture.tasks.indexOf(1)]!])[2], 8),
    });
    const line = result.stdout.split('\n').find((l) => l.startsWith(`| ${row.configuration} |`))!;
    expect(
      line
        .split(' | ')
        .slice(-5)
        .map((c) => c.replace(' |', '')),
    ).toEqual([
      String(row.published!.tasks),
      ...[row.published!.median, row.published!.iqm, row.published!.mean, row.published!.optimality_gap].map((x) => x.toFixed(4)),
    ]);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(md).toContain(line);
    expect(html).toContain('<table id="table-paper">');
    expect(html).toContain('<figure class="chart" id="chart-node-types-by-step"><svg');

    const asJson = await speedrun(['report', dir, '--out', out, '--paper', '--notebook', notebook, '--reps', '50', '--json', '--format', 'json']);
    expect(asJson.exitCode, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout).paper.rows).toHaveLength(1);

    const unsynced = await speedrun(['report', dir, '--out', out, '--paper', '--cache', await tempDir('report-paper-cache')]);
    expect(unsynced.exitCode).toBe(2);
    expect(unsynced.stderr).toContain('speedrun records sync --track nanogpt');
  });
});
