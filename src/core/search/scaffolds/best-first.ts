import { z } from 'zod';
import { countParam, maxNodesParam } from './params.js';
import type { Scaffold, SearchView } from './scaffold.js';
import { agentNodes, bestValidNode, capReached, DONE, expand, inFlightCount, ROOT, WAIT } from './tree-queries.js';

/**
 * tree and forest, as in the speedrunning paper (arXiv 2506.22419; llm-speedrunner's launcher runs its `bon` runner
 * with n_initial_hypotheses drafts, then n_hypotheses=3 children per iteration from the best version, no debugging):
 * - tree:   drafts 1, children 3, max_nodes 20
 * - forest: drafts 3, children 3, max_nodes 20
 * After the drafts, each step makes `children` improve nodes of the best node so far (fastest to the target, baseline
 * included, ties to the lowest id). A step's parent is chosen only once every earlier node has finished, so it never
 * depends on timing; the step's children are then created without waiting for one another.
 * Buggy and missed-target nodes are never improved: the baseline always reached the target, so it is the fallback.
 */
export function bestFirstParams(defaultDrafts: number) {
  return z.strictObject({
    max_nodes: maxNodesParam,
    drafts: countParam(defaultDrafts),
    children: countParam(3),
  });
}
export const TreeParams = bestFirstParams(1);
export const ForestParams = bestFirstParams(3);
export type BestFirstParams = z.output<typeof TreeParams>;

export function bestFirstScaffold(name: 'tree' | 'forest', params: BestFirstParams): Scaffold {
  return {
    name,
    params: { ...params },
    next(view) {
      if (capReached(view, params.max_nodes)) return DONE;
      const agents = agentNodes(view);
      if (agents.length < params.drafts) return expand('draft', ROOT);
      const stepParent = openStepParent(view, params.children);
      if (stepParent !== null) return expand('improve', stepParent);
      if (inFlightCount(view) > 0) return WAIT;
      return expand('improve', bestValidNode(view));
    },
  };
}

/** The parent of the step still being filled (its children so far are the trailing improve nodes), or null. */
export function openStepParent(view: SearchView, childrenPerStep: number): number | null {
  const agents = agentNodes(view);
  let trailing = 0;
  while (trailing < agents.length && agents[agents.length - 1 - trailing]!.operator === 'improve') trailing++;
  if (trailing % childrenPerStep === 0) return null;
  return agents[agents.length - 1]!.parent;
}
