import { z } from 'zod';
import { RetimeMode } from '../catalog/schema.js';

/**
 * What a run's claimed FSR was computed from (run.json → result.scoring): for each of t_i, t_{i+1} and t* the
 * time used, where it came from, when it was measured, and every measurement behind it. README "Timing and scoring".
 */

/** One training of the scoring round (or the search's own measurement of a node), with its wall-clock span. */
export const TimedRun = z.object({
  /** baseline: record i; next: record i+1; best: the run's best node. */
  script: z.enum(['baseline', 'best', 'next']),
  repeat: z.number().int().positive(),
  /** Its folder, relative to the run folder (logs, and the copy of the script it trained). */
  dir: z.string(),
  started_at: z.string(),
  ended_at: z.string(),
  /** The node status the training ended with (ok, crashed, missed-target, ...). */
  status: z.string(),
  time_ms: z.number().nullable(),
  final_val_loss: z.number().nullable(),
  wall_ms: z.number().nullable(),
});
export type TimedRun = z.infer<typeof TimedRun>;

export const TimeSource = z.object({
  from: z.enum(['run', 'calibration', 'record-table']),
  /** The time used; null when it could not be had (a repeat failed), and then there is no score. */
  ms: z.number().nullable(),
  /** run: when the first measurement behind it started; calibration: when the calibration file was written; record-table: null. */
  measured_at: z.string().nullable(),
  /** In words: "median of 3 interleaved repeats in this run's scoring round", the calibration, or the record table's source. */
  detail: z.string(),
  /** The measurements made in this run (empty for calibration and record-table times). */
  runs: z.array(TimedRun),
});
export type TimeSource = z.infer<typeof TimeSource>;

export const Scoring = z.object({
  retime: RetimeMode,
  /** Repeats of each script in the scoring round; 0 when there was none (retime none, or no round was needed). */
  repeats: z.number().int().nonnegative(),
  /** Why there was no round, or why it gave no score; null otherwise. */
  note: z.string().nullable(),
  baseline: TimeSource,
  next: TimeSource,
  /** With retime baseline: t_{i+1}/t_i from calibration or the record table, which makes `next` from the round's t_i. */
  ratio: z.number().nullable(),
  best: TimeSource.extend({ node: z.number().int().nonnegative() }).nullable(),
});
export type Scoring = z.infer<typeof Scoring>;
