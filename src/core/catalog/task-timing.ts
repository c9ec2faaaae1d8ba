import { getRecord } from './catalog.js';
import type { TimingRule, TrackManifest } from './schema.js';

/** How a training's log is turned into a time: the target it must reach, and the track's rule for reading it. */
export interface Timing {
  target: number;
  rule: TimingRule;
}

/** A record's own threshold (its manifest entry's, else the track's): calibration times the record with it. */
export function recordTiming(manifest: TrackManifest, record: number): Timing {
  return { target: getRecord(manifest, record).target_val_loss ?? manifest.target_val_loss, rule: manifest.timing_rule };
}

/**
 * A task's threshold: the looser of its two records' own, so that both records are valid runs of the task they
 * define (nanogpt record 3 ends at 3.2813, so tasks 2 and 3 are scored at 3.29). Nodes, the scoring round and
 * verification use it. Per-record targets exist only on `final` tracks, where the target decides validity and
 * never the time, so a record calibrated at its own target has the same time at the task's.
 */
export function taskTiming(manifest: TrackManifest, record: number): Timing {
  const here = recordTiming(manifest, record).target;
  const next = recordTiming(manifest, record + 1).target;
  return { target: Math.max(here, next), rule: manifest.timing_rule };
}

/** "final line ≤ 3.28" / "first crossing of 1.9": how a time was read, in the words screens and summaries use. */
export function describeTiming(timing: Timing): string {
  return timing.rule === 'final' ? `final val line ≤ ${timing.target}` : `first val line ≤ ${timing.target}`;
}
