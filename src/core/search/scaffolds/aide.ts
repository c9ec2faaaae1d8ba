import { z } from 'zod';
import { openStepParent } from './best-first.js';
import { countParam, depthParam, maxNodesParam, probabilityParam } from './params.js';
import { pickIndex } from './random.js';
import type { Decision, Scaffold, SearchView } from './scaffold.js';
import { agentNodes, bestValidNode, capReached, debugDepth, DONE, expand, inFlightCount, isBuggy, isDebuggable, isLeaf, ROOT, WAIT } from './tree-queries.js';

/**
 * The AIDE policy (aideml's search_policy; llm-speedrunner's `aide` runner; aira-dojo's greedy solver): draft
 * `drafts` times; then, step by step, with probability `debug_prob` debug a buggy leaf, chosen uniformly among those
 * that have a script (crashed, timeout, no-metric) and fewer than `max_debug_depth` debug nodes in a row above and
 * including it; otherwise (or when there is no such leaf) make `children` improve nodes of the best node, the
 * baseline included (it always reached the target), ties to the lowest id. A debug step makes one node, as
 * llm-speedrunner does. Each step waits until every node so far has finished, and its kind and parent are decided
 * once for the whole step: the first draw decides debug vs improve, a second picks the leaf.
 * Missed-target nodes are valid but slow: never debugged (not buggy), never best, so never a parent here.
 *
 * Settings (node cap 20 everywhere):
 * - aide: drafts 3, children 1, debug_prob 0.5, max_debug_depth 5 (the paper, arXiv 2506.22419, and
 *   llm-speedrunner's launcher). llm-speedrunner debugs while bug_depth <= 5, which counts the first buggy node too:
 *   at most 5 debug nodes in a row, as here.
 * - multi-aide: the same with children 3 (same sources).
 * - greedy: drafts 5, debug_prob 1.0, max_debug_depth 20 (aira-dojo's MLE-bench greedy config,
 *   configs/solver/mlebench/greedy.yaml, arXiv 2507.02554; its dataclass defaults are 5, 0.5 and 3). aira-dojo allows a
 *   leaf with debug_depth <= max, one attempt more than here; under a 20-node cap the difference never shows.
 */
function aideFields(defaults: { drafts: number; children: number; debugProb: number; maxDebugDepth: number }) {
  return {
    max_nodes: maxNodesParam,
    drafts: countParam(defaults.drafts),
    children: countParam(defaults.children),
    debug_prob: probabilityParam(defaults.debugProb),
    max_debug_depth: depthParam(defaults.maxDebugDepth),
  };
}
export const AideParams = z.strictObject(aideFields({ drafts: 3, children: 1, debugProb: 0.5, maxDebugDepth: 5 }));
export const MultiAideParams = z.strictObject(aideFields({ drafts: 3, children: 3, debugProb: 0.5, maxDebugDepth: 5 }));
/** aira-dojo's greedy has no branching factor: one node per step. */
const { children: _children, ...greedyFields } = aideFields({ drafts: 5, children: 1, debugProb: 1, maxDebugDepth: 20 });
export const GreedyParams = z.strictObject(greedyFields);
export type AideParams = z.output<typeof AideParams>;
export type GreedyParams = z.output<typeof GreedyParams>;

export function aideScaffold(name: 'aide' | 'multi-aide', params: AideParams): Scaffold {
  return { name, params: { ...params }, next: (view, random) => aideDecision(view, random, params) };
}

export function greedyScaffold(params: GreedyParams): Scaffold {
  return { name: 'greedy', params: { ...params }, next: (view, random) => aideDecision(view, random, { ...params, children: 1 }) };
}

function aideDecision(view: SearchView, random: () => number, params: AideParams): Decision {
  if (capReached(view, params.max_nodes)) return DONE;
  if (agentNodes(view).length < params.drafts) return expand('draft', ROOT);
  const stepParent = openStepParent(view, params.children);
  if (stepParent !== null) return expand('improve', stepParent);
  if (inFlightCount(view) > 0) return WAIT;
  const wantsDebug = random() < params.debug_prob;
  if (wantsDebug) {
    const leaves = debuggableLeaves(view, params.max_debug_depth);
    if (leaves.length > 0) return expand('debug', leaves[pickIndex(random, leaves.length)]!);
  }
  return expand('improve', bestValidNode(view));
}

/** Buggy leaves with a script to fix and room left in their debug line, in id order. */
export function debuggableLeaves(view: SearchView, maxDebugDepth: number): number[] {
  return view.nodes.filter((n) => isBuggy(n) && isDebuggable(n) && isLeaf(view, n.node) && debugDepth(view, n.node) < maxDebugDepth).map((n) => n.node);
}
