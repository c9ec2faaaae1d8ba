/**
 * Fraction of Speedup Recovered (DESIGN.md §3, arXiv 2506.22419):
 *   FSR = (t_i − t*) / (t_i − t_{i+1}),  t* = min(t_i, best valid node's time).
 * The baseline counts as a node, so FSR ≥ 0; values above 1 (the agent beat the next record) are kept unclipped.
 *
 * @param baselineMs t_i, record i's time to target
 * @param targetMs   t_{i+1}, record i+1's time to target
 * @param bestMs     the best valid node's time, or null when no node reached the target
 */
export function fsr(baselineMs: number, targetMs: number, bestMs: number | null): number {
  requirePositiveTime('baseline time t_i', baselineMs);
  requirePositiveTime('target time t_{i+1}', targetMs);
  if (bestMs !== null) requirePositiveTime('best time t*', bestMs);
  if (baselineMs <= targetMs) {
    throw new RangeError(
      `FSR is undefined: baseline time t_i = ${baselineMs} ms is not larger than target time t_{i+1} = ${targetMs} ms, so there is no speedup to recover`,
    );
  }
  const best = bestMs === null ? baselineMs : Math.min(baselineMs, bestMs);
  return (baselineMs - best) / (baselineMs - targetMs);
}

/** Above this an FSR is implausible enough to need a human look (the agent more than halved the next gap again). */
export const FSR_REVIEW_ABOVE = 1.5;

/** Reasons to review an FSR value; [] when it is plausible. */
export function fsrFlags(value: number, reviewAbove: number = FSR_REVIEW_ABOVE): string[] {
  if (!Number.isFinite(value)) return [`FSR ${value} is not a finite number`];
  const flags: string[] = [];
  if (value < 0) flags.push(`FSR ${fmt(value)} is negative, which fsr() never returns: check how it was computed`);
  if (value > reviewAbove) {
    flags.push(
      `FSR ${fmt(value)} > ${reviewAbove}: the agent beat the next record by far; review the edit for integrity (timer, validation, data) and re-run it`,
    );
  }
  return flags;
}

function requirePositiveTime(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive finite number of ms, got ${value}`);
}

function fmt(value: number): string {
  return Number(value.toFixed(3)).toString();
}
