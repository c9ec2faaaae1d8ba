/**
 * Aggregate statistics over run scores (docs/architecture.md, "Measurement"), following rliable (Agarwal et al. 2021): mean,
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

export type Statistic = 'mean' | 'iqm' | 'median' | 'optimality_gap';

/**
 * rliable's median for runs grouped by task: the median over tasks of each task's mean score (a task with many runs
 * weighs as much as one with few).
 */
export function medianOfTaskMeans(strata: ReadonlyArray<ArrayLike<number>>): number {
  const means = strata.filter((s) => s.length > 0).map((s) => mean(s));
  if (means.length === 0) throw new Error('median of no tasks');
  return medianOfSmall(means);
}

/** rliable's optimality gap with γ = 1: how far the scores fall short of 1 on average, 1 − mean(min(x, 1)). */
export function optimalityGap(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('optimality gap of no values');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.min(values[i]!, 1);
  return 1 - sum / values.length;
}

function medianOfSmall(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * Every resampled value of the mean, the IQM, the median of task means and the optimality gap under a bootstrap
 * stratified by task: each task's runs are redrawn with replacement, as many as it had, so every resample keeps the
 * bench's task mix (rliable's StratifiedBootstrap).
 * `strata` holds one array of scores per task.
 *
 * A resample only repeats values of the original sample, so instead of sorting each resample (n log n, seconds on
 * 10,000 runs × 2,000 resamples) it counts how often each original value was drawn and walks the values sorted once.
 */
export function bootstrapDistributions(strata: ReadonlyArray<ArrayLike<number>>, options: BootstrapOptions = {}): Record<Statistic, Float64Array> {
  const reps = options.reps ?? 2000;
  const random = seededRandom(options.seed ?? 0);
  const nonEmpty = strata.filter((s) => s.length > 0);
  const values = Float64Array.from(nonEmpty.flatMap((s) => Array.from(s)));
  const n = values.length;
  if (n === 0) throw new Error('bootstrap of no values');
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const sorted = Float64Array.from(order, (i) => values[i]!);
  // rankOf[i]: where original value i sits in sorted order; each stratum draws from its own slice of originals.
  const rankOf = new Int32Array(n);
  order.forEach((original, rank) => (rankOf[original] = rank));
  const slices: Array<[start: number, size: number]> = [];
  let offset = 0;
  for (const stratum of nonEmpty) {
    slices.push([offset, stratum.length]);
    offset += stratum.length;
  }
  const counts = new Int32Array(n);
  const out = { mean: new Float64Array(reps), iqm: new Float64Array(reps), median: new Float64Array(reps), optimality_gap: new Float64Array(reps) };
  const taskMeans = new Float64Array(slices.length);
  const cappedValues = values.map((v) => Math.min(v, 1));
  const lo = n / 4;
  const hi = (3 * n) / 4;
  for (let r = 0; r < reps; r++) {
    counts.fill(0);
    let sum = 0;
    let capped = 0;
    for (let t = 0; t < slices.length; t++) {
      const [start, size] = slices[t]!;
      let taskSum = 0;
      for (let i = 0; i < size; i++) {
        const original = start + Math.floor(random() * size);
        taskSum += values[original]!;
        capped += cappedValues[original]!;
        counts[rankOf[original]!]!++;
      }
      taskMeans[t] = taskSum / size;
      sum += taskSum;
    }
    out.mean[r] = sum / n;
    out.optimality_gap[r] = 1 - capped / n;
    taskMeans.sort(); // typed arrays sort numerically, without a comparator call per pair
    const mid = taskMeans.length >> 1;
    out.median[r] = taskMeans.length % 2 ? taskMeans[mid]! : (taskMeans[mid - 1]! + taskMeans[mid]!) / 2;
    // Walk the sorted values with their counts: value k covers the mass [cum, cum + count).
    let cum = 0;
    let middle = 0;
    for (let k = 0; k < n && cum < hi; k++) {
      const c = counts[k]!;
      if (c === 0) continue;
      const weight = Math.min(cum + c, hi) - Math.max(cum, lo);
      if (weight > 0) middle += weight * sorted[k]!;
      cum += c;
    }
    out.iqm[r] = middle / (hi - lo);
  }
  return out;
}

/** One statistic's bootstrap distribution (see bootstrapDistributions). */
export function bootstrapDistribution(strata: ReadonlyArray<ArrayLike<number>>, statistic: Statistic, options: BootstrapOptions = {}): Float64Array {
  return bootstrapDistributions(strata, options)[statistic];
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
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
