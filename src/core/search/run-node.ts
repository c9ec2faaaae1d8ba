import { describeOutcome } from '../agent/outcome.js';
import { emptyUsage } from '../agent/usage.js';
import type { StoredNode } from '../store/run-store.js';
import type { NodeMeta, NodeResult } from '../store/schema.js';
import { notRun, proposeNode, recordProposal, trainNode, usageSoFar, type KnownNode, type NodeContext } from './agent-node.js';
import type { HumanEdit } from './run-control.js';
import type { TreeNode } from './scaffolds/scaffold.js';

// One node of a search from its decision to its result on disk: what the run engine starts for each node.

/** Proposes (unless the script is already on disk), trains, and records one node. */
export async function runNode(
  ctx: NodeContext,
  tree: TreeNode[],
  meta: NodeMeta,
  resumed: StoredNode | null,
  human: HumanEdit | undefined,
  proposalDone: () => void,
): Promise<{ budgetExhausted: boolean; reason: string | null }> {
  const usage = resumed ? await usageSoFar(ctx.store, meta.node) : emptyUsage();
  let script: string;
  let note: string;
  if (human) {
    await recordProposal(ctx, meta, ctx.known.get(human.parent)!.script!, human.script, human.note);
    ({ script, note } = human);
  } else if (resumed && !resumed.proposal && meta.by === 'human') {
    // A person's edit that was not on disk when the run stopped cannot be asked for again.
    await finishNode(ctx, tree, notRun(meta, 'agent-error', 'the human edit was lost when the run stopped before it was saved', null), { script: null, note: null, analysis: null });
    return { budgetExhausted: false, reason: null };
  } else if (resumed?.proposal) {
    // Trained when the run stopped: kill what may still run of it and train it again from scratch.
    await ctx.executor.reclaim?.(ctx.store.nodeDir(meta.node));
    await ctx.store.clearTraining(meta.node);
    script = await ctx.store.readNodeFile(meta.node, 'train_gpt.py');
    note = resumed.proposal.note;
  } else {
    if (resumed) await ctx.store.clearProposal(meta.node);
    let outcome;
    try {
      outcome = await proposeNode(ctx, meta, usage);
    } finally {
      proposalDone();
    }
    if (outcome.kind === 'finished') {
      await finishNode(ctx, tree, outcome.result, { script: null, note: null, analysis: null });
      return { budgetExhausted: outcome.budgetExhausted, reason: outcome.budgetExhausted ? outcome.result.error : null };
    }
    ({ script, note } = outcome);
  }
  const { result, analysis } = await trainNode(ctx, meta, script, note, usage);
  await finishNode(ctx, tree, result, { script, note, analysis });
  return { budgetExhausted: false, reason: null };
}

async function finishNode(ctx: NodeContext, tree: TreeNode[], result: NodeResult, known: Omit<KnownNode, 'result'>): Promise<void> {
  await ctx.store.writeNodeResult(result);
  // An aborted node is not a result: it stays in flight for the scaffold and is trained again on resume.
  if (result.status !== 'aborted') {
    ctx.known.set(result.node, { result, ...known });
    tree[result.node] = { ...tree[result.node]!, result };
    // A node without a script has no commit; its outcome lives in result.json only.
    if (result.measured_by !== 'not-run') await ctx.history.recordOutcome(result.node, describeOutcome(result));
  }
  ctx.emit({ type: 'node-finished', run_id: ctx.runId, node: result.node, result });
}

/** A human edit's node: an improve of the node the person edited, decided outside the scaffold. */
export async function humanNode(ctx: NodeContext, tree: TreeNode[], edit: HumanEdit): Promise<NodeMeta> {
  if (!ctx.known.get(edit.parent)?.script) throw new Error(`node ${edit.parent} has no script to edit`);
  const meta: NodeMeta = { node: tree.length, parent: edit.parent, second_parent: null, operator: 'improve', by: 'human' };
  tree.push({ ...meta, result: null });
  await ctx.store.writeNodeMeta(meta);
  ctx.emit({ type: 'node-created', run_id: ctx.runId, ...meta });
  return meta;
}
