import type { NodeMeta, NodeResult } from '../store/schema.js';
import type { NodeContext } from './node-context.js';

/**
 * The one way a run gets a new node (the baseline, a scaffold's decision, a person's edit): it takes the next id
 * in the tree, its decision goes on disk (node.json) before anything else happens to it, and the event follows.
 */
export async function createNode(ctx: NodeContext, place: Omit<NodeMeta, 'node'>): Promise<NodeMeta> {
  const meta: NodeMeta = { node: ctx.tree.nextId, ...place };
  ctx.tree.add(meta);
  await ctx.store.writeNodeMeta(meta);
  ctx.emit({ type: 'node-created', run_id: ctx.runId, ...meta });
  return meta;
}

/** Where a node sits in the tree: the part of its decision that a result repeats. */
export function placeOf(meta: NodeMeta): Pick<NodeResult, 'node' | 'parent' | 'second_parent' | 'operator'> {
  return { node: meta.node, parent: meta.parent, second_parent: meta.second_parent, operator: meta.operator };
}
