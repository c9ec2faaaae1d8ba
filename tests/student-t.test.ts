import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, meanAndSd, oneSidedTTestBelow, studentTCdf } from '../src/core/verify/student-t.js';

describe("Student's t distribution", () => {
  it('matches log-gamma at known points', () => {
    expect(logGamma(1)).toBeCloseTo(0, 10);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
  });

  it('matches the incomplete beta function where it has a closed form', () => {
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 12);
    expect(incompleteBeta(0.5, 3, 3)).toBeCloseTo(0.5, 12);
  });

  // Critical values from standard t tables (two decimals of t, so the CDF matches to about 4 places).
  it.each([
    [1, 1, 0.75], // Cauchy: 1/2 + atan(1)/π
    [6.314, 1, 0.95],
    [2.015, 5, 0.95],
    [2.228, 10, 0.975],
    [2.764, 10, 0.99],
    [1.725, 20, 0.95],
    [3.365, 5, 0.99],
    [6.965, 2, 0.99],
    [0, 7, 0.5],
  ])('CDF(%f; df %i) = %f', (t, df, p) => {
    expect(studentTCdf(t, df)).toBeCloseTo(p, 3);
    expect(studentTCdf(-t, df)).toBeCloseTo(1 - p, 3);
  });

  it('approaches the normal distribution for many degrees of freedom', () => {
    expect(studentTCdf(1.959964, 1e7)).toBeCloseTo(0.975, 5);
    expect(studentTCdf(Infinity, 3)).toBe(1);
  });

  it('gives the exact Cauchy CDF for one degree of freedom', () => {
    for (const t of [-3, -0.5, 0.2, 4]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 10);
  });
});

describe('the one-sided t-test that a mean is below a threshold', () => {
  it('gives a small p for values clearly below, a large one for values above', () => {
    // mean 3.275, sd 0.001, n 4: t = 0.005 / 0.0005 = 10 with 3 df, p ≈ 0.00106.
    const below = oneSidedTTestBelow([3.274, 3.275, 3.276, 3.275], 3.28)!;
    expect(below.t).toBeCloseTo(10 / Math.sqrt(2 / 3), 6);
    expect(below.df).toBe(3);
    expect(below.p).toBeLessThan(0.01);
    expect(oneSidedTTestBelow([3.279, 3.283, 3.281], 3.28)!.p).toBeGreaterThan(0.5);
  });

  it('matches a textbook p-value', () => {
    // t = 2.015 with 5 df is the one-sided 5% point.
    const values = [0, 0, 0, 0, 0, 0].map((_, i) => (i % 2 ? 1 : -1));
    const { sd } = meanAndSd(values)!;
    const threshold = (2.015 * sd!) / Math.sqrt(6);
    expect(oneSidedTTestBelow(values, threshold)!.p).toBeCloseTo(0.05, 3);
  });

  it('needs two values, and takes repeats without spread as exact', () => {
    expect(oneSidedTTestBelow([3.2], 3.28)).toBeNull();
    expect(oneSidedTTestBelow([1.8, 1.8, 1.8], 1.9)).toMatchObject({ p: 0, sd: 0 });
    expect(oneSidedTTestBelow([2.0, 2.0], 1.9)).toMatchObject({ p: 1 });
  });
});
