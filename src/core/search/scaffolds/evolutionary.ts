import { z } from 'zod';
import { nextLineDebug } from './debug-lines.js';
import { populationBefore, selectionWeights } from './evo-population.js';
import { countParam, depthParam, maxNodesParam, probabilityParam } from './params.js';
import { pickWeighted } from './random.js';
import type { Decision, Scaffold, SearchView, TreeNode } from './scaffold.js';
import { capReached, DONE, expand, headNodes, inFlightCount, ROOT, WAIT } from './tree-queries.js';

/**
 * The evolutionary search of aira-dojo (solvers/evo/evo.py; settings from configs/solver/mlebench/evo.yaml,
 * arXiv 2507.02554: one island, no migration, constant temperature):
 * - max_nodes: 20 (docs/architecture.md, "Scaffolds")
 * - individuals_per_generation: 5; generation 0 drafts them
 * - crossover_prob: 0.5, the chance that an individual is a crossover of two parents rather than an improve of one
 * - generations_till_crossover: 2 (num_generations_till_crossover): earlier generations only improve
 * - temperature: 1.0 (initial_temp = final_temp), of the softmax over normalised fitness that picks parents
 * - max_debug_depth: 10, debug nodes in a row on a buggy individual (its debug cycle)
 * A generation's individuals are all chosen from the population as it stood when the generation began (see
 * evo-population.ts), so they start together; buggy ones are then debugged in sequence, individual by individual,
 * and the next generation begins once every line is resolved. Each individual's first draw picks its operator, the
 * next one or two its parents (two distinct ones for crossover, drawn without replacement). With an empty population
 * it drafts (as aira-dojo does); with a single member a crossover becomes an improve (aira-dojo would fail there).
 */
export const EvolutionaryParams = z.strictObject({
  max_nodes: maxNodesParam,
  individuals_per_generation: countParam(5),
  crossover_prob: probabilityParam(0.5),
  generations_till_crossover: z.int().min(0).default(2),
  temperature: z.number().positive().default(1),
  max_debug_depth: depthParam(10),
});
export type EvolutionaryParams = z.output<typeof EvolutionaryParams>;

export function evolutionaryScaffold(params: EvolutionaryParams): Scaffold {
  return {
    name: 'evolutionary',
    params: { ...params },
    next(view, random) {
      if (capReached(view, params.max_nodes)) return DONE;
      const heads = headNodes(view);
      const size = params.individuals_per_generation;
      if (heads.length % size !== 0) return newIndividual(view, heads, Math.floor(heads.length / size), random, params);
      const debug = nextLineDebug(view, heads, params.max_debug_depth);
      if (debug) return debug;
      if (inFlightCount(view) > 0) return WAIT;
      return newIndividual(view, heads, heads.length / size, random, params);
    },
  };
}

function newIndividual(view: SearchView, heads: readonly TreeNode[], generation: number, random: () => number, params: EvolutionaryParams): Decision {
  if (generation === 0) return expand('draft', ROOT);
  const population = populationBefore(view, heads, params.individuals_per_generation, generation);
  const wantsCrossover = random() < params.crossover_prob && generation >= params.generations_till_crossover;
  const members = population.members;
  if (members.length === 0) return expand('draft', ROOT);
  const weights = selectionWeights(population, params.temperature);
  const first = pickWeighted(random, weights);
  if (!wantsCrossover || members.length < 2) return expand('improve', members[first]!.node);
  const others = members.map((_, i) => i).filter((i) => i !== first);
  const second =
    others[
      pickWeighted(
        random,
        others.map((i) => weights[i]!),
      )
    ]!;
  return expand('crossover', members[first]!.node, members[second]!.node);
}
