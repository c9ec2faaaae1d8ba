import { median } from '../calibrate/stats.js';
import { BUGGY_STATUSES } from '../store/schema.js';
import type { StoredRun } from '../store/load-results.js';

/** One hint spec's line of the comparison: how much of the speedup agents recovered with that hint. */
export interface HintComparison {
  hint: string;
  /** Distinct (track, record) tasks. */
  tasks: number;
  runs: number;
  mean_fsr: number | null;
  /** Runs whose best node beat the baseline. */
  success_rate: number | null;
  /** Share of agent nodes (baseline excluded) that were buggy. */
  buggy_share: number | null;
  median_best_ms: number | null;
  /** Runs with a verification (speedup re-run), and the mean FSR they support (unverified ones count 0). */
  verified_runs?: number;
  mean_fsr_verified?: number | null;
}

const HINT_ORDER = ['none', 'L1', 'L2', 'L3', 'L1+L2', 'L1+L3', 'L2+L3', 'L1+L2+L3'];

/** Groups runs by hint spec, in the order hints are usually read (none first, then more help). */
export function compareHints(runs: readonly StoredRun[]): HintComparison[] {
  const byHint = new Map<string, StoredRun[]>();
  for (const run of runs) byHint.set(run.summary.hint, [...(byHint.get(run.summary.hint) ?? []), run]);
  const rank = (hint: string) => (HINT_ORDER.includes(hint) ? HINT_ORDER.indexOf(hint) : HINT_ORDER.length);
  return [...byHint.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([hint, group]) => {
      const scores = group.map((r) => r.summary.fsr).filter((f): f is number => f !== null);
      const agentNodes = group.flatMap((r) => r.nodes.filter((n) => n.operator !== 'baseline'));
      const verifiedScores = group.map((r) => r.verification?.fsr_verified).filter((f): f is number => typeof f === 'number');
      const bests = group.map((r) => r.summary.best?.train_time_ms).filter((t): t is number => t !== undefined);
      return {
        hint,
        tasks: new Set(group.map((r) => `${r.summary.track}/${r.summary.record}`)).size,
        runs: group.length,
        mean_fsr: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
        success_rate: group.length ? group.filter((r) => r.summary.best !== null && r.summary.best.node !== 0).length / group.length : null,
        buggy_share: agentNodes.length ? agentNodes.filter((n) => BUGGY_STATUSES.includes(n.status)).length / agentNodes.length : null,
        median_best_ms: bests.length ? median(bests) : null,
        verified_runs: verifiedScores.length,
        mean_fsr_verified: verifiedScores.length ? verifiedScores.reduce((a, b) => a + b, 0) / verifiedScores.length : null,
      };
    });
}
