import { createTwoFilesPatch } from 'diff';
import type { NodeMeta } from '../store/schema.js';
import type { NodeContext } from './node-context.js';

/**
 * Puts a node's script on record: script and edit against its parent, a commit on the parent's commit, then
 * proposal.json, which marks the script complete for a resume. Agents' proposals and human edits alike.
 */
export async function recordProposal(ctx: NodeContext, meta: NodeMeta, parentScript: string, script: string, note: string): Promise<void> {
  const edit = createTwoFilesPatch(`node-${meta.parent}/train_gpt.py`, `node-${meta.node}/train_gpt.py`, parentScript, script);
  await ctx.store.writeNodeFiles(meta.node, { script, edit });
  await ctx.history.commitNode({ node: meta.node, parent: meta.parent, secondParent: meta.second_parent, operator: meta.operator, script, message: note });
  await ctx.store.writeProposal(meta.node, { note });
  ctx.tree.proposed(meta.node, script, note);
}
