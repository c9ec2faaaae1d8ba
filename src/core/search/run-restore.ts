import { sha256Hex } from '../catalog/files.js';
import { nodeResult } from '../store/node-result.js';
import type { StoredNode } from '../store/run-store.js';
import type { NodeMeta, NodeResult } from '../store/schema.js';
import type { NodeContext } from './agent-node.js';
import type { TreeNode } from './scaffolds/scaffold.js';

// The nodes a run starts from: the baseline, and on resume whatever the run folder already holds.

/** Node 0: record i itself, timed by calibration or the record table; written once, kept on resume. */
export async function recordBaseline(ctx: NodeContext, tree: TreeNode[], script: string, stored: NodeResult | null): Promise<void> {
  const meta: NodeMeta = { node: 0, parent: null, second_parent: null, operator: 'baseline', by: 'agent' };
  let result = stored;
  if (!result) {
    await ctx.store.writeNodeMeta(meta);
    ctx.emit({ type: 'node-created', run_id: ctx.runId, ...meta });
    await ctx.store.writeNodeFiles(0, { script, edit: '' });
    await ctx.history.commitNode({ node: 0, parent: null, operator: 'baseline', script, message: `record ${ctx.record}` });
    result = nodeResult({ ...meta, status: 'ok', measured_by: ctx.times.from, script_sha256: sha256Hex(script), time_to_target_ms: ctx.times.baselineMs });
    await ctx.store.writeNodeResult(result);
    ctx.emit({ type: 'node-finished', run_id: ctx.runId, node: 0, result });
  }
  ctx.known.set(0, { result, script, note: null, analysis: null });
  tree[0] = { ...meta, result };
}

/** Puts the nodes of an interrupted run back: finished ones as they are, the rest returned to be run again. */
export async function loadStoredNodes(ctx: NodeContext, tree: TreeNode[], stored: StoredNode[]): Promise<StoredNode[]> {
  const unfinished: StoredNode[] = [];
  for (const node of stored) {
    const { meta } = node;
    if (meta.node !== tree.length) throw new Error(`run folder ${ctx.store.dir} skips node ${tree.length}; it cannot be resumed`);
    const finished = node.result && node.result.status !== 'aborted' ? node.result : null;
    tree.push({ ...meta, result: finished });
    if (!finished) {
      unfinished.push(node);
      continue;
    }
    const hasScript = finished.measured_by !== 'not-run';
    ctx.known.set(meta.node, {
      result: finished,
      script: hasScript ? await ctx.store.readNodeFile(meta.node, 'train_gpt.py') : null,
      note: node.proposal?.note ?? null,
      analysis: await ctx.store.readAnalysis(meta.node),
    });
  }
  return unfinished;
}
