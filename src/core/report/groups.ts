import { isScored, summarizeGroup } from '../score/per-hint.js';
import { bootstrapDistributions, iqm, medianOfTaskMeans, optimalityGap, percentileInterval, type Interval } from '../score/stats.js';
import { groupIntegrity } from './verification.js';
import type { ReportRun } from './runs.js';
import { taskOf } from './runs.js';
import type { IntegrityCounts, StatRow } from './schema.js';

export interface StatOptions {
  reps: number;
  seed: number;
  level: number;
}

/** Groups in first-seen order; callers sort. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Scored FSRs split by task: the strata of the bootstrap. */
export function fsrStrata(runs: readonly ReportRun[]): number[][] {
  return [...groupBy(runs.filter(isScored), taskOf).values()].map((group) => group.map((r) => r.summary.fsr as number));
}

export function integrityCounts(runs: readonly ReportRun[]): IntegrityCounts {
  const statuses = runs.map((r) => r.integrity.status);
  const count = (s: string) => statuses.filter((x) => x === s).length;
  return {
    status: groupIntegrity(statuses),
    verified: count('verified'),
    unverified: count('unverified'),
    flagged: count('flagged'),
    rejected: count('rejected'),
  };
}

/**
 * One line of a comparison table. The shared numbers come from summarizeGroup (the results screen's numbers); the
 * report adds the IQM, rliable's median (of task means) and optimality gap, and bootstrap intervals. The bootstrap
 * seed is the same for every group, so adding a group to a bench never changes another group's interval.
 */
export function statRow(label: string, runs: readonly ReportRun[], options: StatOptions): StatRow {
  const base = summarizeGroup(runs);
  const strata = fsrStrata(runs);
  const scores = strata.flat();
  const ci = (i: Interval): [number, number] => [i.low, i.high];
  let cis: Record<'mean' | 'iqm' | 'median' | 'optimality_gap', [number, number] | null> = { mean: null, iqm: null, median: null, optimality_gap: null };
  if (scores.length > 0) {
    const dist = bootstrapDistributions(strata, { reps: options.reps, seed: options.seed });
    cis = {
      mean: ci(percentileInterval(dist.mean, options.level)),
      iqm: ci(percentileInterval(dist.iqm, options.level)),
      median: ci(percentileInterval(dist.median, options.level)),
      optimality_gap: ci(percentileInterval(dist.optimality_gap, options.level)),
    };
  }
  return {
    label,
    tasks: base.tasks,
    runs: base.runs,
    scored: base.scored,
    mean_fsr: base.mean_fsr,
    iqm_fsr: scores.length ? iqm(scores) : null,
    mean_ci: cis.mean,
    iqm_ci: cis.iqm,
    median_fsr: scores.length ? medianOfTaskMeans(strata) : null,
    median_ci: cis.median,
    optimality_gap: scores.length ? optimalityGap(scores) : null,
    optimality_gap_ci: cis.optimality_gap,
    success_rate: base.success_rate,
    buggy_share: base.buggy_share,
    median_best_ms: base.median_best_ms,
    verified_runs: base.verified_runs ?? 0,
    mean_fsr_verified: base.mean_fsr_verified ?? null,
    integrity: integrityCounts(runs),
  };
}

/** A table of groups, sorted by `order` (hint specs read none → L1+L2+L3; others alphabetically). */
export function statTable(
  runs: readonly ReportRun[],
  key: (run: ReportRun) => string,
  options: StatOptions,
  order: (a: string, b: string) => number = (a, b) => a.localeCompare(b),
): StatRow[] {
  return [...groupBy(runs, key).entries()].sort(([a], [b]) => order(a, b)).map(([label, group]) => statRow(label, group, options));
}
