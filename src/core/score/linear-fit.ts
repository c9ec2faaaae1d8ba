/** Ordinary least squares of y on x, with its R²: how much of FSR's spread a distance explains. */

export interface LinearFit {
  /** Points fitted. */
  n: number;
  slope: number;
  intercept: number;
  /** 1 − SS_res / SS_tot, in [0, 1] (for one predictor with an intercept it is Pearson's r²). */
  r2: number;
}

/** The fit, or null with fewer than 3 points or when x or y has no spread (no line, or nothing to explain). */
export function leastSquares(xs: readonly number[], ys: readonly number[]): LinearFit | null {
  const n = xs.length;
  if (n < 3 || ys.length !== n) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssRes = 0;
  for (let i = 0; i < n; i++) ssRes += (ys[i]! - (intercept + slope * xs[i]!)) ** 2;
  return { n, slope, intercept, r2: Math.min(1, Math.max(0, 1 - ssRes / syy)) };
}
