import type { Decision, SearchView, TreeNode } from './scaffold.js';
import { debugDepth, expand, isDebuggable, WAIT } from './tree-queries.js';

/**
 * A line is a head node (draft, improve or crossover) and the debug attempts made on it one after another, as in
 * aira-dojo's debug cycle (MCTS, evolutionary): a buggy head is debugged, a still-buggy fix is debugged again, until a
 * fix runs, the depth limit is reached, or the tip has no script to fix.
 */

/** The last node of the line that starts at `head`: follow the debug child while there is one. */
export function lineTip(view: SearchView, head: TreeNode): TreeNode {
  let tip = head;
  for (;;) {
    const next = view.nodes.find((n) => n.operator === 'debug' && n.parent === tip.node);
    if (!next) return tip;
    tip = next;
  }
}

export type LineState = 'in-flight' | 'needs-debug' | 'resolved';

export function lineState(view: SearchView, tip: TreeNode, maxDebugDepth: number): LineState {
  if (tip.result === null) return 'in-flight';
  return isDebuggable(tip) && debugDepth(view, tip.node) < maxDebugDepth ? 'needs-debug' : 'resolved';
}

/**
 * The next debug step over the lines of `heads`, taken strictly in head order so node ids never depend on which
 * training finished first: the first unresolved line decides (debug its tip, or wait for it). Null when all lines
 * are resolved.
 */
export function nextLineDebug(view: SearchView, heads: readonly TreeNode[], maxDebugDepth: number): Decision | null {
  for (const head of heads) {
    const tip = lineTip(view, head);
    const state = lineState(view, tip, maxDebugDepth);
    if (state === 'in-flight') return WAIT;
    if (state === 'needs-debug') return expand('debug', tip.node);
  }
  return null;
}
