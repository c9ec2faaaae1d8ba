import type { TimingRule } from '../catalog/schema.js';
import type { ValPoint } from './log-parser.js';

export interface TimeToTarget {
  reached: boolean;
  /** train_time of the line that decides the run (see the rule); null when not reached (invalid, not slow). */
  time_ms: number | null;
  step: number | null;
  /** The validation loss on that line. */
  val_loss: number | null;
}

/** One validation line, as the two timing figures report it. */
export interface LineFigure {
  step: number;
  train_time_ms: number | null;
  val_loss: number;
}

const NOT_REACHED: TimeToTarget = { reached: false, time_ms: null, step: null, val_loss: null };

/**
 * Time to target by a track's timing rule (docs/architecture.md, "Measurement").
 * `final`: the records' own definition. The run is valid when its last validation line has val_loss ≤ target,
 * and that line's train_time is its time; a run that dips below the target and ends above it is invalid.
 * `first-crossing`: the train_time of the first validation line at or below the target.
 * NaN never reaches a target. A line that reaches it without a train_time (llm.c logs) gives reached=true with
 * time_ms=null: the target was met, but there is no time to score.
 */
export function timeToTarget(points: readonly ValPoint[], target: number, rule: TimingRule): TimeToTarget {
  if (!Number.isFinite(target)) throw new RangeError(`target val loss must be a finite number, got ${target}`);
  const line = rule === 'final' ? finalLine(points, target) : firstCrossing(points, target);
  return line === null ? NOT_REACHED : { reached: true, time_ms: line.train_time_ms, step: line.step, val_loss: line.val_loss };
}

/** Both figures a log gives, whatever the track's rule: `speedrun log parse` reports them side by side. */
export function timingFigures(points: readonly ValPoint[], target: number): { first_crossing: LineFigure | null; final_line: LineFigure | null } {
  const last = points.at(-1);
  return { first_crossing: figure(firstCrossing(points, target)), final_line: last === undefined ? null : figure(last) };
}

function firstCrossing(points: readonly ValPoint[], target: number): ValPoint | null {
  // NaN <= target is false, so a diverged validation never counts.
  return points.find((point) => point.val_loss <= target) ?? null;
}

function finalLine(points: readonly ValPoint[], target: number): ValPoint | null {
  const last = points.at(-1);
  return last !== undefined && last.val_loss <= target ? last : null;
}

function figure(point: ValPoint | null): LineFigure | null {
  return point === null ? null : { step: point.step, train_time_ms: point.train_time_ms, val_loss: point.val_loss };
}
