import { describe, expect, it } from 'vitest';
import { bootstrapDistributions, differenceCI, iqm, mean, seededRandom, stratifiedBootstrapCI } from '../src/core/score/stats.js';

describe('the interquartile mean', () => {
  it('averages the middle half of 8 values by hand', () => {
    // Sorted: 0 1 2 3 4 5 6 100 → middle half is 2 3 4 5.
    expect(iqm([100, 5, 0, 3, 1, 6, 2, 4])).toBe(3.5);
  });

  it('weights the cut values when n is not a multiple of 4', () => {
    // n = 5: mass [1.25, 3.75) → 0.75·v1 + v2 + 0.75·v3 over 2.5 = (0.75·2 + 3 + 0.75·4) / 2.5.
    expect(iqm([2, 3, 4, 1000, -1000])).toBeCloseTo((0.75 * 2 + 3 + 0.75 * 4) / 2.5, 12);
    expect(iqm([7])).toBe(7);
  });

  it('ignores outliers that move the mean', () => {
    const values = [0.2, 0.3, 0.25, 0.35, 0.3, 0.28, 0.31, 9];
    expect(mean(values)).toBeGreaterThan(1);
    expect(iqm(values)).toBeCloseTo(0.2975, 4);
  });
});

describe('the stratified bootstrap', () => {
  /** Normal draws by Box–Muller from the seeded generator. */
  function normal(random: () => number, mu: number, sd: number): number {
    return mu + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }

  it('computes the mean, IQM, median of task means and optimality gap exactly as a naive resample would', () => {
    const strata = [[0.5, 0.1, 0.9, 0.1], [2, -1, 0.3], [0.7]];
    const dist = bootstrapDistributions(strata, { seed: 11, reps: 50 });
    const random = seededRandom(11);
    for (let r = 0; r < 50; r++) {
      const sample = strata.flatMap((s) => s.map(() => s[Math.floor(random() * s.length)]!));
      expect(dist.mean[r]).toBeCloseTo(mean(sample), 12);
      expect(dist.iqm[r]).toBeCloseTo(iqm(sample), 12);
      // Strata keep their sizes (4, 3, 1): the median of the three task means, and the optimality gap.
      const taskMeans = [mean(sample.slice(0, 4)), mean(sample.slice(4, 7)), sample[7]!].sort((x, y) => x - y);
      expect(dist.median[r]).toBeCloseTo(taskMeans[1]!, 12);
      expect(dist.optimality_gap[r]).toBeCloseTo(1 - mean(sample.map((x) => Math.min(x, 1))), 12);
    }
  });

  it('is reproducible for a seed', () => {
    const random = seededRandom(1);
    const strata = [0, 1, 2].map(() => Array.from({ length: 15 }, () => random()));
    expect(stratifiedBootstrapCI(strata, 'mean', { seed: 7 })).toEqual(stratifiedBootstrapCI(strata, 'mean', { seed: 7 }));
    expect(stratifiedBootstrapCI(strata, 'mean', { seed: 7 })).not.toEqual(stratifiedBootstrapCI(strata, 'mean', { seed: 8 }));
  });

  it('covers the known mean about 95% of the time', () => {
    // 200 synthetic benches of 5 tasks × 6 seeds, task means differ; the population mean is known exactly.
    const taskMeans = [0.1, 0.3, 0.5, 0.7, 0.9];
    const truth = mean(taskMeans);
    const random = seededRandom(42);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const strata = taskMeans.map((mu) => Array.from({ length: 6 }, () => normal(random, mu, 0.2)));
      const ci = stratifiedBootstrapCI(strata, 'mean', { seed: t, reps: 1000 });
      if (ci.low <= truth && truth <= ci.high) covered++;
    }
    // Percentile intervals run slightly narrow on 6 draws per task; 95% ± sampling noise of 200 trials.
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThanOrEqual(0.99);
  });

  it('gives an IQM interval that contains the IQM and a difference interval around the true gap', () => {
    const random = seededRandom(3);
    const a = [0, 1, 2].map(() => Array.from({ length: 20 }, () => normal(random, 0.6, 0.1)));
    const b = [0, 1, 2].map(() => Array.from({ length: 20 }, () => normal(random, 0.4, 0.1)));
    const ci = stratifiedBootstrapCI(a, 'iqm');
    expect(ci.low).toBeLessThanOrEqual(iqm(a.flat()));
    expect(ci.high).toBeGreaterThanOrEqual(iqm(a.flat()));
    const diff = differenceCI(a, b, 'mean');
    expect(diff.low).toBeGreaterThan(0.1);
    expect(diff.high).toBeLessThan(0.3);
  });
});
