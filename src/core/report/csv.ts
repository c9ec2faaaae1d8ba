import type { Report, RunRow } from './schema.js';

const COLUMNS: ReadonlyArray<Exclude<keyof RunRow, 'diff_overlap'>> = [
  'run_id',
  'track',
  'record',
  'hint',
  'agent',
  'model',
  'scaffold',
  'seed',
  'status',
  'scored',
  'fsr',
  'best_node',
  'best_ms',
  'baseline_ms',
  'target_ms',
  'times_from',
  'timing_rule',
  'target_val_loss',
  'retime',
  'nodes',
  'buggy_nodes',
  'prompt_tokens',
  'completion_tokens',
  'cost_usd',
  'compute_hours',
  'gpu_hours',
  'integrity',
  'integrity_notes',
  'diff_overlap_note',
  'judge_score',
  'judge_model',
  'idea_entropy',
  'idea_drafts',
  'distance_model',
  'distance_to_record_i_cosine',
  'distance_to_record_i_l2',
  'distance_to_next_cosine',
  'distance_to_next_l2',
];

/** The diff overlap object, flattened into columns of its own. */
const OVERLAP_COLUMNS = ['recall', 'precision', 'f1', 'hunks_reproduced', 'hunks_total', 'true_lines', 'node_lines', 'matched_lines'] as const;

/** RFC 4180 quoting: notes and model names may hold commas and quotes. Empty for null, so spreadsheets see a gap, not 0. */
function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** runs.csv: one row per run, full precision, for anyone's own analysis. */
export function renderCsv(report: Report): string {
  const lines = [[...COLUMNS, ...OVERLAP_COLUMNS.map((c) => `diff_overlap_${c}`)].join(',')];
  for (const run of report.runs) {
    lines.push([...COLUMNS.map((c) => field(run[c])), ...OVERLAP_COLUMNS.map((c) => field(run.diff_overlap?.[c]))].join(','));
  }
  return `${lines.join('\n')}\n`;
}
