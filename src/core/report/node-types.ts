import { BUGGY_STATUSES, type NodeResult } from '../store/schema.js';
import type { Configurations } from './configurations.js';
import { groupBy } from './groups.js';
import type { NodeTypeRow } from './paper-schema.js';
import type { ReportRun } from './runs.js';
import type { SpreadOf } from './time-spread.js';

/**
 * Node types by search step, as the paper draws them (arXiv 2506.22419; analysis/plot_node_types_pie_charts.ipynb):
 * of the first k nodes of a run, the share that were buggy, valid with no improvement (slower than t_i + σ_i), and
 * improved; averaged over the runs that made at least k nodes. Pooling counts over those runs gives the same shares
 * as the notebook's mean of per-run shares, since every such run contributes exactly k nodes.
 *
 * Where this differs from the notebook, on purpose: the baseline is not a node here (the notebook counts its v_0 in
 * k, as "improved"); the valid nodes counted are those among the first k (the notebook takes the first k *valid*
 * nodes, which reaches past step k); "improved" is a class of its own, not 1 − buggy − no improvement, so a node the
 * notebook left unclassified cannot land in it; and nodes stopped by a Ctrl-C or a budget are "aborted".
 */

type NodeType = 'buggy' | 'missed' | 'slow' | 'improved' | 'beyond' | 'aborted';

/**
 * One agent node's type. A node that ran but missed the target is buggy, as the paper's runner marks it (its
 * metrics_at_most val_loss 3.28 makes it invalid, and an invalid node gets bug_depth > 0).
 */
export function nodeType(node: NodeResult, baselineMs: number, sdMs: number): NodeType {
  if (node.status === 'aborted') return 'aborted';
  if (node.status === 'missed-target') return 'missed';
  if (BUGGY_STATUSES.includes(node.status) || node.time_to_target_ms === null) return 'buggy';
  if (node.time_to_target_ms > baselineMs + sdMs) return 'slow';
  return node.time_to_target_ms < baselineMs - sdMs ? 'beyond' : 'improved';
}

function emptyRow(configuration: string, step: number): NodeTypeRow {
  return { configuration, step, runs: 0, nodes: 0, buggy: 0, missed_target: 0, no_improvement: 0, improved: 0, faster_beyond_sd: 0, aborted: 0 };
}

function add(row: NodeTypeRow, type: NodeType): void {
  row.nodes++;
  if (type === 'buggy' || type === 'missed') row.buggy++;
  if (type === 'missed') row.missed_target++;
  if (type === 'slow') row.no_improvement++;
  if (type === 'improved' || type === 'beyond') row.improved++;
  if (type === 'beyond') row.faster_beyond_sd++;
  if (type === 'aborted') row.aborted++;
}

/** Per configuration, one row per step k = 1 … the longest run's agent node count. */
export function nodeTypesByStep(runs: readonly ReportRun[], configs: Configurations, spreadOf: SpreadOf): NodeTypeRow[] {
  const groups = groupBy(runs, configs.labelOf);
  const rows: NodeTypeRow[] = [];
  for (const config of configs.list) {
    const sequences = (groups.get(config.label) ?? []).map((run) => {
      const sd = spreadOf(run).sd_ms ?? 0;
      return run.nodes
        .filter((n) => n.operator !== 'baseline')
        .sort((a, b) => a.node - b.node)
        .map((n) => nodeType(n, run.summary.baseline_ms, sd));
    });
    const longest = Math.max(0, ...sequences.map((s) => s.length));
    for (let step = 1; step <= longest; step++) {
      const row = emptyRow(config.label, step);
      for (const types of sequences) {
        if (types.length < step) continue;
        row.runs++;
        for (let i = 0; i < step; i++) add(row, types[i]!);
      }
      rows.push(row);
    }
  }
  return rows;
}
