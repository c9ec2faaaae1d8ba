import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { PaperAggregates, PaperIntervals } from '../score/paper-stats.js';
import { PAPER_HINTS, PAPER_SCAFFOLDS, parsePaperConfigKey, type PaperConfigName } from './paper-names.js';

/**
 * Reads the saved outputs of the paper's aggregation notebook (analysis/plot_iqm_hint_model_search.ipynb at the
 * pinned commit), never its code: the stdout of the cell that prints, per configuration, "Processing config: KEY",
 * "Experiments: [tasks]" and "All experiment values (top 3 for each experiment):" with the numpy (tasks × 3) matrix;
 * and the printed rliable results (point estimates and CIs) pooled by hint and by scaffold. Anything else in the
 * shape of those outputs is a changed notebook, and fails naming what was expected.
 */

export interface NotebookConfig extends PaperConfigName {
  key: string;
  /** Record numbers of the matrix rows, in the notebook's order. */
  tasks: number[];
  /** One row per task: its best 3 run FSRs, padded (cell 19's get_top_3_values). */
  matrix: Array<[number, number, number]>;
}

/** One pooled group's rliable output as the notebook printed it. */
export interface PrintedFigure {
  /** The notebook's key without its suffix: a hint regime (`z`, `125`) or a scaffold (`ori_aide`). */
  group: string;
  point: PaperAggregates;
  ci: PaperIntervals | null;
}

export interface PaperNotebook {
  configs: NotebookConfig[];
  printed: { by_hint: PrintedFigure[]; by_scaffold: PrintedFigure[] };
}

type NotebookCell = { outputs?: Array<{ output_type?: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> }> };

const text = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join('') : (t ?? ''));
const MATRIX_HEADER = 'All experiment values (top 3 for each experiment):';

export async function readPaperNotebook(path: string): Promise<PaperNotebook> {
  return parsePaperNotebook(await readFile(path, 'utf8'), path);
}

export function parsePaperNotebook(json: string, where: string): PaperNotebook {
  const fail = (detail: string) =>
    new UserError(
      `${where} is not the paper's aggregation notebook as speedrun reads it: ${detail}`,
      'use the notebook as `speedrun records sync --track nanogpt` fetches it (analysis/plot_iqm_hint_model_search.ipynb at the pinned commit)',
    );
  let cells: NotebookCell[];
  try {
    const parsed = JSON.parse(json) as { cells?: unknown };
    if (!Array.isArray(parsed.cells)) throw new Error('no "cells" array');
    cells = parsed.cells as NotebookCell[];
  } catch (error) {
    throw fail(`not a Jupyter notebook (${(error as Error).message})`);
  }
  const streams = cells.map((c) =>
    (c.outputs ?? [])
      .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
      .map((o) => text(o.text))
      .join(''),
  );
  const results = cells.map((c) =>
    (c.outputs ?? [])
      .filter((o) => o.output_type === 'execute_result')
      .map((o) => text(o.data?.['text/plain']))
      .join('\n'),
  );
  const matrixCells = streams.filter((s) => s.includes('Processing config: '));
  if (matrixCells.length !== 1) throw fail(`expected one cell printing "Processing config: …", found ${matrixCells.length}`);
  const configs = parseConfigs(matrixCells[0]!, fail);
  return {
    configs,
    printed: {
      by_hint: parsePrinted(
        results,
        'all_model_all_searches',
        PAPER_HINTS.map(([h]) => h),
        fail,
      ),
      by_scaffold: parsePrinted(
        results,
        'all_model_all_hints',
        PAPER_SCAFFOLDS.map(([s]) => s),
        fail,
      ),
    },
  };
}

function parseConfigs(stdout: string, fail: (detail: string) => Error): NotebookConfig[] {
  const configs: NotebookConfig[] = [];
  const seen = new Set<string>();
  for (const block of stdout.split(/^Processing config: /m).slice(1)) {
    const key = block.slice(0, block.indexOf('\n')).trim();
    const name = parsePaperConfigKey(key);
    if (!name) throw fail(`configuration ${JSON.stringify(key)} is not {scaffold}_{hint}_{model} of the paper's grid`);
    if (seen.has(key)) throw fail(`configuration ${key} is printed twice`);
    seen.add(key);
    const listed = /^Experiments: \[(.*)\]$/m.exec(block);
    if (!listed) throw fail(`configuration ${key} has no "Experiments: [...]" line`);
    const tasks =
      listed[1]!.trim() === ''
        ? []
        : listed[1]!.split(',').map((item) => {
            const m = /^\s*'(\d+)'\s*$/.exec(item);
            if (!m) throw fail(`configuration ${key}: experiment ${JSON.stringify(item.trim())} is not a quoted record number`);
            return Number(m[1]);
          });
    const at = block.indexOf(MATRIX_HEADER);
    if (at < 0) throw fail(`configuration ${key} has no "${MATRIX_HEADER}" line`);
    const matrix = parseNumpyMatrix(block.slice(at + MATRIX_HEADER.length), `configuration ${key}`, fail);
    if (matrix.length !== tasks.length) throw fail(`configuration ${key} lists ${tasks.length} experiments but prints ${matrix.length} matrix rows`);
    configs.push({ key, ...name, tasks, matrix });
  }
  return configs;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** numpy's print of an (n × 3) float array: `[[0.1 0.2 0.  ]\n [1.2e-03 ...]]`, or `[]` for no rows. */
function parseNumpyMatrix(raw: string, what: string, fail: (detail: string) => Error): Array<[number, number, number]> {
  const body = raw.trim();
  if (body === '[]') return [];
  if (!body.startsWith('[[') || !body.endsWith(']]')) throw fail(`${what}: the matrix is not a printed numpy 2-d array`);
  const rows: Array<[number, number, number]> = [];
  const rest = body.slice(1, -1).replace(/\[([^[\]]*)\]/g, (_, row: string) => {
    const cells = row.trim().split(/\s+/);
    if (cells.length !== 3 || !cells.every((c) => NUMBER.test(c))) throw fail(`${what}: matrix row [${row.trim()}] is not 3 numbers`);
    rows.push(cells.map(Number) as [number, number, number]);
    return '';
  });
  if (rest.trim() !== '') throw fail(`${what}: unexpected text in the matrix: ${JSON.stringify(rest.trim().slice(0, 40))}`);
  return rows;
}

const numbers = (list: string) =>
  list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);

/**
 * `'{group}_{suffix}': array([m, i, a, g])` then `'{group}_{suffix}': array([[lo…], [hi…]])`, as rliable's
 * get_interval_estimates returns them and the notebook shows the tuple; the first cell that prints the suffix counts.
 */
function parsePrinted(results: readonly string[], suffix: string, groups: readonly string[], fail: (detail: string) => Error): PrintedFigure[] {
  const shown = results.find((r) => r.includes(`_${suffix}': array(`));
  if (!shown) throw fail(`no cell prints the rliable results '…_${suffix}'`);
  const name = (g: string) => `'${g}_${suffix}'`;
  return groups.map((group) => {
    const point = new RegExp(`${escape(name(group))}: array\\(\\[([^\\[\\]]+)\\]\\)`).exec(shown);
    const ci = new RegExp(`${escape(name(group))}: array\\(\\[\\[([^\\[\\]]+)\\],\\s*\\[([^\\[\\]]+)\\]\\]\\)`).exec(shown);
    const p = point ? numbers(point[1]!) : [];
    if (p.length !== 4 || p.some((x) => !Number.isFinite(x))) throw fail(`the printed rliable results have no 4 point estimates for ${name(group)}`);
    let intervals: PaperIntervals | null = null;
    if (ci) {
      const [lo, hi] = [numbers(ci[1]!), numbers(ci[2]!)];
      if (lo.length !== 4 || hi.length !== 4) throw fail(`the printed CIs of ${name(group)} are not 2 × 4 numbers`);
      intervals = { median: [lo[0]!, hi[0]!], iqm: [lo[1]!, hi[1]!], mean: [lo[2]!, hi[2]!], optimality_gap: [lo[3]!, hi[3]!] };
    }
    return { group, point: { median: p[0]!, iqm: p[1]!, mean: p[2]!, optimality_gap: p[3]! }, ci: intervals };
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
