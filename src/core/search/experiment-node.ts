import { ExperimentRefused } from '../agent/agent.js';
import { emptyUsage } from '../agent/usage.js';
import { UserError } from '../errors.js';
import { smokeRewrite } from '../smoke/smoke-rewrite.js';
import type { NodeMeta, NodeResult } from '../store/schema.js';
import { createNode } from './create-node.js';
import type { NodeContext } from './node-context.js';
import { finishNode } from './finish-node.js';
import { recordProposal } from './record-proposal.js';
import { trainNode } from './train-node.js';

/**
 * A training an agent asks for while it writes node `writing` (docs/agent-protocol.md, "Experiments"): a node of
 * its own beside it (same parent and operator, `experiment_of` the node being written), put on record, audited,
 * trained and scored like any node, counted against the node cap and the run's time. Its LLM calls stay with the
 * node being written, where the agent made them. With `smoke` it trains the script rewritten to that many steps, a
 * quick check that is never scored (train-node.ts).
 */
export async function experimentNode(ctx: NodeContext, writing: NodeMeta, script: string, note: string, smoke?: number): Promise<NodeResult> {
  if (ctx.nodesLeft() === 0) throw new ExperimentRefused('the run has no node left for an experiment: its node cap is reached by the node being written');
  if (Date.now() >= ctx.deadline) throw new ExperimentRefused("the run's time budget is spent");
  if (smoke !== undefined) refuseUnlessSmokeable(script, smoke);
  const meta = await createNode(ctx, {
    parent: writing.parent,
    second_parent: writing.second_parent,
    operator: writing.operator,
    by: 'agent',
    experiment_of: writing.node,
    ...(smoke !== undefined && { smoke_steps: smoke }),
  });
  try {
    await recordProposal(ctx, meta, ctx.tree.withScript(meta.parent).script, script, note);
    const { result, analysis } = await trainNode(ctx, meta, script, note, emptyUsage());
    await finishNode(ctx, result, { script, note, analysis });
    return result;
  } finally {
    ctx.tree.release(meta.node);
  }
}

/** A script the smoke rewrite cannot shorten is refused before it becomes a node, with the rewrite's reason. */
function refuseUnlessSmokeable(script: string, steps: number): void {
  try {
    smokeRewrite(script, steps);
  } catch (error) {
    if (error instanceof UserError) throw new ExperimentRefused(`--smoke ${steps}: ${error.message}`);
    throw error;
  }
}
