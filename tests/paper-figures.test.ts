import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.js';
import { parsePaperNotebook } from '../src/core/report/paper-notebook.js';
import { PaperFigures } from '../src/core/report/paper-schema.js';
import { speedrun } from './helpers/cli.js';
import { fixtureConfigs, fixtureNotebook, hintOfKey, naiveAggregates, pooled, scaffoldOfKey } from './helpers/paper-notebook-fixture.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const configs = fixtureConfigs();
const good = fixtureNotebook(configs);

function parseError(json: string): string {
  try {
    parsePaperNotebook(json, 'nb.ipynb');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('parsed a broken notebook');
}

describe("the reader of the paper notebook's saved outputs", () => {
  it('reads every configuration matrix (numpy print, scientific notation included) and the printed rliable figures', () => {
    const nb = parsePaperNotebook(good, 'nb.ipynb');
    expect(nb.configs).toHaveLength(90);
    for (const [i, c] of configs.entries()) {
      expect(nb.configs[i]).toMatchObject({ key: c.key, tasks: c.tasks });
      nb.configs[i]!.matrix.forEach((row, r) => row.forEach((v, j) => expect(v).toBeCloseTo(c.matrix[r]![j]!, 8)));
    }
    expect(nb.configs[0]).toMatchObject({ scaffold: 'flat', hint: 'z', model: 'deepseek-r1' });
    expect(nb.printed.by_hint.map((p) => p.group)).toEqual(['z', '1', '2', '5', '12', '125']);
    expect(nb.printed.by_scaffold.map((p) => p.group)).toEqual(['flat', 'tree', 'forest', 'ori_aide', 'multi_aide']);
    expect(nb.printed.by_hint[0]!.ci?.mean[1]).toBeCloseTo(nb.printed.by_hint[0]!.point.mean + 0.01, 8);
  });

  it('fails loudly, saying what it expected, when the format changed', () => {
    expect(parseError('{"cells": 3')).toMatch(/not a Jupyter notebook/);
    expect(parseError(good.replace("Experiments: ['7', '1', '19']", 'Tasks: 7 1 19'))).toMatch(/has no "Experiments: \[\.\.\.\]" line/);
    expect(parseError(good.replace('Processing config: flat_z_deepseek-r1', 'Processing config: flat_7_deepseek-r1'))).toMatch(
      /"flat_7_deepseek-r1" is not \{scaffold\}_\{hint\}_\{model\}/,
    );
    expect(parseError(good.replace(/\[\[[^\]]*\]/, '[[0.5 0.25]'))).toMatch(/is not 3 numbers/);
    expect(parseError(good.replace("Experiments: ['7', '1', '19']", "Experiments: ['7', '1', '19', '4']"))).toMatch(
      /lists 4 experiments but prints 3 matrix rows/,
    );
    expect(parseError(good.replaceAll('_all_model_all_searches', '_pooled'))).toMatch(/no cell prints the rliable results '…_all_model_all_searches'/);
    expect(parseError(good.replace("'125_all_model_all_searches': array([", "'125_all_model_all_searches': array([9, "))).toMatch(
      /no 4 point estimates for '125_all_model_all_searches'/,
    );
  });
});

describe('speedrun report --paper-figures', () => {
  let dir: string;
  let notebook: string;

  beforeAll(async () => {
    dir = await tempDir('paper-figures');
    notebook = join(dir, 'notebook.ipynb');
    await writeFile(notebook, good);
  });

  it('recomputes every pooled figure and configuration, equal to an independent computation and to the printed figures', async () => {
    const result = await speedrun(['report', '--paper-figures', '--notebook', notebook, '--json', '--reps', '300']);
    expect(result.exitCode, result.stderr).toBe(0);
    const figures = PaperFigures.parse(JSON.parse(result.stdout));
    expect(figures.all_match).toBe(true);
    expect(figures.notebook.configurations).toBe(90);
    const expectRow = (row: { median: number; iqm: number; mean: number; optimality_gap: number; rows: number }, matrix: number[][]) => {
      const [median, iqm, mean, gap] = naiveAggregates(matrix);
      expect([row.median, row.iqm, row.mean, row.optimality_gap].map((x) => x.toFixed(10))).toEqual([median, iqm, mean, gap].map((x) => x.toFixed(10)));
      expect(row.rows).toBe(matrix.length);
    };
    const byHint = pooled(configs, hintOfKey);
    expect(figures.by_hint.map((r) => r.label)).toEqual(['none', 'L1', 'L2', 'L3', 'L1+L2', 'L1+L2+L3']);
    figures.by_hint.forEach((r, i) => expectRow(r, byHint[['z', '1', '2', '5', '12', '125'][i]!]!));
    const byScaffold = pooled(configs, scaffoldOfKey);
    expect(figures.by_scaffold.map((r) => [r.label, r.key])).toEqual([
      ['flat', 'flat_all_model_all_hints'],
      ['tree', 'tree_all_model_all_hints'],
      ['forest', 'forest_all_model_all_hints'],
      ['aide', 'ori_aide_all_model_all_hints'],
      ['multi-aide', 'multi_aide_all_model_all_hints'],
    ]);
    figures.by_scaffold.forEach((r) => expectRow(r, byScaffold[r.key.replace('_all_model_all_hints', '')]!));
    const byModel = pooled(configs, (key) => key.split('_').at(-1)!);
    figures.by_model.forEach((r) => {
      expect(r.notebook).toBeNull();
      expectRow(r, byModel[r.label]!);
    });
    expect(figures.configurations).toHaveLength(90);
    const one = figures.configurations.find((c) => c.key === 'ori_aide_125_o3-mini')!;
    expect(one).toMatchObject({ label: 'L1+L2+L3 · o3-mini · aide', hint: 'L1+L2+L3', model: 'o3-mini', scaffold: 'aide' });
    expectRow(one, configs.find((c) => c.key === 'ori_aide_125_o3-mini')!.matrix);
    for (const r of [...figures.by_hint, ...figures.configurations]) {
      expect(r.ci.mean[0]).toBeLessThanOrEqual(r.ci.mean[1]);
    }

    const text = await speedrun(['report', '--paper-figures', '--notebook', notebook, '--reps', '300']);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('Every point estimate the notebook printed is reproduced to 4 decimals.');
    expect(text.stdout).toMatch(/\| L1\+L2\+L3 \| \d+ \| [\d.]+ \|/);
  });

  it('exits 1 naming the group when a printed figure differs', async () => {
    const tampered = join(dir, 'tampered.ipynb');
    await writeFile(tampered, fixtureNotebook(configs, { group: 'forest', by: 0.001 }));
    const result = await speedrun(['report', '--paper-figures', '--notebook', tampered, '--reps', '100']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('MISMATCH: forest differ');
    expect(result.stdout).toMatch(/\| forest \|.*\| NO \|/);
    expect(result.stderr).toContain('differ from the notebook');
  });

  it('says to sync when the notebook is not synced, and refuses a notebook missing configurations (exit 2)', async () => {
    const empty = await speedrun(['report', '--paper-figures', '--cache', await tempDir('paper-empty-cache')]);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain('analysis/plot_iqm_hint_model_search.ipynb is not synced');
    expect(empty.stderr).toContain('speedrun records sync --track nanogpt');
    const partial = join(dir, 'partial.ipynb');
    await writeFile(partial, fixtureNotebook(configs.filter((c) => c.key !== 'tree_5_gemini-2.5-pro')));
    const result = await speedrun(['report', '--paper-figures', '--notebook', partial]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("lacks 1 of the paper's 90 configurations (tree_5_gemini-2.5-pro)");
    const both = await speedrun(['report', 'results', '--paper-figures']);
    expect(both.exitCode).toBe(2);
  });

  // The notebook itself cannot ship with the tests (licence); point SPEEDRUN_PAPER_NOTEBOOK at a synced copy to run this.
  const real = process.env.SPEEDRUN_PAPER_NOTEBOOK;
  const quoted = fileURLToPath(new URL('../../shared/upstream/paper-figures.json', import.meta.url));
  it.skipIf(!real || !existsSync(quoted))("reproduces the paper's quoted per-hint aggregates from the real notebook, 4 decimals", async () => {
    const result = await speedrun(['report', '--paper-figures', '--notebook', real!, '--json', '--reps', '200']);
    expect(result.exitCode, result.stderr).toBe(0);
    const figures = PaperFigures.parse(JSON.parse(result.stdout));
    const paper = JSON.parse(readFileSync(quoted, 'utf8')) as {
      aggregates_by_hint: Record<string, Record<'median' | 'iqm' | 'mean' | 'optimality_gap', number>>;
    };
    for (const [hint, published] of Object.entries(paper.aggregates_by_hint)) {
      const ours = figures.by_hint.find((r) => r.label === hint)!;
      for (const m of ['median', 'iqm', 'mean', 'optimality_gap'] as const) expect([hint, m, ours[m].toFixed(4)]).toEqual([hint, m, published[m].toFixed(4)]);
    }
    expect(figures.all_match).toBe(true);
  });
});
