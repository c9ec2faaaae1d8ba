import { describeOutcome } from '../agent/outcome.js';
import { sha256Hex } from '../catalog/files.js';
import { mergeAudits } from '../measure/integrity-report.js';
import { scriptToTrain } from '../smoke/smoke-script.js';
import type { LlmUsage, NodeMeta, NodeResult } from '../store/schema.js';
import { executeInSlot } from '../train/execute-node.js';
import { rejectedNode } from './integrity-gate.js';
import { readLogTail } from './log-tail.js';
import { recordCalls, streamTo } from './node-calls.js';
import type { NodeContext } from './node-context.js';
import { placeOf } from './create-node.js';
import type { FinishedSearchNode } from './search-tree.js';

/**
 * Measures a proposed script: a script with the meaning of one already measured or being measured (the same
 * text, or the same up to comments, formatting and docstrings) is not trained again, its audit included: the tree
 * decides which node measures it, and the rest wait for that result. Otherwise its integrity is checked, a
 * rejected script ends here untrained, and the rest trains while holding an executor slot. Then an optional LLM
 * reading of the log (never a source of metrics).
 */
export async function trainNode(
  ctx: NodeContext,
  meta: NodeMeta,
  script: string,
  note: string,
  usage: LlmUsage,
): Promise<{ result: NodeResult; analysis: string | null }> {
  // A resumed node claimed its meaning while the run folder was read; a new one claims it here.
  const smoke = meta.smoke_steps ?? null;
  const twin = await (ctx.tree.claimOf(meta.node) ?? ctx.tree.claimInTurn(meta.node, meaningKey(ctx, script, smoke)));
  const { lines_added, lines_removed } = countChangedLines(await ctx.store.readNodeFile(meta.node, 'edit.diff'));
  ctx.emit({ type: 'edit-applied', run_id: ctx.runId, node: meta.node, lines_added, lines_removed, duplicate_of: twin?.node ?? null, note });
  if (twin) return { result: duplicateOf(twin, meta, script, note, usage), analysis: null };

  const base = { ...placeOf(meta), note, llm: usage };
  const audit = ctx.integrity ? await ctx.integrity.check(script) : null;
  if (audit?.verdict === 'reject') return { result: rejectedNode(placeOf(meta), script, audit, note, usage), analysis: null };
  const scriptPath = await scriptToTrain(ctx.store.nodeDir(meta.node), script, smoke ?? ctx.smoke);
  const executed = await trainInSlot(ctx, meta, scriptPath, script);
  const measured: NodeResult = { ...executed, ...base, integrity: mergeAudits(audit, executed.integrity) };
  const result = smoke === null ? measured : smokeExperimentResult(measured, smoke);
  let analysis: string | null = null;
  if (result.status !== 'aborted' && ctx.agent.analyze) {
    const stream = streamTo(ctx, meta.node);
    analysis = await ctx.agent.analyze({
      node: meta.node,
      outcome: describeOutcome(result),
      logTail: () => readLogTail(ctx.store.nodeDir(meta.node), result.stderr_tail),
      onCall: recordCalls(ctx, usage, stream),
      onStream: stream.listener,
      signal: ctx.signal,
    });
    if (analysis) await ctx.store.writeNodeText(meta.node, 'analysis.md', `${analysis}\n`);
  }
  return { result: { ...result, llm: usage }, analysis };
}

/**
 * What makes two scripts the same measurement: their meaning, or for a script that does not parse its exact text;
 * and for a smoke experiment its steps too, so a few steps never stand for a whole training nor the reverse.
 */
export async function meaningKey(ctx: NodeContext, script: string, smoke: number | null): Promise<string> {
  const key = (await ctx.meaning(script)) ?? `text:${sha256Hex(script)}`;
  return smoke === null ? key : `smoke ${smoke}:${key}`;
}

/**
 * A smoke experiment trained its script rewritten to a few steps: whether it runs and how its loss starts say
 * something, its time nothing. A run that went fine counts as valid but without a time, so it is never a best node.
 */
function smokeExperimentResult(result: NodeResult, steps: number): NodeResult {
  const warning = `smoke experiment: trained ${steps} steps of the script rewritten (smoke.diff); its time is not the script's and is never scored`;
  const unscored = result.status === 'ok' ? { status: 'missed-target' as const, time_to_target_ms: null, val_loss_at_target: null } : {};
  return { ...result, ...unscored, warnings: [...result.warnings, warning] };
}

/** A node whose script means what `twin` measured: its measurement, under this node's place, note and usage. */
function duplicateOf(twin: FinishedSearchNode, meta: NodeMeta, script: string, note: string, usage: LlmUsage): NodeResult {
  const sha = sha256Hex(script);
  const same = twin.result.script_sha256 === sha ? `identical to node ${twin.node}` : `node ${twin.node}'s script up to comments, formatting and docstrings`;
  return {
    ...twin.result,
    ...placeOf(meta),
    note,
    llm: usage,
    error: null,
    measured_by: 'duplicate',
    duplicate_of: twin.node,
    script_sha256: sha,
    warnings: [`${same}; not trained again`],
  };
}

function countChangedLines(patch: string): { lines_added: number; lines_removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    else if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { lines_added: added, lines_removed: removed };
}

/** Trains a node's script while holding an executor slot: the one way search code starts a training. */
export function trainInSlot(ctx: NodeContext, meta: NodeMeta, scriptPath: string, script: string): Promise<NodeResult> {
  return executeInSlot(ctx.slots, {
    runId: ctx.runId,
    ...meta,
    scriptPath,
    scriptSha256: sha256Hex(script),
    workDir: ctx.store.nodeDir(meta.node),
    executor: ctx.executor,
    launch: ctx.launch,
    timing: ctx.timing,
    signal: ctx.signal,
    emit: ctx.emit,
  });
}
