// What every benchmark shares: the smoke mode and the one machine-readable line it ends with.
//
// BENCH_SMOKE=1 runs a benchmark at toy sizes through the same code path, in seconds, so `npm test`
// (tests/bench-smoke*.test.ts) notices when an API change breaks it. Figures from a smoke run mean nothing and
// its goals are not checked.

export const SMOKE = process.env.BENCH_SMOKE === '1';

/** The full size, or the toy size under BENCH_SMOKE=1. */
export function size(full, smoke) {
  return SMOKE ? smoke : full;
}

/**
 * Prints the benchmark's figures as one line, `BENCH_RESULT {"name":…,"smoke":…,…}`, after its human-readable
 * lines; the smoke tests check its shape. A goal missed outside smoke mode fails the benchmark (exit code 1).
 */
export function report(name, figures, goalMet = true) {
  console.log(`BENCH_RESULT ${JSON.stringify({ name, smoke: SMOKE, ...figures })}`);
  if (!SMOKE && !goalMet) process.exitCode = 1;
}
