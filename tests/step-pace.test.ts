import { describe, expect, it } from 'vitest';
import { StepPaceClock } from '../src/core/measure/step-pace.js';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('step pace', () => {
  it('measures launch to the first training step apart from the mean of later steps', () => {
    const clock = manualClock();
    const pace = new StepPaceClock(clock.now);
    clock.advance(5_000);
    pace.note(0); // validation before training: not a step
    clock.advance(95_000); // the compile of step 1
    pace.note(1);
    for (let step = 2; step <= 10; step++) {
      clock.advance(200);
      pace.note(step);
      pace.note(step); // a val line of the same step
    }
    expect(pace.pace()).toEqual({ first_step_ms: 100_000, per_step_ms: 200 });
  });

  it('has no per-step figure with one step, and nothing before any step', () => {
    const clock = manualClock();
    const pace = new StepPaceClock(clock.now);
    pace.note(0);
    expect(pace.pace()).toBeNull();
    clock.advance(30);
    pace.note(1);
    expect(pace.pace()).toEqual({ first_step_ms: 30, per_step_ms: null });
  });
});
