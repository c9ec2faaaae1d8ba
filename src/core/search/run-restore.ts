import { join } from 'node:path';
import { describeOutcome } from '../agent/outcome.js';
import { sha256Hex } from '../catalog/files.js';
import type { RetimeMode } from '../catalog/schema.js';
import { nodeResult } from '../store/node-result.js';
import type { StoredNode } from '../store/run-store.js';
import type { NodeMeta, NodeResult } from '../store/schema.js';
import type { NodeContext } from './agent-node.js';
import { executeNode } from '../train/execute-node.js';
import type { TreeNode } from './scaffolds/scaffold.js';

// The nodes a run starts from: the baseline, and on resume whatever the run folder already holds.

/**
 * Node 0: record i itself. Without re-timing it is timed by calibration or the record table; with re-timing
 * (README "Timing and scoring") it trains here first, like any node, so that the search compares like with like.
 * Written once and kept on resume; a training of it that was stopped is done again.
 */
export async function recordBaseline(ctx: NodeContext, tree: TreeNode[], script: string, stored: NodeResult | null, retime: RetimeMode): Promise<void> {
  const meta: NodeMeta = { node: 0, parent: null, second_parent: null, operator: 'baseline', by: 'agent' };
  let result = stored && stored.status !== 'aborted' ? stored : null;
  if (!result) {
    await ctx.store.writeNodeMeta(meta);
    ctx.emit({ type: 'node-created', run_id: ctx.runId, ...meta });
    await ctx.store.writeNodeFiles(0, { script, edit: '' });
    await ctx.history.commitNode({ node: 0, parent: null, operator: 'baseline', script, message: `record ${ctx.record}` });
    result = retime === 'none' ? tableBaseline(ctx, meta, script) : await trainBaseline(ctx, meta, script);
    await ctx.store.writeNodeResult(result);
    if (result.status !== 'aborted') await ctx.history.recordOutcome(0, describeOutcome(result));
    ctx.emit({ type: 'node-finished', run_id: ctx.runId, node: 0, result });
    // A stopped baseline is no result: the run ends here and trains it again when resumed.
    if (result.status === 'aborted') ctx.signal?.throwIfAborted();
  }
  ctx.known.set(0, { result, script, note: null, analysis: null });
  tree[0] = { ...meta, result };
}

function tableBaseline(ctx: NodeContext, meta: NodeMeta, script: string): NodeResult {
  return nodeResult({ ...meta, status: 'ok', measured_by: ctx.times.from, script_sha256: sha256Hex(script), time_to_target_ms: ctx.times.baselineMs });
}

async function trainBaseline(ctx: NodeContext, meta: NodeMeta, script: string): Promise<NodeResult> {
  const workDir = ctx.store.nodeDir(0);
  // Whatever a stopped training of it left (a process, logs) goes first.
  await ctx.executor.reclaim?.(workDir);
  await ctx.store.clearTraining(0);
  ctx.emit({ type: 'edit-applied', run_id: ctx.runId, node: 0, lines_added: 0, lines_removed: 0, duplicate_of: null, note: `record ${ctx.record}` });
  const scriptPath = join(workDir, 'train_gpt.py');
  const executed = await ctx.slots.with(
    (slot) =>
      executeNode({
        runId: ctx.runId, ...meta, scriptPath, scriptSha256: sha256Hex(script), workDir, executor: ctx.executor, launch: ctx.launch,
        timing: ctx.timing, gpus: slot.gpus, signal: ctx.signal, emit: ctx.emit,
      }),
    ctx.signal,
  );
  return { ...executed, note: `record ${ctx.record}` };
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
