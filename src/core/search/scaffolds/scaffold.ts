import type { Operator } from '../../agent/agent.js';
import type { SearchNode } from '../search-tree.js';

/**
 * A node of the run's search tree as a scaffold sees it: its place and its final result (null while the node is
 * being written or trained). The engine passes the tree's own nodes; tests may build these few fields alone.
 */
export type TreeNode = Pick<SearchNode, 'node' | 'parent' | 'second_parent' | 'operator' | 'result'>;

/** Everything a scaffold may base a decision on: the nodes so far (node 0 is the baseline) and t_i. */
export interface SearchView {
  /** Every node created so far, in id order, finished or not. */
  nodes: readonly TreeNode[];
  baselineMs: number;
}

export type Decision =
  /** Create the next node now. */
  | { kind: 'expand'; operator: Operator; parent: number; second_parent?: number }
  /** Nothing to do until an in-flight node finishes (the next decision needs its result). */
  | { kind: 'wait' }
  /** The search is over (node cap reached or nothing left to try). */
  | { kind: 'done' };

/**
 * A search policy over candidate solutions (docs/architecture.md, "Scaffolds"). The engine calls `next` whenever it could start
 * another node; a decision may read only finished nodes, and must return `wait` when it depends on a node still in
 * flight, so that the same seed and the same measurements always grow the same tree, whatever the timing.
 * `random` is a fresh seeded generator for this one decision (derived from the run's seed and the next node id).
 */
export interface Scaffold {
  readonly name: string;
  /** The scaffold's settings after defaults, recorded with the run. */
  readonly params: Record<string, unknown>;
  next(view: SearchView, random: () => number): Decision;
}
