/**
 * Fraction of Speedup Recovered (docs/architecture.md, "Measurement"; arXiv 2506.22419):
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

/**
 * t* for a score so far, before a scoring round: a node is scored by its speedup over node 0 as the same run measured
 * it, t* = t_i × best / node 0 (with re-timing node 0 trains in the run; without, node 0's time is t_i itself and
 * t* is the node's own time).
 */
export function bestAgainstNode0(baselineMs: number, node0Ms: number | null, bestMs: number | null): number | null {
  if (bestMs === null || node0Ms === null || node0Ms <= 0) return bestMs;
  return (baselineMs * bestMs) / node0Ms;
}

/**
 * An FSR as the CLI, the terminal UI and the report all write it: three decimals, `missing` where there is none (the
 * report passes its own dash so its tables stay uniform).
 */
export function formatFsr(value: number | null | undefined, missing = '—'): string {
  return value === null || value === undefined ? missing : value.toFixed(3);
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
