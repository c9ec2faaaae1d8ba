import { median } from '../score/stats.js';
import { BUGGY_STATUSES } from '../store/schema.js';
import type { StoredRun } from '../store/load-results.js';

/** One group's line of a comparison (a hint spec on the results screen; a hint, model or scaffold in reports). */
export interface GroupSummary {
  /** Distinct (track, record) tasks. */
  tasks: number;
  runs: number;
  /** Runs that count in the statistics: complete (see isScored) and with an FSR. */
  scored: number;
  mean_fsr: number | null;
  /** Share of scored runs whose best node beat the baseline. */
  success_rate: number | null;
  /** Share of agent nodes (baseline excluded) that were buggy, over every run of the group. */
  buggy_share: number | null;
  median_best_ms: number | null;
  /** Runs with a verification (speedup re-run), and the mean FSR they support (unverified ones count 0). */
  verified_runs?: number;
  mean_fsr_verified?: number | null;
}

/** One hint spec's line of the comparison: how much of the speedup agents recovered with that hint. */
export interface HintComparison extends GroupSummary {
  hint: string;
}

/**
 * A run counts in the statistics once its search is over (finished, or stopped by its LLM budget with its nodes
 * scored) and it has an FSR. Aborted and failed runs resume later: their partial best would bias a mean downwards,
 * so they are counted as runs but kept out of every score, never imputed as 0.
 */
export function isScored(run: StoredRun): boolean {
  return run.summary.fsr !== null && run.summary.status !== 'aborted' && run.summary.status !== 'failed';
}

const HINT_ORDER = ['none', 'L1', 'L2', 'L3', 'L1+L2', 'L1+L3', 'L2+L3', 'L1+L2+L3'];

/** Sort key for hint specs in the order they are usually read: none first, then more help. */
export function hintRank(hint: string): number {
  return HINT_ORDER.includes(hint) ? HINT_ORDER.indexOf(hint) : HINT_ORDER.length;
}

export function compareHintSpecs(a: string, b: string): number {
  return hintRank(a) - hintRank(b) || a.localeCompare(b);
}

/** Groups runs by hint spec, in the order hints are usually read (none first, then more help). */
export function compareHints(runs: readonly StoredRun[]): HintComparison[] {
  const byHint = new Map<string, StoredRun[]>();
  for (const run of runs) {
    const group = byHint.get(run.summary.hint);
    if (group) group.push(run);
    else byHint.set(run.summary.hint, [run]);
  }
  return [...byHint.entries()].sort(([a], [b]) => compareHintSpecs(a, b)).map(([hint, group]) => ({ hint, ...summarizeGroup(group) }));
}

/** The shared numbers of any group of runs; the results screen and the report both come through here. */
export function summarizeGroup(group: readonly StoredRun[]): GroupSummary {
  const scoredRuns = group.filter(isScored);
  const scores = scoredRuns.map((r) => r.summary.fsr as number);
  let agentNodes = 0;
  let buggy = 0;
  for (const run of group) {
    for (const node of run.nodes) {
      if (node.operator === 'baseline') continue;
      agentNodes++;
      if (BUGGY_STATUSES.includes(node.status)) buggy++;
    }
  }
  const bests = scoredRuns.map((r) => r.summary.best?.train_time_ms).filter((t): t is number => t !== undefined);
  const verifiedScores = scoredRuns.map((r) => r.verification?.fsr_verified).filter((f): f is number => typeof f === 'number');
  return {
    tasks: new Set(group.map((r) => `${r.summary.track}/${r.summary.record}`)).size,
    runs: group.length,
    scored: scoredRuns.length,
    mean_fsr: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
    success_rate: scoredRuns.length ? scoredRuns.filter((r) => r.summary.best !== null && r.summary.best.node !== 0).length / scoredRuns.length : null,
    buggy_share: agentNodes ? buggy / agentNodes : null,
    median_best_ms: bests.length ? median(bests) : null,
    verified_runs: verifiedScores.length,
    mean_fsr_verified: verifiedScores.length ? verifiedScores.reduce((a, b) => a + b, 0) / verifiedScores.length : null,
  };
}
