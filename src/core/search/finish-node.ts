import { describeOutcome } from '../agent/outcome.js';
import type { NodeResult } from '../store/schema.js';
import type { NodeContext } from './node-context.js';

/** The result on disk first, then in the tree (which hands it to the node's waiting copies), then the event. */
export async function finishNode(
  ctx: NodeContext,
  result: NodeResult,
  fields: { script: string | null; note: string | null; analysis: string | null },
): Promise<void> {
  await ctx.store.writeNodeResult(result);
  // An aborted node is not a result: it stays in flight for the scaffold and is trained again on resume.
  ctx.tree.settle(result, fields);
  // A node without a script has no commit; its outcome lives in result.json only.
  if (result.status !== 'aborted' && result.measured_by !== 'not-run') await ctx.history.recordOutcome(result.node, describeOutcome(result));
  ctx.emit({ type: 'node-finished', run_id: ctx.runId, node: result.node, result });
}
