import { median as medianOf } from '../score/stats.js';
import { percentileInterval, seededRandom } from './stats.js';

/**
 * The benchmark paper's aggregation (arXiv 2506.22419, its notebook analysis/plot_iqm_hint_model_search.ipynb): rliable's
 * get_interval_estimates with [median, IQM, mean, optimality gap] over a score matrix. The paper hands rliable a
 * (rows × 3) matrix (one row per task and configuration, the best 3 runs as columns), and rliable reads a matrix as
 * (runs × tasks), so its "tasks" are the 3 columns: the median is over the 3 column means, and the bootstrap redraws
 * rows within each column. Mirrored here exactly, so the point estimates equal the notebook's printed figures.
 */

export type PaperMatrix = ReadonlyArray<ReadonlyArray<number>>;

export const PAPER_METRICS = ['median', 'iqm', 'mean', 'optimality_gap'] as const;
export type PaperMetric = (typeof PAPER_METRICS)[number];
export type PaperAggregates = Record<PaperMetric, number>;

/**
 * scipy.stats.trim_mean(values, cut): drops int(cut · n) values from each end of the sorted values and averages the
 * rest, unweighted (rliable's aggregate_iqm is trim_mean(·, 0.25)). Our default report's IQM (stats.ts iqm) instead
 * weights the two cut values so every n averages exactly the middle 50%; the two differ when n is not a multiple of 4.
 */
export function trimMean(values: ArrayLike<number>, cut = 0.25): number {
  const n = values.length;
  if (n === 0) throw new Error('trimmed mean of no values');
  const k = Math.floor(cut * n);
  if (k >= n - k) throw new Error(`cannot trim ${k} of ${n} values from each end`);
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let sum = 0;
  for (let i = k; i < n - k; i++) sum += sorted[i]!;
  return sum / (n - 2 * k);
}

/** Columns of equal length; a ragged or empty matrix is a bug in whoever built it. */
function checkMatrix(matrix: PaperMatrix): number {
  const width = matrix[0]?.length ?? 0;
  if (matrix.length === 0 || width === 0) throw new Error('paper aggregates of an empty matrix');
  for (const [i, row] of matrix.entries()) {
    if (row.length !== width) throw new Error(`matrix row ${i} has ${row.length} values, row 0 has ${width}`);
  }
  return width;
}

/**
 * rliable's four aggregates of a (rows × columns) matrix: median of the column means, trim_mean(all, 0.25), mean of
 * the column means, and optimality gap 1 − mean(min(x, 1)) (γ = 1).
 */
export function paperAggregates(matrix: PaperMatrix): PaperAggregates {
  const width = checkMatrix(matrix);
  const columnMeans = Array.from({ length: width }, (_, j) => matrix.reduce((s, row) => s + row[j]!, 0) / matrix.length);
  const all = matrix.flat();
  return {
    median: medianOf(columnMeans),
    iqm: trimMean(all, 0.25),
    mean: columnMeans.reduce((a, b) => a + b, 0) / width,
    optimality_gap: 1 - all.reduce((s, x) => s + Math.min(x, 1), 0) / all.length,
  };
}

export interface PaperBootstrapOptions {
  reps: number;
  seed: number;
  /** Two-sided level, 0.95 for a 95% interval. */
  level: number;
}

export type PaperIntervals = Record<PaperMetric, [number, number]>;

/**
 * Percentile CIs of the four aggregates under rliable's StratifiedBootstrap: in every resample each column's rows are
 * redrawn with replacement, as many as it has. Our generator (stats.ts seededRandom) is not numpy's, so the intervals
 * agree with the paper's in distribution only, never digit for digit.
 *
 * Each resample only repeats original values, so rather than sorting it (the trimmed mean needs order) it counts how
 * often each original was drawn and walks the originals sorted once: 50,000 resamples of 1,600 values stay fast.
 */
export function paperBootstrap(matrix: PaperMatrix, options: PaperBootstrapOptions): PaperIntervals {
  const width = checkMatrix(matrix);
  const rows = matrix.length;
  const n = rows * width;
  // Original value (column j, row i) sits at j * rows + i.
  const values = new Float64Array(n);
  for (let j = 0; j < width; j++) for (let i = 0; i < rows; i++) values[j * rows + i] = matrix[i]![j]!;
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const sorted = Float64Array.from(order, (k) => values[k]!);
  const rankOf = new Int32Array(n);
  order.forEach((original, rank) => (rankOf[original] = rank));
  const cut = Math.floor(0.25 * n);
  const random = seededRandom(options.seed);
  const counts = new Int32Array(n);
  const columnMeans = new Array<number>(width);
  const dist = {
    median: new Float64Array(options.reps),
    iqm: new Float64Array(options.reps),
    mean: new Float64Array(options.reps),
    optimality_gap: new Float64Array(options.reps),
  };
  for (let r = 0; r < options.reps; r++) {
    counts.fill(0);
    let total = 0;
    let capped = 0;
    for (let j = 0; j < width; j++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) {
        const original = j * rows + Math.floor(random() * rows);
        const v = values[original]!;
        sum += v;
        capped += Math.min(v, 1);
        counts[rankOf[original]!]!++;
      }
      columnMeans[j] = sum / rows;
      total += sum;
    }
    // Sorted positions [cut, n − cut) are the trimmed mean's: value k covers positions [seen, seen + count).
    let seen = 0;
    let middle = 0;
    for (let k = 0; k < n && seen < n - cut; k++) {
      const c = counts[k]!;
      if (c === 0) continue;
      const inside = Math.min(seen + c, n - cut) - Math.max(seen, cut);
      if (inside > 0) middle += inside * sorted[k]!;
      seen += c;
    }
    dist.median[r] = medianOf(columnMeans);
    dist.iqm[r] = middle / (n - 2 * cut);
    dist.mean[r] = total / n;
    dist.optimality_gap[r] = 1 - capped / n;
  }
  const interval = (d: Float64Array): [number, number] => {
    const ci = percentileInterval(d, options.level);
    return [ci.low, ci.high];
  };
  return { median: interval(dist.median), iqm: interval(dist.iqm), mean: interval(dist.mean), optimality_gap: interval(dist.optimality_gap) };
}
