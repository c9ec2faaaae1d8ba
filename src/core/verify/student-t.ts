/**
 * Student's t distribution, enough for a one-sided one-sample t-test (the verification runs' val-loss test).
 * Written here rather than pulled in as a dependency: it is forty lines of textbook numerics (Lanczos log-gamma,
 * the incomplete beta function by Lentz's continued fraction, as in Numerical Recipes §6.1–6.4).
 */

const LANCZOS = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];

export function logGamma(x: number): number {
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let series = 1.000000000190015;
  for (const c of LANCZOS) series += c / ++y;
  return -tmp + Math.log((2.5066282746310005 * series) / x);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = Math.abs(c) < TINY ? TINY : c;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = Math.abs(c) < TINY ? TINY : c;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for T ~ Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`degrees of freedom must be positive, got ${df}`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

export interface OneSidedTest {
  mean: number;
  /** Sample standard deviation (n − 1). */
  sd: number;
  n: number;
  df: number;
  /** (threshold − mean) / (sd / √n): large when the mean is clearly below the threshold. */
  t: number;
  /** P(T ≥ t) under H0 "the true mean is at the threshold": small means the mean is below it. */
  p: number;
}

/**
 * One-sided one-sample t-test of H1 "the true mean is below `threshold`" (upstream's rule for val loss ≤ target).
 * Needs two values at least. With no spread at all (deterministic CPU training repeats exactly), the test
 * degenerates: p is 0 when the mean is below the threshold and 1 otherwise.
 */
export function oneSidedTTestBelow(values: readonly number[], threshold: number): OneSidedTest | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const df = n - 1;
  if (sd === 0) return { mean, sd, n, df, t: mean < threshold ? Infinity : mean > threshold ? -Infinity : 0, p: mean < threshold ? 0 : 1 };
  const t = (threshold - mean) / (sd / Math.sqrt(n));
  return { mean, sd, n, df, t, p: 1 - studentTCdf(t, df) };
}

export function meanAndSd(values: readonly number[]): { mean: number; sd: number | null } | null {
  if (values.length === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = values.length < 2 ? null : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd };
}
