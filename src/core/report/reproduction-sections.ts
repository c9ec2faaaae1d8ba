import { int, NONE } from './format.js';
import type { Report, ReproductionRow } from './schema.js';
import { distanceFitSections } from './distance-section.js';
import type { Section, Table } from './section.js';

/**
 * The "Reproduction" sections: how much of each record's true change the runs made. Every measure is a group of
 * columns with a `present` test, so a measure that needs a model (judge score, embedding distance, idea entropy) can
 * join as columns that appear only when some run of the report has it. Diff overlap needs no model: always shown.
 */

interface Column {
  header: string;
  cell(row: ReproductionRow): string;
}

interface Measure {
  present(rows: readonly ReproductionRow[]): boolean;
  columns: Column[];
}

const f3 = (x: number | null) => (x === null ? NONE : x.toFixed(3));

const DIFF_OVERLAP: Measure = {
  present: () => true,
  columns: [
    // No run measured: the reason instead of a number ("n/a (record 4's script not in the catalog)").
    { header: 'overlap recall', cell: (r) => (r.diff_overlap_runs === 0 ? (r.diff_overlap_note ?? NONE) : f3(r.mean_recall)) },
    { header: 'overlap precision', cell: (r) => (r.diff_overlap_runs > 0 && r.mean_precision === null ? 'no change' : f3(r.mean_precision)) },
    { header: 'overlap F1', cell: (r) => (r.diff_overlap_runs === 0 ? NONE : f3(r.mean_f1)) },
    { header: 'hunks reproduced', cell: (r) => (r.diff_overlap_runs === 0 ? NONE : `${r.hunks_reproduced}/${r.hunks_total}`) },
    {
      header: 'runs without overlap',
      cell: (r) => (r.diff_overlap_runs === 0 || r.diff_overlap_runs === r.runs ? NONE : `${r.runs - r.diff_overlap_runs}: ${r.diff_overlap_note ?? ''}`),
    },
  ],
};

/** `speedrun ideas`: the spread of the runs' first ideas, shown once some run was classified. */
const IDEA_ENTROPY: Measure = {
  present: (rows) => rows.some((r) => r.idea_runs > 0),
  columns: [{ header: 'idea entropy (bits)', cell: (r) => (r.idea_runs === 0 ? NONE : `${f3(r.mean_idea_entropy)} (${r.idea_runs})`) }],
};

/** `speedrun distance`'s embedding distances (docs/distance.md): shown once some run of the report has one. */
const CODE_DISTANCE: Measure = {
  present: (rows) => rows.some((r) => r.distance_runs > 0),
  columns: [
    { header: 'distance to record i (cos)', cell: (r) => f3(r.mean_distance_to_record_i_cosine) },
    { header: 'distance to record i (L2)', cell: (r) => f3(r.mean_distance_to_record_i_l2) },
    { header: 'distance to record i+1 (cos)', cell: (r) => f3(r.mean_distance_to_next_cosine) },
    { header: 'distance to record i+1 (L2)', cell: (r) => f3(r.mean_distance_to_next_l2) },
    { header: 'runs with a distance', cell: (r) => int(r.distance_runs) },
  ],
};

/** In the order their columns appear. */
const MEASURES: readonly Measure[] = [DIFF_OVERLAP, CODE_DISTANCE, IDEA_ENTROPY];

function table(rows: readonly ReproductionRow[], withTask: boolean): Table {
  const columns = MEASURES.filter((m) => m.present(rows)).flatMap((m) => m.columns);
  return {
    headers: ['configuration', ...(withTask ? ['task'] : []), 'runs', ...columns.map((c) => c.header)],
    rows: rows.map((r) => [r.configuration, ...(withTask ? [r.task ?? NONE] : []), int(r.runs), ...columns.map((c) => c.cell(r))]),
  };
}

export function reproductionSections(report: Report): Section[] {
  const { by_configuration: byConfiguration, by_task: byTask } = report.reproduction;
  if (byConfiguration.length === 0) return [];
  const plotted = report.runs.some((r) => r.diff_overlap !== null && r.fsr !== null);
  return [
    {
      id: 'reproduction',
      title: 'Reproduction',
      intro:
        "How much of the true change (record i → record i+1) each run's best node made. Diff overlap compares changed code lines (comments, blank lines and docstrings dropped, whitespace removed): recall is the share of the true diff's removed and added lines the node's diff also has, precision the share of the node's changed lines that are in the true diff (no change: the best node is the baseline), F1 their harmonic mean; a hunk is reproduced when all its lines are. Means over the runs with an overlap. A different but equivalent implementation of the same idea scores low: this measures textual reproduction, not the idea.",
      table: table(byConfiguration, false),
      ...(plotted ? { chart: 'overlap-vs-fsr' as const } : {}),
    },
    {
      id: 'reproduction-by-task',
      title: 'Reproduction by task',
      intro: 'The same measures per configuration and task; every run’s own values are in report.json and runs.csv.',
      table: table(byTask, true),
    },
    ...distanceFitSections(report),
  ];
}
