import type { SearchView } from './scaffold.js';
import { childrenOf, nodeAt, ROOT, speedup } from './tree-queries.js';

/**
 * MCTS statistics as aira-dojo keeps them (solvers/mcts/mcts.py), computed afresh from the finished tree. There,
 * every node that runs without a bug backs its value up once, along the path from the root to itself (a fixed debug
 * line passes through its buggy nodes); a buggy node backs up nothing of its own. So a node's visit count is the
 * number of value-bearing nodes in its subtree and its value the mean of theirs. The root (our baseline; aira-dojo's
 * is an empty node) adds no value of its own. Value = t_i / time_to_target (speed-up), missed-target = 0.
 */
export interface MctsStats {
  visits: Map<number, number>;
  valueSum: Map<number, number>;
  /** The smallest and largest value backed up so far (aira-dojo's global_min/max_q_val). */
  min: number;
  max: number;
}

export function mctsStats(view: SearchView): MctsStats {
  const stats: MctsStats = { visits: new Map(), valueSum: new Map(), min: Infinity, max: -Infinity };
  for (const node of view.nodes) {
    if (node.operator === 'baseline') continue;
    const value = speedup(node, view.baselineMs);
    if (value === null) continue;
    stats.min = Math.min(stats.min, value);
    stats.max = Math.max(stats.max, value);
    for (let id: number | null = node.node; id !== null; id = nodeAt(view, id).parent) {
      stats.visits.set(id, (stats.visits.get(id) ?? 0) + 1);
      stats.valueSum.set(id, (stats.valueSum.get(id) ?? 0) + value);
    }
  }
  return stats;
}

/** aira-dojo's uct_value: min-max-normalised mean value plus c·sqrt(ln N_parent / N_child); unvisited children lose. */
export function uctScore(meanValue: number, visits: number, parentVisits: number, c: number, min: number, max: number): number {
  if (visits === 0) return -1e8;
  const normalised = max === min ? 0.5 : (meanValue - min) / (max - min);
  return normalised + c * Math.sqrt(Math.log(parentVisits) / visits);
}

/**
 * The node to expand: from the root, follow the child with the highest UCT score (ties to the lowest id) until a
 * node has no visited child. aira-dojo stops only at a node with no children at all; a node whose children all stayed
 * buggy would then send the search into a dead line, so here such a node is expanded again instead (for the root:
 * more drafts, as AIDE drafts again when nothing works). The node returned is the root or a node that ran.
 */
export function selectLeaf(view: SearchView, c: number, stats: MctsStats = mctsStats(view)): number {
  let current = ROOT;
  for (;;) {
    const parentVisits = stats.visits.get(current) ?? 0;
    let best: number | null = null;
    let bestScore = -Infinity;
    for (const child of childrenOf(view, current)) {
      const visits = stats.visits.get(child.node) ?? 0;
      if (visits === 0) continue;
      const mean = stats.valueSum.get(child.node)! / visits;
      const score = uctScore(mean, visits, parentVisits, c, stats.min, stats.max);
      if (score > bestScore) {
        best = child.node;
        bestScore = score;
      }
    }
    if (best === null) return current;
    current = best;
  }
}
