import type { NodeResult } from '../store/schema.js';

/**
 * The benchmark paper's per-run FSR and its "best 3 runs of a task" (arXiv 2506.22419; analysis/parse_levels.py and
 * cell 19 of analysis/plot_iqm_hint_model_search.ipynb). Used only by the paper mode of reports, to put a user's runs
 * beside the published figures; the default report never selects best runs.
 */

/** The paper's 18 nanogpt tasks: records 1–5 and 7–19 (record 6's task dropped; its notebooks skip task 20). */
export const PAPER_NANOGPT_TASKS: readonly number[] = [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

/** A node counts when its final val_loss is below the target plus this: 3.29 on nanogpt, as the notebooks have it. */
export const PAPER_VALIDITY_MARGIN = 0.01;

/** Run FSRs outside [0, 3] are replaced by 0 (the notebook's "summarizer mistakes"). */
export const PAPER_FSR_MAX = 3;

/**
 * A node's time under the paper's rule, or null when it does not count: a node that reached the target has the
 * track's time to target (on nanogpt the final validation line's train_time, as the paper reads it); one that ran to
 * the end but missed the target still counts when its final val_loss < target + margin, with its final line's
 * train_time. The baseline is not a node here: the run's t_i stands for it.
 */
export function paperNodeTime(node: NodeResult, validBelow: number): number | null {
  if (node.operator === 'baseline') return null;
  if (node.status === 'ok' && node.time_to_target_ms !== null) return node.time_to_target_ms;
  if (node.status !== 'ok' && node.status !== 'missed-target') return null;
  const final = node.final;
  if (!final || final.train_time_ms === null || !(final.val_loss < validBelow)) return null;
  return final.train_time_ms;
}

/**
 * The paper's FSR of one run: (t_i − min(t_i, fastest counting node)) / (t_i − t_{i+1}), the baseline counting as its
 * step 0; a value outside [0, 3] becomes 0.
 */
export function paperRunFsr(baselineMs: number, targetMs: number, nodeTimes: readonly number[]): number {
  if (!(baselineMs > targetMs)) return 0; // the notebook's "gap > 0 else 0"
  const best = Math.min(baselineMs, ...nodeTimes);
  const value = (baselineMs - best) / (baselineMs - targetMs);
  return value >= 0 && value <= PAPER_FSR_MAX ? value : 0;
}

/**
 * A task's row of the paper's matrix from its runs' FSRs (the notebook's get_top_3_values): values outside [0, 3]
 * become 0, sorted descending; the best 3 are kept, or when fewer runs exist the list is padded by repeating its
 * last (smallest) value; a task with no run is [0, 0, 0].
 */
export function bestThreePadded(values: readonly number[]): [number, number, number] {
  if (values.length === 0) return [0, 0, 0];
  const sorted = values.map((v) => (v >= 0 && v <= PAPER_FSR_MAX ? v : 0)).sort((a, b) => b - a);
  const last = sorted[sorted.length - 1]!;
  return [sorted[0]!, sorted[1] ?? last, sorted[2] ?? last];
}
