import type { ValPoint } from './log-parser.js';

export interface TimeToTarget {
  reached: boolean;
  /** train_time of the first validation line at or below the target; null when never reached (invalid, not slow). */
  time_ms: number | null;
  step: number | null;
  /** The validation loss on that line. */
  val_loss: number | null;
}

/**
 * Time to target (DESIGN.md §3): the script's train_time at the first validation line whose val_loss ≤ target.
 * NaN never reaches a target. A point that reaches it without a train_time (llm.c logs) gives reached=true with
 * time_ms=null: the target was met, but there is no time to score.
 */
export function timeToTarget(points: readonly ValPoint[], target: number): TimeToTarget {
  if (!Number.isFinite(target)) throw new RangeError(`target val loss must be a finite number, got ${target}`);
  for (const point of points) {
    // NaN <= target is false, so a diverged validation never counts.
    if (point.val_loss <= target) return { reached: true, time_ms: point.train_time_ms, step: point.step, val_loss: point.val_loss };
  }
  return { reached: false, time_ms: null, step: null, val_loss: null };
}
