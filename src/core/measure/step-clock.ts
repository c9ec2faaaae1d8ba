import type { Finding } from './integrity-report.js';

/**
 * The clock cross-check while a script runs (docs/architecture.md, "Measurement"): the harness notes when each step line with a
 * train_time reaches it, and compares the interval it saw between the first and last such lines with the
 * interval the script reports. A script that hides training from its own clock (an untimed side loop, a clock
 * paused around real work, a clock that runs slow) reports much less than the harness sees.
 *
 * Only under-reporting is checked. The other direction is no advantage to the agent, and a clock that reads CPU
 * time (the tiny track's time.process_time) can legitimately run ahead of the wall clock with several threads.
 */

/** One step line as the harness saw it arrive. */
export interface StepArrival {
  step: number;
  train_time_ms: number;
  /** The harness's clock (ms, any origin) when the line arrived. */
  at_ms: number;
}

/**
 * The reported interval may be this many times smaller than the observed one before the node is flagged.
 * Generous on purpose: train_time excludes validation and logging by the upstream rules, and the tiny track's
 * clock is CPU time, so on a loaded 2-core machine a faithful tiny record reported 6.5 s of a 18.3 s interval
 * (a factor of 2.8). A factor of 10 leaves room for a machine three times as loaded and still catches a
 * script that reports a tenth of its training. Smaller tampering is the static check's job.
 */
export const MAX_UNDERREPORT_FACTOR = 10;

/** Below this observed interval, process start-up, pipe delays and scheduling jitter dominate: no verdict. */
export const MIN_OBSERVED_MS = 2_000;

/** Collects step-line arrivals; a train_time that goes back (the upstream warm-up reset) starts the interval over. */
export class StepClock {
  private arrivals: StepArrival[] = [];

  constructor(private readonly now: () => number) {}

  note(step: number, trainTimeMs: number | null): void {
    if (trainTimeMs === null || !Number.isFinite(trainTimeMs)) return;
    const last = this.arrivals.at(-1);
    if (last && trainTimeMs < last.train_time_ms) this.arrivals = [];
    this.arrivals.push({ step, train_time_ms: trainTimeMs, at_ms: this.now() });
  }

  findings(): Finding[] {
    return checkStepClock(this.arrivals);
  }
}

/** A `flag` finding when the script's reported interval is implausibly small next to the observed one. */
export function checkStepClock(arrivals: readonly StepArrival[]): Finding[] {
  const first = arrivals[0];
  const last = arrivals.at(-1);
  if (!first || !last || last === first) return [];
  const observed = last.at_ms - first.at_ms;
  const reported = last.train_time_ms - first.train_time_ms;
  if (observed < MIN_OBSERVED_MS || reported * MAX_UNDERREPORT_FACTOR >= observed) return [];
  return [
    {
      rule: 'clock_crosscheck',
      severity: 'flag',
      lines: [],
      message:
        `between step ${first.step} and step ${last.step} the script reports ${Math.round(reported)} ms of train_time, ` +
        `but the harness saw ${Math.round(observed)} ms pass (more than ${MAX_UNDERREPORT_FACTOR}x as long): ` +
        "training may be hidden from the script's clock",
    },
  ];
}
