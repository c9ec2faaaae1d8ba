import { z } from 'zod';
import { maxNodesParam } from './params.js';
import type { Scaffold } from './scaffold.js';
import { agentNodes, DONE, expand, ROOT } from './tree-queries.js';

/**
 * flat (best-of-N), as in the speedrunning paper (arXiv 2506.22419; llm-speedrunner's launcher: `bon` runner with
 * 20 initial hypotheses, one iteration): `drafts` independent drafts from the baseline, nothing else.
 * - max_nodes: 20 (paper)
 * - drafts: defaults to max_nodes (the paper's 20), so raising the cap raises N
 * Drafts never read results, so every draft may start while the others are still in flight.
 */
export const FlatParams = z.strictObject({
  max_nodes: maxNodesParam,
  drafts: z.int().min(1).optional(),
});
export type FlatParams = z.output<typeof FlatParams>;

export function flatScaffold(input: FlatParams): Scaffold {
  const params = { max_nodes: input.max_nodes, drafts: input.drafts ?? input.max_nodes };
  const total = Math.min(params.drafts, params.max_nodes);
  return {
    name: 'flat',
    params,
    next(view) {
      return agentNodes(view).length >= total ? DONE : expand('draft', ROOT);
    },
  };
}
