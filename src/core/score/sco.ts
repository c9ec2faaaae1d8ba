/**
 * Soft Condorcet Optimization (Lanctot et al., arXiv 2411.00119; docs/architecture.md, "Measurement"): each vote (here: a task) ranks some
 * of the alternatives (configurations); ratings θ minimise Σ_votes Σ_{a ≻ b} σ((θ_b − θ_a)/τ), a smooth count of the
 * pairs the ratings order against a vote (a soft Kendall-tau distance). Full-batch gradient descent with the ratings
 * clipped to a box, as in OpenSpiel's reference solver, so the result is deterministic and needs no seed.
 *
 * Unlike a mean over tasks, a vote only says which configuration beat which, so one task with huge FSR values cannot
 * outweigh many tasks with small ones, and a configuration missing from a task is simply absent from that vote.
 */

/** One vote: groups of alternatives from best to worst; alternatives in the same group are tied (no pair counted). */
export type Vote = string[][];

export interface ScoOptions {
  temperature?: number;
  learningRate?: number;
  iterations?: number;
  /** Ratings are clipped to [-bound, bound]; with τ = 1 ratings a few units apart already decide a pair. */
  bound?: number;
}

export interface ScoRating {
  alternative: string;
  rating: number;
  /** 1-based; equal ratings (within 1e-9) share a rank. */
  rank: number;
}

export function softCondorcetOptimization(votes: readonly Vote[], options: ScoOptions = {}): ScoRating[] {
  const tau = options.temperature ?? 1;
  const lr = options.learningRate ?? 0.1;
  const iterations = options.iterations ?? 2000;
  const bound = options.bound ?? 100;
  const names = [...new Set(votes.flat(2))].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  // Every (winner, loser) pair of every vote, merged into one weighted entry per ordered pair: 20 tasks ranking 100
  // configurations give 99,000 pairs but at most 9,900 distinct ones, and the descent loop touches only typed arrays.
  const n = names.length;
  const pairWeights = new Map<number, number>();
  for (const vote of votes) {
    for (let g = 0; g < vote.length; g++) {
      for (let h = g + 1; h < vote.length; h++) {
        for (const a of vote[g]!)
          for (const b of vote[h]!) {
            const key = index.get(a)! * n + index.get(b)!;
            pairWeights.set(key, (pairWeights.get(key) ?? 0) + 1);
          }
      }
    }
  }
  const winners = Int32Array.from(pairWeights.keys(), (k) => Math.floor(k / n));
  const losers = Int32Array.from(pairWeights.keys(), (k) => k % n);
  const weights = Float64Array.from(pairWeights.values());
  const theta = new Float64Array(names.length);
  const grad = new Float64Array(names.length);
  const scale = votes.length > 0 ? 1 / votes.length : 1;
  for (let it = 0; it < iterations && winners.length > 0; it++) {
    grad.fill(0);
    for (let p = 0; p < winners.length; p++) {
      const a = winners[p]!;
      const b = losers[p]!;
      const s = 1 / (1 + Math.exp((theta[a]! - theta[b]!) / tau)); // σ((θ_b − θ_a)/τ)
      const d = (weights[p]! * s * (1 - s)) / tau; // dσ/dθ_b; the winner gets the opposite sign
      grad[b] = grad[b]! + d;
      grad[a] = grad[a]! - d;
    }
    let moved = 0;
    for (let i = 0; i < theta.length; i++) {
      const next = Math.min(bound, Math.max(-bound, theta[i]! - lr * scale * grad[i]!));
      moved = Math.max(moved, Math.abs(next - theta[i]!));
      theta[i] = next;
    }
    if (moved < 1e-9) break;
  }
  const order = names
    .map((alternative, i) => ({ alternative, rating: theta[i]! }))
    .sort((x, y) => y.rating - x.rating || x.alternative.localeCompare(y.alternative));
  const ranked: ScoRating[] = [];
  for (const [i, entry] of order.entries()) {
    const prev = ranked[i - 1];
    const rank = prev && Math.abs(prev.rating - entry.rating) < 1e-9 ? prev.rank : i + 1;
    ranked.push({ ...entry, rank });
  }
  return ranked;
}

/**
 * A task's vote from each configuration's score on it: higher is better, equal scores tie. Scores are compared
 * after rounding to 1e-9 so float noise from averaging seeds does not invent a preference.
 */
export function voteFromScores(scores: ReadonlyMap<string, number>): Vote {
  const byScore = new Map<number, string[]>();
  for (const [name, score] of scores) {
    const key = Math.round(score * 1e9) / 1e9;
    byScore.set(key, [...(byScore.get(key) ?? []), name]);
  }
  return [...byScore.entries()].sort(([x], [y]) => y - x).map(([, group]) => group.sort());
}
