import { seededRandom } from '../../src/core/score/stats.js';

/**
 * A made-up notebook in the output format of the paper's aggregation notebook (saved stdout of the per-configuration
 * matrices, printed rliable tuples), with our own numbers and no code of the paper's: tests may not ship the notebook.
 */

export const HINTS = ['z', '1', '2', '5', '12', '125'] as const;
export const SCAFFOLDS = ['flat', 'tree', 'forest', 'ori_aide', 'multi_aide'] as const;
export const MODELS = ['deepseek-r1', 'o3-mini', 'gemini-2.5-pro'] as const;

export interface FixtureConfig {
  key: string;
  tasks: number[];
  matrix: number[][];
}

/** Every (scaffold, hint, model) configuration, 2 or 3 tasks each, with zeros, repeats and values above 1. */
export function fixtureConfigs(seed = 3): FixtureConfig[] {
  const random = seededRandom(seed);
  const value = () => (random() < 0.35 ? 0 : Number((random() * 1.4).toFixed(8)));
  const out: FixtureConfig[] = [];
  for (const scaffold of SCAFFOLDS) {
    for (const hint of HINTS) {
      for (const model of MODELS) {
        const tasks = random() < 0.2 ? [7, 1] : [7, 1, 19];
        const matrix = tasks.map(() => [value(), value(), value()].sort((a, b) => b - a));
        out.push({ key: `${scaffold}_${hint}_${model}`, tasks, matrix });
      }
    }
  }
  return out;
}

/** numpy-like print of an (n × 3) array; every other row in scientific notation, as numpy switches to it. */
export function numpyMatrix(matrix: number[][]): string {
  if (matrix.length === 0) return '[]';
  const rows = matrix.map((row, i) => `[${row.map((v) => (i % 2 ? v.toExponential(8) : v === 0 ? '0.        ' : v.toFixed(8))).join(' ')}]`);
  return `[${rows.join('\n ')}]`;
}

/** The four aggregates computed the plain way, independently of src/: column means, sort, slice. */
export function naiveAggregates(matrix: number[][]): [number, number, number, number] {
  const cols = [0, 1, 2].map((j) => matrix.reduce((s, r) => s + r[j]!, 0) / matrix.length);
  const sortedCols = [...cols].sort((a, b) => a - b);
  const all = matrix.flat().sort((a, b) => a - b);
  const k = Math.floor(all.length / 4);
  const kept = all.slice(k, all.length - k);
  return [
    sortedCols[1]!,
    kept.reduce((a, b) => a + b, 0) / kept.length,
    all.reduce((a, b) => a + b, 0) / all.length,
    1 - all.reduce((a, b) => a + Math.min(b, 1), 0) / all.length,
  ];
}

function stdout(configs: FixtureConfig[]): string {
  return configs
    .map((c) =>
      [
        `Processing config: ${c.key}`,
        `Experiments: [${c.tasks.map((t) => `'${t}'`).join(', ')}]`,
        ...c.tasks.map((t, i) => `Experiment Name: ${t}, Values: [${c.matrix[i]!.join(' ')}]`),
        'All experiment values (top 3 for each experiment):',
        numpyMatrix(c.matrix),
        '',
      ].join('\n'),
    )
    .join('');
}

const arr = (xs: number[]) => `array([${xs.map((x) => x.toFixed(8)).join(', ')}])`;

/** The printed (points, CIs) tuple for groups `{group}_{suffix}`; CIs are placeholders around the point. */
function printedTuple(points: Record<string, number[]>, suffix: string): string {
  const names = Object.keys(points);
  const p = names.map((g) => `'${g}_${suffix}': ${arr(points[g]!)}`).join(',\n  ');
  const c = names
    .map(
      (g) =>
        `'${g}_${suffix}': array([[${points[g]!.map((x) => (x - 0.01).toFixed(8)).join(', ')}],\n         [${points[g]!.map((x) => (x + 0.01).toFixed(8)).join(', ')}]])`,
    )
    .join(',\n  ');
  return `({${p}},\n {${c}})`;
}

/** Pooled matrices the way the paper pools them (order irrelevant to the point estimates). */
export function pooled(configs: FixtureConfig[], pick: (key: string) => string | null): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const c of configs) {
    const group = pick(c.key);
    if (group !== null) (out[group] ??= []).push(...c.matrix);
  }
  return out;
}

export const hintOfKey = (key: string) => key.split('_').at(-2)!;
export const scaffoldOfKey = (key: string) => key.split('_').slice(0, -2).join('_');

/** The notebook JSON; `tamper` changes a printed point estimate (to check that mismatches are caught). */
export function fixtureNotebook(configs: FixtureConfig[], tamper?: { group: string; by: number }): string {
  const byHint = Object.fromEntries(HINTS.map((h) => [h, naiveAggregates(pooled(configs, hintOfKey)[h]!)]));
  const byScaffold = Object.fromEntries(SCAFFOLDS.map((s) => [s, naiveAggregates(pooled(configs, scaffoldOfKey)[s]!)]));
  if (tamper) {
    const target = byHint[tamper.group] ?? byScaffold[tamper.group];
    target![2] += tamper.by;
  }
  const cell = (outputs: unknown[]) => ({ cell_type: 'code', execution_count: 1, metadata: {}, source: ['# synthetic fixture cell\n'], outputs });
  return JSON.stringify({
    cells: [
      cell([]),
      cell([{ output_type: 'stream', name: 'stdout', text: stdout(configs).split(/(?<=\n)/) }]),
      cell([
        {
          output_type: 'execute_result',
          execution_count: 1,
          metadata: {},
          data: { 'text/plain': printedTuple(byHint, 'all_model_all_searches').split(/(?<=\n)/) },
        },
      ]),
      cell([
        {
          output_type: 'execute_result',
          execution_count: 2,
          metadata: {},
          data: { 'text/plain': printedTuple(byScaffold, 'all_model_all_hints').split(/(?<=\n)/) },
        },
      ]),
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
}
