import { emptyUsage } from '../agent/usage.js';
import type { StoredNode } from '../store/run-store.js';
import type { NodeMeta } from '../store/schema.js';
import { createNode } from './create-node.js';
import { usageSoFar } from './node-calls.js';
import type { NodeContext } from './node-context.js';
import { finishNode } from './finish-node.js';
import { notRun, proposeNode } from './propose-node.js';
import { recordProposal } from './record-proposal.js';
import type { HumanEdit } from './run-control.js';
import { trainNode } from './train-node.js';

// One node of a search from its decision to its result on disk: what the run engine starts for each node.

/** Proposes (unless the script is already on disk), trains, and records one node. */
export async function runNode(
  ctx: NodeContext,
  meta: NodeMeta,
  resumed: StoredNode | null,
  human: HumanEdit | undefined,
  proposalDone: () => void,
): Promise<{ budgetExhausted: boolean; reason: string | null }> {
  try {
    return await proposeAndTrain(ctx, meta, resumed, human, proposalDone);
  } finally {
    // A node that failed before its result was on record passes on the script it was measuring, so none waits forever.
    ctx.tree.release(meta.node);
  }
}

async function proposeAndTrain(
  ctx: NodeContext,
  meta: NodeMeta,
  resumed: StoredNode | null,
  human: HumanEdit | undefined,
  proposalDone: () => void,
): Promise<{ budgetExhausted: boolean; reason: string | null }> {
  const usage = resumed ? await usageSoFar(ctx.store, meta.node) : emptyUsage();
  let script: string;
  let note: string;
  if (human) {
    await recordProposal(ctx, meta, ctx.tree.withScript(human.parent).script, human.script, human.note);
    ({ script, note } = human);
  } else if (resumed && !resumed.proposal && meta.by === 'human') {
    // A person's edit that was not on disk when the run stopped cannot be asked for again.
    await finishNode(ctx, notRun(meta, 'agent-error', 'the human edit was lost when the run stopped before it was saved', null), {
      script: null,
      note: null,
      analysis: null,
    });
    return { budgetExhausted: false, reason: null };
  } else if (resumed?.proposal) {
    // Trained when the run stopped: kill what may still run of it and train it again from scratch (the restore
    // read its script and claimed its meaning already).
    await ctx.executor.reclaim?.(ctx.store.nodeDir(meta.node));
    await ctx.store.clearTraining(meta.node);
    const node = ctx.tree.byId(meta.node)!;
    script = node.script!;
    note = node.note ?? resumed.proposal.note;
  } else {
    if (resumed) await ctx.store.clearProposal(meta.node);
    let outcome;
    try {
      outcome = await proposeNode(ctx, meta, usage);
    } finally {
      proposalDone();
    }
    if (outcome.kind === 'finished') {
      await finishNode(ctx, outcome.result, { script: null, note: null, analysis: null });
      return { budgetExhausted: outcome.budgetExhausted, reason: outcome.budgetExhausted ? outcome.result.error : null };
    }
    ({ script, note } = outcome);
  }
  const { result, analysis } = await trainNode(ctx, meta, script, note, usage);
  await finishNode(ctx, result, { script, note, analysis });
  return { budgetExhausted: false, reason: null };
}

/** A human edit's node: an improve of the node the person edited, decided outside the scaffold. */
export async function humanNode(ctx: NodeContext, edit: HumanEdit): Promise<NodeMeta> {
  ctx.tree.withScript(edit.parent); // a person edits a finished node's script
  return createNode(ctx, { parent: edit.parent, second_parent: null, operator: 'improve', by: 'human' });
}
