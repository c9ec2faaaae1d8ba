/**
 * Seeded randomness for scaffold decisions. Each decision gets its own generator, keyed by the run's seed and the id
 * of the node about to be created, so a decision's draws never depend on how many draws earlier decisions made or on
 * how often the engine asked before the decision could be taken.
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32 (Tommy Ettinger): a small 32-bit generator, good enough for choosing among a handful of nodes. */
function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform draws in [0, 1) for the decision that creates `node` in a run seeded with `seed`. */
export function decisionRandom(seed: number, node: number): () => number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  if (!Number.isSafeInteger(node) || node < 0) throw new RangeError(`node must be a non-negative integer, got ${node}`);
  // Both halves of a seed wider than 32 bits count; the golden-ratio step keeps nearby (seed, node) pairs apart.
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) >>> 0;
  const key = fmix32(fmix32(low ^ fmix32(high + 0x9e3779b9)) + Math.imul(node, 0x9e3779b9));
  return mulberry32(key);
}

/** An index in [0, n) drawn uniformly. */
export function pickIndex(random: () => number, n: number): number {
  if (n <= 0) throw new RangeError('cannot pick from an empty list');
  return Math.min(n - 1, Math.floor(random() * n));
}

/** An index drawn with probability proportional to its (non-negative) weight; uniform when all weights are zero. */
export function pickWeighted(random: () => number, weights: readonly number[]): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0)) return pickIndex(random, weights.length);
  let remaining = random() * total;
  for (let i = 0; i < weights.length; i++) {
    remaining -= weights[i]!;
    if (remaining < 0) return i;
  }
  // Rounding can leave a sliver past the last weight; it belongs to the last index with any weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return weights.length - 1;
}
