import { bestAgainstNode0, fsr } from '../score/fsr.js';
import { isScored } from '../score/per-hint.js';
import { BUGGY_STATUSES } from '../store/schema.js';
import type { Configurations } from './configurations.js';
import { groupBy } from './groups.js';
import type { ReportRun } from './runs.js';
import type { OutcomeRow, StepPoint } from './schema.js';

/**
 * The best-so-far FSR of a run after each node, by node number (the order the search made them; 0 is the baseline).
 * Uses the run's own rule for a valid node (status ok with a time to target, as bestNode does), each node scored by
 * its speedup over node 0 as the run measured it; the last value is the run's FSR (its scoring round's, if any).
 */
export function fsrBySteps(run: ReportRun): number[] {
  const out: number[] = [];
  let best: number | null = null;
  const { baseline_ms: baseline, target_ms: target } = run.summary;
  const node0 = node0Ms(run);
  for (const node of run.nodes) {
    if (node.status === 'ok' && node.time_to_target_ms !== null && (best === null || node.time_to_target_ms < best)) best = node.time_to_target_ms;
    const value = baseline > target ? fsr(baseline, target, bestAgainstNode0(baseline, node0, best)) : 0;
    while (out.length < node.node) out.push(out[out.length - 1] ?? 0); // a node number with no result keeps the best so far
    out.push(value);
  }
  if (out.length > 0 && run.summary.fsr !== null) out[out.length - 1] = run.summary.fsr;
  return out;
}

/** Node 0's time when the run trained it (re-timing), else null: the search's nodes compare with it. */
function node0Ms(run: ReportRun): number | null {
  const node0 = run.nodes.find((n) => n.node === 0);
  return node0?.measured_by === 'executed' && node0.status === 'ok' ? node0.time_to_target_ms : null;
}

/**
 * Mean best-so-far FSR per configuration at each step, over scored runs: how fast each configuration improves. A run
 * that stopped before a step counts with its final best (its search was over), so every point averages the same runs.
 */
export function stepCurves(runs: readonly ReportRun[], configs: Configurations): StepPoint[] {
  const points: StepPoint[] = [];
  for (const config of configs.list) {
    const group = runs.filter((r) => isScored(r) && configs.labelOf(r) === config.label);
    if (group.length === 0) continue;
    const curves = group.map(fsrBySteps);
    const steps = Math.max(...curves.map((c) => c.length));
    for (let step = 0; step < steps; step++) {
      let sum = 0;
      for (const curve of curves) sum += curve[Math.min(step, curve.length - 1)] ?? 0;
      points.push({ configuration: config.label, step, mean_fsr: sum / curves.length, runs: curves.length });
    }
  }
  return points;
}

/**
 * What became of each agent node (the baseline excluded): buggy (crashed, timed out, no metric, no script), missed
 * the target (valid but slow), reached it without beating the baseline, or improved on the baseline.
 */
export function nodeOutcomes(runs: readonly ReportRun[], configs: Configurations): OutcomeRow[] {
  const groups = groupBy(runs, configs.labelOf);
  return configs.list.map((config) => {
    const row: OutcomeRow = { configuration: config.label, nodes: 0, buggy: 0, missed_target: 0, valid_no_gain: 0, improved: 0, aborted: 0 };
    for (const run of groups.get(config.label) ?? []) {
      for (const node of run.nodes) {
        if (node.operator === 'baseline') continue;
        row.nodes++;
        if (BUGGY_STATUSES.includes(node.status)) row.buggy++;
        else if (node.status === 'missed-target') row.missed_target++;
        else if (node.status === 'aborted') row.aborted++;
        else if (node.time_to_target_ms !== null && node.time_to_target_ms < (node0Ms(run) ?? run.summary.baseline_ms)) row.improved++;
        else row.valid_no_gain++;
      }
    }
    return row;
  });
}
