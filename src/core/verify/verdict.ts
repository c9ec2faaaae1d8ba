import { fsr } from '../score/fsr.js';
import type { RunSummary } from '../store/schema.js';
import { meanAndSd, oneSidedTTestBelow } from './student-t.js';
import type { VerificationFile, VerificationRepeat } from '../store/verification-file.js';

/**
 * Upstream's significance level for "mean val loss ≤ target" (modded-nanogpt asks p < 0.01 for a new record).
 * Stricter than the usual 0.05 on purpose: a verified score is a claim others will build on.
 */
export const DEFAULT_ALPHA = 0.01;

export interface VerdictInput {
  summary: RunSummary;
  node: number;
  targetValLoss: number;
  alpha: number;
  runs: readonly VerificationRepeat[];
}

type Judged = Pick<VerificationFile, 'status' | 'reasons' | 'node_stats' | 'baseline_stats' | 'fsr_verified'>;

/**
 * Verified when every repeat of the node reached the target, its final val loss is below the target by the
 * one-sided t-test at `alpha`, and its mean time is below the baseline record's mean over the interleaved repeats.
 */
export function judge({ summary, targetValLoss, alpha, runs }: VerdictInput): Judged {
  const nodeRuns = runs.filter((r) => r.script === 'node');
  const baseRuns = runs.filter((r) => r.script === 'baseline');
  const reasons: string[] = [];

  for (const r of nodeRuns)
    if (r.status !== 'ok') reasons.push(`repeat ${r.repeat} of the node ended ${r.status} (time to target ${r.time_to_target_ms ?? 'none'})`);
  const losses = nodeRuns.map((r) => r.final_val_loss);
  const test = losses.every((l): l is number => l !== null) ? oneSidedTTestBelow(losses, targetValLoss) : null;
  if (losses.some((l) => l === null)) reasons.push('a repeat of the node printed no validation loss');
  else if (!test) reasons.push('the val-loss test needs at least 2 repeats');
  else if (!(test.p < alpha))
    reasons.push(`mean final val loss ${test.mean.toFixed(4)} is not below the target ${targetValLoss} at p < ${alpha} (p = ${test.p.toPrecision(3)})`);

  const nodeTimes = timeStats(nodeRuns);
  const baseTimes = timeStats(baseRuns);
  if (baseRuns.some((r) => r.status !== 'ok') || baseTimes.mean_time_ms === null) {
    reasons.push('the baseline record did not reach the target in every repeat, so there is no time to beat');
  } else if (nodeTimes.mean_time_ms !== null && nodeTimes.mean_time_ms >= baseTimes.mean_time_ms) {
    reasons.push(`mean time ${Math.round(nodeTimes.mean_time_ms)} ms is not below the baseline record's ${Math.round(baseTimes.mean_time_ms)} ms`);
  }

  const verified = reasons.length === 0;
  return {
    status: verified ? 'verified' : 'unverified',
    reasons,
    node_stats: {
      ...nodeTimes,
      val_losses: losses,
      mean_val_loss: meanAndSd(losses.filter((l): l is number => l !== null))?.mean ?? null,
      sd_val_loss: meanAndSd(losses.filter((l): l is number => l !== null))?.sd ?? null,
      t: test && Number.isFinite(test.t) ? test.t : null,
      df: test?.df ?? null,
      p_value: test?.p ?? null,
    },
    baseline_stats: baseTimes,
    fsr_verified: verified ? verifiedFsr(summary, nodeTimes.mean_time_ms!, baseTimes.mean_time_ms!) : 0,
  };
}

/**
 * The score the verification supports. t_i and t_{i+1} stay the run's (calibration or record table); t* is
 * t_i scaled by the node's speedup over the baseline measured in the same interleaved session, so a machine
 * slower or faster than the one the times came from does not move the score. Unverified scores 0: the baseline
 * is all that is known to hold.
 */
function verifiedFsr(summary: RunSummary, nodeMeanMs: number, baselineMeanMs: number): number {
  return fsr(summary.baseline_ms, summary.target_ms, (summary.baseline_ms * nodeMeanMs) / baselineMeanMs);
}

function timeStats(runs: readonly VerificationRepeat[]) {
  const times = runs.map((r) => (r.status === 'ok' ? r.time_to_target_ms : null));
  const stats = meanAndSd(times.filter((t): t is number => t !== null));
  return { times_ms: times, mean_time_ms: stats?.mean ?? null, sd_time_ms: stats?.sd ?? null };
}
