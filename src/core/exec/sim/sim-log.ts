/**
 * The stdout of a simulated training, in the modded-nanogpt format the log parser reads (validation lines
 * `step:N/M val_loss:X train_time:Tms step_avg:Ams`): the loss falls linearly and first reaches the target on
 * the last step, at the simulated time, so both timing rules (final, first-crossing) read that time.
 */
export const SIM_STEPS = 10;
/** How far above the target the loss starts, and how far below it the last validation ends. */
const START_ABOVE = 2;
const END_BELOW = 0.005;

/** The lines up to `fraction` of the run (1: all of it; less: a run stopped part-way). */
export function simLogLines(timeMs: number, targetValLoss: number, fraction = 1): string[] {
  const lines = ['simulated training (speedrun --executor sim): no process was started'];
  const lastStep = Math.floor(SIM_STEPS * Math.min(1, Math.max(0, fraction)));
  for (let step = 0; step <= lastStep; step++) {
    const done = step / SIM_STEPS;
    const loss = step === SIM_STEPS ? targetValLoss - END_BELOW : targetValLoss + START_ABOVE * (1 - done);
    const trainMs = Math.round(timeMs * done);
    const avg = step === 0 ? 'nan' : (trainMs / step).toFixed(2);
    lines.push(`step:${step}/${SIM_STEPS} val_loss:${loss.toFixed(4)} train_time:${trainMs}ms step_avg:${avg}ms`);
  }
  return lines;
}
