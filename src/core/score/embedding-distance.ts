/**
 * The code distances of `speedrun distance` (docs/distance.md): cosine distance and normalized L2 between two
 * embeddings, and the pooling of a long script's chunk embeddings into one vector. Pure arithmetic, no I/O.
 */

export interface Distance {
  /** 1 − cos(a, b), in [0, 2]. */
  cosine: number;
  /** ‖a/‖a‖ − b/‖b‖‖, in [0, 2]: L2 between the unit-normalised vectors (= √(2 · cosine)). */
  l2: number;
}

export function norm(v: readonly number[]): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}

/** v scaled to length 1; a zero vector has no direction, so it is refused (an endpoint that sends one is broken). */
export function unit(v: readonly number[]): number[] {
  const n = norm(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError('a zero (or non-finite) vector has no direction');
  return v.map((x) => x / n);
}

/** Cosine distance and normalized L2 of two vectors of the same length. */
export function distanceBetween(a: readonly number[], b: readonly number[]): Distance {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`vectors of lengths ${a.length} and ${b.length} cannot be compared`);
  const [ua, ub] = [unit(a), unit(b)];
  let dot = 0;
  let squared = 0;
  for (let i = 0; i < ua.length; i++) {
    dot += ua[i]! * ub[i]!;
    squared += (ua[i]! - ub[i]!) ** 2;
  }
  // Rounding can push a dot product of equal directions a hair past 1: distances are clamped to their range.
  return { cosine: Math.min(2, Math.max(0, 1 - dot)), l2: Math.min(2, Math.sqrt(squared)) };
}

/**
 * One vector for a script embedded in chunks: each chunk's embedding normalised to length 1, then averaged with the
 * chunk's length in characters as its weight (a short tail chunk counts for what it holds), then normalised again.
 * One chunk gives its own direction back.
 */
export function poolChunks(vectors: readonly (readonly number[])[], weights: readonly number[]): number[] {
  if (vectors.length === 0 || vectors.length !== weights.length) throw new RangeError('pooling needs one weight per chunk vector, and at least one');
  const dim = vectors[0]!.length;
  const total = weights.reduce((a, b) => a + b, 0);
  const pooled = new Array<number>(dim).fill(0);
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new RangeError(`chunk vectors of lengths ${dim} and ${v.length} cannot be pooled`);
    const u = unit(v);
    const w = total > 0 ? weights[i]! / total : 1 / vectors.length;
    for (let k = 0; k < dim; k++) pooled[k]! += w * u[k]!;
  });
  return unit(pooled);
}
