/**
 * How long a training took to reach its first step, and how long each later step took, by the harness's own clock
 * as step lines arrive. The first interval is start-up, data loading and, for compiled scripts, the compile of
 * step 1: the figure a GPU check needs, since compile can take minutes. Wall-clock, never a score.
 */
export interface StepPace {
  /** From launch until the first line of a step ≥ 1 arrived. */
  first_step_ms: number;
  /** Mean wall time per step between the first and the last step line; null with one step line. */
  per_step_ms: number | null;
}

export class StepPaceClock {
  private readonly launchedAt: number;
  private first: { step: number; at: number } | null = null;
  private last: { step: number; at: number } | null = null;

  constructor(private readonly now: () => number) {
    this.launchedAt = now();
  }

  /** A step line arrived (a train or val line); step 0 is validation before any training. */
  note(step: number): void {
    if (step < 1) return;
    const arrival = { step, at: this.now() };
    this.first ??= arrival;
    if (step > (this.last?.step ?? 0)) this.last = arrival;
  }

  pace(): StepPace | null {
    if (!this.first || !this.last) return null;
    const steps = this.last.step - this.first.step;
    return {
      first_step_ms: Math.round(this.first.at - this.launchedAt),
      per_step_ms: steps > 0 ? Math.round((this.last.at - this.first.at) / steps) : null,
    };
  }
}
