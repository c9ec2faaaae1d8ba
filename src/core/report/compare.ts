import { compareHintSpecs, isScored } from '../score/per-hint.js';
import { differenceCI } from '../score/stats.js';
import { fsrStrata, groupBy } from './groups.js';
import { formatFsr } from '../score/fsr.js';
import { ci3, MARKS, NONE } from './format.js';
import { markdownTable } from './markdown.js';
import { taskOf, type ReportRun } from './runs.js';
import type { StatOptions } from './groups.js';
import { integrityCounts } from './groups.js';

/** A − B for one slice of the two result sets. */
export interface CompareRow {
  /** "all" or a hint spec present in both sets. */
  slice: string;
  tasks: number;
  scored_a: number;
  scored_b: number;
  mean_a: number | null;
  mean_b: number | null;
  /** mean_a − mean_b with its stratified-bootstrap CI (each set resampled within its own tasks). */
  difference: number | null;
  difference_ci: [number, number] | null;
  /** The CI excludes 0. */
  significant: boolean;
}

export interface Comparison {
  a: string;
  b: string;
  /** Tasks present in only one set are left out: a difference over different tasks would measure the tasks. */
  common_tasks: string[];
  dropped_tasks: string[];
  rows: CompareRow[];
  /** Worst integrity status of either set's compared runs. */
  integrity: string;
}

function meanOf(runs: readonly ReportRun[]): number | null {
  const scored = runs.filter(isScored);
  return scored.length ? scored.reduce((s, r) => s + (r.summary.fsr as number), 0) / scored.length : null;
}

function row(slice: string, a: readonly ReportRun[], b: readonly ReportRun[], options: StatOptions): CompareRow {
  const meanA = meanOf(a);
  const meanB = meanOf(b);
  const base = {
    slice,
    tasks: new Set([...a, ...b].map(taskOf)).size,
    scored_a: a.filter(isScored).length,
    scored_b: b.filter(isScored).length,
    mean_a: meanA,
    mean_b: meanB,
  };
  if (meanA === null || meanB === null) return { ...base, difference: null, difference_ci: null, significant: false };
  const ci = differenceCI(fsrStrata(a), fsrStrata(b), 'mean', options);
  return { ...base, difference: meanA - meanB, difference_ci: [ci.low, ci.high], significant: ci.low > 0 || ci.high < 0 };
}

/** Compares two result sets (e.g. two models) overall and per hint spec they share, on their common tasks. */
export function compareResults(nameA: string, runsA: readonly ReportRun[], nameB: string, runsB: readonly ReportRun[], options: StatOptions): Comparison {
  const tasksA = new Set(runsA.map(taskOf));
  const tasksB = new Set(runsB.map(taskOf));
  const common = [...tasksA].filter((t) => tasksB.has(t)).sort();
  const dropped = [...new Set([...tasksA, ...tasksB])].filter((t) => !common.includes(t)).sort();
  const a = runsA.filter((r) => tasksB.has(taskOf(r)));
  const b = runsB.filter((r) => tasksA.has(taskOf(r)));
  const hintsA = groupBy(a, (r) => r.summary.hint);
  const hintsB = groupBy(b, (r) => r.summary.hint);
  const shared = [...hintsA.keys()].filter((h) => hintsB.has(h)).sort(compareHintSpecs);
  const rows = [row('all', a, b, options)];
  // Per hint only when it says more than the overall line.
  if (shared.length > 1) for (const hint of shared) rows.push(row(hint, hintsA.get(hint)!, hintsB.get(hint)!, options));
  return { a: nameA, b: nameB, common_tasks: common, dropped_tasks: dropped, rows, integrity: integrityCounts([...a, ...b]).status };
}

/** The comparison as markdown, printed by `speedrun report --compare`. */
export function renderComparison(c: Comparison): string {
  const mark = MARKS[c.integrity as keyof typeof MARKS] ?? '';
  const lines = [
    `# ${c.a} vs ${c.b}`,
    '',
    `Mean FSR difference A − B (A = \`${c.a}\`, B = \`${c.b}\`) on ${c.common_tasks.length} common tasks, with its 95% stratified-bootstrap CI.`,
  ];
  if (c.dropped_tasks.length) lines.push(`Left out (in one set only): ${c.dropped_tasks.join(', ')}.`);
  lines.push(
    '',
    markdownTable({
      headers: ['slice', 'tasks', 'scored A', 'scored B', 'mean A', 'mean B', 'A − B', '95% CI', 'CI excludes 0'],
      rows: c.rows.map((r) => [
        r.slice,
        String(r.tasks),
        String(r.scored_a),
        String(r.scored_b),
        formatFsr(r.mean_a, NONE) + (r.mean_a === null ? '' : mark),
        formatFsr(r.mean_b, NONE) + (r.mean_b === null ? '' : mark),
        formatFsr(r.difference, NONE),
        ci3(r.difference_ci),
        r.difference === null ? '–' : r.significant ? 'yes' : 'no',
      ]),
    }),
    '',
    `Integrity of the compared runs: ${c.integrity}.`,
  );
  return `${lines.join('\n')}\n`;
}
