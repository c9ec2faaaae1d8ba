import type { NodeResult } from '../store/schema.js';
import type { NodeContext } from './node-context.js';

/**
 * The result on disk first, then in the tree (which hands it to the node's waiting copies), then the event. Its
 * outcome goes into the run history's notes when the run ends (run-engine.ts), with every other node's.
 */
export async function finishNode(
  ctx: NodeContext,
  result: NodeResult,
  fields: { script: string | null; note: string | null; analysis: string | null },
): Promise<void> {
  await ctx.store.writeNodeResult(result);
  // An aborted node is not a result: it stays in flight for the scaffold and is trained again on resume.
  ctx.tree.settle(result, fields);
  ctx.emit({ type: 'node-finished', run_id: ctx.runId, node: result.node, result });
}
