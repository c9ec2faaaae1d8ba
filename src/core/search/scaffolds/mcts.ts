import { z } from 'zod';
import { nextLineDebug } from './debug-lines.js';
import { selectLeaf } from './mcts-uct.js';
import { countParam, depthParam, maxNodesParam } from './params.js';
import type { Scaffold } from './scaffold.js';
import { capReached, DONE, expand, headNodes, inFlightCount, ROOT, WAIT } from './tree-queries.js';

/**
 * MCTS as in aira-dojo (solvers/mcts/mcts.py; settings from configs/solver/mlebench/mcts.yaml, arXiv 2507.02554):
 * - max_nodes: 20 (docs/architecture.md, "Scaffolds")
 * - children: 5 (num_children), the nodes made by one expansion
 * - uct_c: 0.25, the UCT exploration constant, on min-max-normalised values
 * - max_debug_depth: 20, debug nodes in a row on one buggy child (aira-dojo's max_debug_time is off there too)
 * Selection follows UCT from the baseline (see mcts-uct.ts); expanding the root drafts, expanding any other node
 * improves it. After an expansion's children are created (they need no results, so they start together), each buggy
 * child with a script is debugged in sequence, child by child in id order, until a fix runs or the depth runs out.
 * Only when every line of the expansion is resolved is the next node selected. Values are backed up as means.
 */
export const MctsParams = z.strictObject({
  max_nodes: maxNodesParam,
  children: countParam(5),
  uct_c: z.number().min(0).default(0.25),
  max_debug_depth: depthParam(20),
});
export type MctsParams = z.output<typeof MctsParams>;

export function mctsScaffold(params: MctsParams): Scaffold {
  return {
    name: 'mcts',
    params: { ...params },
    next(view) {
      if (capReached(view, params.max_nodes)) return DONE;
      const heads = headNodes(view);
      const last = heads.at(-1);
      if (last && last.parent !== null) {
        // The expansion in progress is the run of trailing heads with the last head's parent, in chunks of `children`.
        let trailing = 0;
        while (trailing < heads.length && heads[heads.length - 1 - trailing]!.parent === last.parent) trailing++;
        if (trailing % params.children !== 0) return expand(last.operator === 'draft' ? 'draft' : 'improve', last.parent);
      }
      const debug = nextLineDebug(view, heads, params.max_debug_depth);
      if (debug) return debug;
      if (inFlightCount(view) > 0) return WAIT;
      const leaf = selectLeaf(view, params.uct_c);
      return expand(leaf === ROOT ? 'draft' : 'improve', leaf);
    },
  };
}
