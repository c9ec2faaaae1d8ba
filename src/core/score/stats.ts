/**
 * Aggregate statistics over run scores (DESIGN.md §3 "Aggregation"), following rliable (Agarwal et al. 2021): mean,
 * interquartile mean and percentile confidence intervals from a bootstrap stratified by task. Everything random is
 * drawn from a seeded generator, so a report is reproducible bit for bit.
 */

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('mean of no values');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Interquartile mean: the mean of the middle 50% of the sorted values, with fractional weights at the two cut points
 * when n is not a multiple of 4 (scipy.stats.trim_mean-like, but weighted so every n gives the exact 25%–75% mass:
 * rliable's IQM on few runs otherwise jumps between trimming too much and too little).
 */
export function iqm(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new Error('IQM of no values');
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return iqmOfSorted(sorted);
}

/** IQM of values already sorted ascending (the bootstrap sorts each resample once). */
export function iqmOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  const lo = n / 4;
  const hi = (3 * n) / 4;
  let sum = 0;
  // Value i covers the mass [i, i+1); count only the part inside [n/4, 3n/4).
  for (let i = Math.floor(lo); i < Math.ceil(hi); i++) {
    const weight = Math.min(i + 1, hi) - Math.max(i, lo);
    if (weight > 0) sum += weight * sorted[i]!;
  }
  return sum / (hi - lo);
}

/** Linear-interpolation quantile (numpy's default) of values sorted ascending. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no values');
  const pos = (sorted.length - 1) * q;
  const below = Math.floor(pos);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (pos - below);
}

/** mulberry32: a tiny, fast, seedable PRNG; good enough for resampling, and the same on every platform. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Resamples; 2,000 keeps the 2.5% tails stable to about ±0.01 FSR on typical benches. */
  reps?: number;
  seed?: number;
  /** Two-sided level, 0.95 for a 95% interval. */
  level?: number;
}

export type Statistic = 'mean' | 'iqm';

/**
 * Every resampled value of a statistic under a bootstrap stratified by task: each task's runs are redrawn with
 * replacement, as many as it had, so every resample keeps the bench's task mix (rliable's StratifiedBootstrap).
 * `strata` holds one array of scores per task.
 */
export function bootstrapDistribution(strata: ReadonlyArray<ArrayLike<number>>, statistic: Statistic, options: BootstrapOptions = {}): Float64Array {
  const reps = options.reps ?? 2000;
  const random = seededRandom(options.seed ?? 0);
  const nonEmpty = strata.filter((s) => s.length > 0);
  const total = nonEmpty.reduce((n, s) => n + s.length, 0);
  if (total === 0) throw new Error('bootstrap of no values');
  const out = new Float64Array(reps);
  const sample = new Float64Array(total);
  for (let r = 0; r < reps; r++) {
    let k = 0;
    for (const stratum of nonEmpty) {
      const size = stratum.length;
      for (let i = 0; i < size; i++) sample[k++] = stratum[Math.floor(random() * size)]!;
    }
    out[r] = statistic === 'mean' ? mean(sample) : iqmOfSorted(sample.sort());
  }
  return out;
}

/** Percentile interval of a bootstrap distribution. */
export function percentileInterval(distribution: Float64Array, level = 0.95): Interval {
  const sorted = Float64Array.from(distribution).sort();
  const tail = (1 - level) / 2;
  return { low: quantileOfSorted(sorted, tail), high: quantileOfSorted(sorted, 1 - tail) };
}

/** 95% (or `level`) stratified-bootstrap percentile CI of the mean or IQM. */
export function stratifiedBootstrapCI(strata: ReadonlyArray<ArrayLike<number>>, statistic: Statistic, options: BootstrapOptions = {}): Interval {
  return percentileInterval(bootstrapDistribution(strata, statistic, options), options.level ?? 0.95);
}

/**
 * CI of a difference of statistics between two independent result sets (A − B), each resampled within its own
 * tasks; the two draws use different seeds so they are not accidentally correlated.
 */
export function differenceCI(
  a: ReadonlyArray<ArrayLike<number>>,
  b: ReadonlyArray<ArrayLike<number>>,
  statistic: Statistic,
  options: BootstrapOptions = {},
): Interval {
  const seed = options.seed ?? 0;
  const da = bootstrapDistribution(a, statistic, { ...options, seed });
  const db = bootstrapDistribution(b, statistic, { ...options, seed: seed + 0x9e3779b9 });
  const diff = da.map((v, i) => v - db[i]!);
  return percentileInterval(diff, options.level ?? 0.95);
}
