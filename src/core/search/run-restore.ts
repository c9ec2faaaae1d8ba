import { join } from 'node:path';
import { sha256Hex } from '../catalog/files.js';
import type { RetimeMode } from '../catalog/schema.js';
import { nodeResult } from '../store/node-result.js';
import { NODE_FILES } from '../store/layout.js';
import type { StoredNode } from '../store/run-store.js';
import type { NodeMeta, NodeResult } from '../store/schema.js';
import { createNode } from './create-node.js';
import type { NodeContext } from './node-context.js';
import { isFinished, type SearchNode } from './search-tree.js';
import { meaningKey, trainInSlot } from './train-node.js';

// The nodes a run starts from: the baseline, and on resume whatever the run folder already holds.

const BASELINE: Omit<NodeMeta, 'node'> = { parent: null, second_parent: null, operator: 'baseline', by: 'agent' };

/**
 * Node 0: record i itself, or a chain's start script (`own`: not record i's, README "Chains"). Record i without
 * re-timing is timed by calibration or the record table; with re-timing (README "Timing and scoring"), and always a
 * chain's own start, it trains here first, like any node, so that the search compares like with like.
 * Written once and kept on resume; a training of it that was stopped is done again.
 */
export async function recordBaseline(
  ctx: NodeContext,
  start: { script: string; own: boolean; note: string },
  stored: NodeResult | null,
  retime: RetimeMode,
): Promise<void> {
  const { script, note } = start;
  let result = stored && stored.status !== 'aborted' ? stored : null;
  if (result) ctx.tree.add({ node: 0, ...BASELINE }, { script, note: null });
  else {
    const meta = await createNode(ctx, BASELINE);
    await ctx.store.writeNodeFiles(0, { script, edit: '' });
    await ctx.history.commitNode({ node: 0, parent: null, operator: 'baseline', script, message: note });
    result = retime === 'none' && !start.own ? tableBaseline(ctx, meta, script) : await trainBaseline(ctx, meta, script, note);
    await ctx.store.writeNodeResult(result);
    ctx.emit({ type: 'node-finished', run_id: ctx.runId, node: 0, result });
    // A stopped baseline is no result: the run ends here and trains it again when resumed.
    if (result.status === 'aborted') ctx.signal?.throwIfAborted();
  }
  ctx.tree.settle(result, { script, note: null, analysis: null });
  await restoreMeasurement(ctx, ctx.tree.byId(0)!);
}

function tableBaseline(ctx: NodeContext, meta: NodeMeta, script: string): NodeResult {
  return nodeResult({ ...meta, status: 'ok', measured_by: ctx.times.from, script_sha256: sha256Hex(script), time_to_target_ms: ctx.times.baselineMs });
}

async function trainBaseline(ctx: NodeContext, meta: NodeMeta, script: string, note: string): Promise<NodeResult> {
  const workDir = ctx.store.nodeDir(0);
  // Whatever a stopped training of it left (a process, logs) goes first.
  await ctx.executor.reclaim?.(workDir);
  await ctx.store.clearTraining(0);
  ctx.emit({ type: 'edit-applied', run_id: ctx.runId, node: 0, lines_added: 0, lines_removed: 0, duplicate_of: null, note });
  const executed = await trainInSlot(ctx, meta, join(workDir, NODE_FILES.script), script);
  return { ...executed, note };
}

/**
 * Puts the nodes of an interrupted run back into the tree: finished ones as they are, the rest returned to be run
 * again. Interrupted nodes whose script is on disk claim its meaning here, in id order, after every finished
 * measurement is known: the lowest id among copies trains, the others wait for it, and none copies a node twice.
 */
export async function loadStoredNodes(ctx: NodeContext, stored: StoredNode[]): Promise<StoredNode[]> {
  const unfinished: StoredNode[] = [];
  for (const node of stored) {
    const { meta } = node;
    if (meta.node !== ctx.tree.nextId) throw new Error(`run folder ${ctx.store.dir} skips node ${ctx.tree.nextId}; it cannot be resumed`);
    const finished = node.result && node.result.status !== 'aborted' ? node.result : null;
    const hasScript = finished ? finished.measured_by !== 'not-run' : node.proposal !== null;
    const script = hasScript ? await ctx.store.readNodeFile(meta.node, 'train_gpt.py') : null;
    ctx.tree.add(meta, script === null ? null : { script, note: node.proposal?.note ?? null });
    if (!finished) {
      unfinished.push(node);
      continue;
    }
    ctx.tree.settle(finished, { analysis: await ctx.store.readAnalysis(meta.node) });
    await restoreMeasurement(ctx, ctx.tree.byId(meta.node)!);
  }
  for (const node of unfinished) {
    const script = ctx.tree.byId(node.meta.node)!.script;
    if (script !== null) void ctx.tree.claim(node.meta.node, await meaningKey(ctx, script, node.meta.smoke_steps ?? null));
  }
  return unfinished;
}

/** A finished node that measured a script's meaning stands for it: later copies are its duplicates. */
async function restoreMeasurement(ctx: NodeContext, node: SearchNode): Promise<void> {
  if (isFinished(node) && ctx.tree.standsFor(node)) ctx.tree.restoreMeasurement(node, await meaningKey(ctx, node.script!, node.smoke_steps));
}
