import type { ParsedLog } from './log-parser.js';

export interface ClockCheckInput {
  parsed: ParsedLog;
  /** The harness's own wall clock for the whole process, or null when it was not measured. */
  wallMs: number | null;
  exitCode?: number | null;
}

/**
 * Cross-checks the script's own clock and output against what the harness saw once the process ended
 * (docs/architecture.md, "Measurement"). Returns warnings, one sentence each with the numbers in question; [] when all is plausible.
 */
export function checkClock({ parsed, wallMs, exitCode }: ClockCheckInput): string[] {
  const warnings: string[] = [];
  const { final, points, last_train: lastTrain } = parsed;

  if (exitCode !== undefined && exitCode !== null && exitCode !== 0) {
    warnings.push(`the process exited with code ${exitCode}`);
  }

  if (final === null) {
    warnings.push(
      lastTrain === null
        ? 'no validation line in the output: the final val_loss line is missing'
        : `no validation line in the output: the final val_loss line is missing (last train line at step ${lastTrain.step}${ofTotal(lastTrain.total_steps)})`,
    );
  } else {
    if (final.total_steps !== null && final.step < final.total_steps) {
      warnings.push(`the log stops early: the last validation line is at step ${final.step} of ${final.total_steps}`);
    }
    if (final.train_time_ms === null) {
      warnings.push(`the final validation line (step ${final.step}) has no train_time: time to target cannot be measured`);
    }
  }
  if (lastTrain !== null && final !== null && lastTrain.step > final.step) {
    warnings.push(`training went on to step ${lastTrain.step}${ofTotal(lastTrain.total_steps)} after the last validation line (step ${final.step})`);
  }

  const nonFinite = points.filter((p) => !Number.isFinite(p.val_loss));
  const firstBad = nonFinite[0];
  if (firstBad !== undefined) {
    warnings.push(`val_loss is not finite on ${nonFinite.length} of ${points.length} validation lines (first ${firstBad.val_loss} at step ${firstBad.step})`);
  }

  const maxTime = maxTrainTime(parsed);
  if (wallMs !== null && maxTime !== null && maxTime.ms > wallMs) {
    warnings.push(
      `train_time ${maxTime.ms} ms at step ${maxTime.step} is larger than the harness's wall time of the whole process (${Math.round(wallMs)} ms): the script's clock cannot be true`,
    );
  }

  for (const r of parsed.time_regressions) {
    if (r.warmup_reset) continue;
    warnings.push(`train_time went backwards at line ${r.line} (step ${r.step}): ${r.from_ms} ms -> ${r.to_ms} ms`);
  }
  return warnings;
}

function maxTrainTime(parsed: ParsedLog): { ms: number; step: number } | null {
  let best: { ms: number; step: number } | null = null;
  const candidates = [...parsed.points, ...(parsed.last_train ? [parsed.last_train] : [])];
  for (const p of candidates) {
    if (p.train_time_ms !== null && (best === null || p.train_time_ms > best.ms)) best = { ms: p.train_time_ms, step: p.step };
  }
  return best;
}

function ofTotal(total: number | null): string {
  return total === null ? '' : ` of ${total}`;
}
