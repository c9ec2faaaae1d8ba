import { lineTip } from './debug-lines.js';
import type { SearchView, TreeNode } from './scaffold.js';
import { isValid, speedup } from './tree-queries.js';

/**
 * The population of aira-dojo's evolutionary solver (solvers/evo/evo.py, one island, no migration), computed afresh
 * from the finished tree. Each individual of a generation is a line (its head and the debug attempts on it); the line's
 * last node counts when it reached the target. Generation 0 seeds the population with all of them; later generations
 * add one only when its fitness is at least the population's mean at that moment (aira-dojo's add_nodes_to_islands).
 * Fitness = t_i / time_to_target (speed-up). Missed-target nodes have no time, so they never join.
 */
export interface Member {
  node: number;
  fitness: number;
}

export interface Population {
  members: Member[];
  /** Smallest and largest fitness of every valid individual seen, admitted or not (aira-dojo's global range). */
  min: number;
  max: number;
}

/** The population that generation `generation` samples from: generations 0 .. generation-1 of `heads`. */
export function populationBefore(view: SearchView, heads: readonly TreeNode[], perGeneration: number, generation: number): Population {
  const population: Population = { members: [], min: Infinity, max: -Infinity };
  for (let g = 0; g < generation; g++) {
    for (const head of heads.slice(g * perGeneration, (g + 1) * perGeneration)) {
      const final = lineTip(view, head);
      if (!isValid(final)) continue;
      const fitness = speedup(final, view.baselineMs)!;
      population.min = Math.min(population.min, fitness);
      population.max = Math.max(population.max, fitness);
      const members = population.members;
      const mean = members.reduce((sum, m) => sum + m.fitness, 0) / members.length;
      if (g === 0 || members.length === 0 || fitness >= mean) members.push({ node: final.node, fitness });
    }
  }
  return population;
}

/** aira-dojo's parent weights: softmax over min-max-normalised fitness (0.5 each when the range is a point). */
export function selectionWeights(population: Population, temperature: number): number[] {
  const { min, max } = population;
  const scores = population.members.map((m) => (max === min ? 0.5 : (m.fitness - min) / (max - min)) / temperature);
  const top = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - top));
  const total = exps.reduce((sum, e) => sum + e, 0);
  return exps.map((e) => e / total);
}
