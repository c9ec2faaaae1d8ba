import { createTwoFilesPatch } from 'diff';
import type { Agent, NodeHistory } from '../agent/agent.js';
import { BudgetExhaustedError } from '../agent/budget.js';
import type { LlmCallRecord } from '../agent/llm/call-record.js';
import { describeOutcome } from '../agent/outcome.js';
import { addCall, emptyUsage } from '../agent/usage.js';
import { sha256Hex } from '../catalog/files.js';
import type { TrackManifest } from '../catalog/schema.js';
import type { Timing } from '../catalog/task-timing.js';
import type { ScriptMeaning } from '../measure/script-meaning.js';
import type { EventSink } from '../events.js';
import type { Executor } from '../exec/types.js';
import type { SlotPool } from '../exec/slot-pool.js';
import { nodeResult } from '../store/node-result.js';
import type { RunHistory } from '../store/run-history.js';
import type { RunStore } from '../store/run-store.js';
import type { LlmUsage, NodeMeta, NodeResult } from '../store/schema.js';
import { scriptToTrain } from '../smoke/smoke-script.js';
import { executeNode, type Launch } from '../train/execute-node.js';
import { rejectedNode, type IntegrityGate } from './integrity-gate.js';
import { mergeAudits } from '../measure/integrity-report.js';
import { readLogTail } from './log-tail.js';
import { otherAttempts } from './other-attempts.js';
import { coalesceStream, type StreamCoalescer } from './stream-coalescer.js';
import type { TaskTimes } from '../calibrate/task-times.js';

/** What a run knows about each finished node: the measured result, the script, and the agent's words on it. */
export interface KnownNode extends NodeHistory {
  script: string | null;
}

export interface NodeContext {
  runId: string;
  store: RunStore;
  history: RunHistory;
  emit: EventSink;
  manifest: TrackManifest;
  record: number;
  agent: Agent;
  executor: Executor;
  slots: SlotPool;
  launch: Launch;
  hintText: string;
  hardware: string;
  times: TaskTimes;
  /** Whether prompts may state the next record's time (the run's recorded reveal_target_time). */
  revealTargetTime: boolean;
  /** Finished nodes only; a node enters when its result is final. */
  known: Map<number, KnownNode>;
  /** Audits each script against the baseline record before it trains; null only where tests train fake scripts. */
  integrity: IntegrityGate | null;
  /** Scripts being measured right now, by meaning: a script that means the same waits for that result instead. */
  measuring: Map<string, Promise<NodeResult | undefined>>;
  /** The meaning of a script (comments, formatting and docstrings aside), null when it does not parse. */
  meaning: ScriptMeaning;
  /** The task's target and the track's rule: how every node's time is read. */
  timing: Timing;
  /** Smoke run: train each script rewritten to this many steps. */
  smoke: number | null;
  signal?: AbortSignal;
}

/** A proposal that produced a script (trained next), or a node that ends here without one. */
export type ProposeOutcome =
  | { kind: 'script'; script: string; note: string }
  | { kind: 'finished'; result: NodeResult; budgetExhausted: boolean };

/**
 * Asks the agent for a node's script, keeps its LLM calls under the node, writes script, edit and proposal.json,
 * and commits the script on its parent's commit. Budget exhaustion and aborts propagate.
 */
export async function proposeNode(ctx: NodeContext, meta: NodeMeta, usage: LlmUsage): Promise<ProposeOutcome> {
  const parent = scriptOf(ctx, meta.parent);
  const second = meta.second_parent === null ? null : scriptOf(ctx, meta.second_parent);
  const stream = streamTo(ctx, meta.node);
  const onCall = recordCalls(ctx, usage, stream);
  let proposal;
  try {
    proposal = await ctx.agent.propose({
      manifest: ctx.manifest,
      record: ctx.record,
      node: meta.node,
      operator: meta.operator as Exclude<NodeMeta['operator'], 'baseline'>,
      parent: parent.known,
      parentScript: parent.script,
      secondParent: second ? { ...second.known, script: second.script } : null,
      history: ancestry(ctx.known, parent.known.result.node),
      otherAttempts: otherAttempts(ctx.known, meta),
      parentLogTail: meta.operator === 'debug' ? await readLogTail(ctx.store.nodeDir(parent.known.result.node), parent.known.result.stderr_tail) : null,
      hint: ctx.hintText,
      hardware: ctx.hardware,
      times: ctx.times,
      revealTargetTime: ctx.revealTargetTime,
      timeoutMs: ctx.launch.timeoutMs,
      onCall,
      onStream: stream.listener,
      signal: ctx.signal,
    });
  } catch (error) {
    // A budget that runs out mid-proposal still leaves the node on record, with its calls, before the run ends.
    if (error instanceof BudgetExhaustedError) return { kind: 'finished', result: notRun(meta, 'agent-error', error.message, usage), budgetExhausted: true };
    throw error;
  }
  if (!proposal.ok) return { kind: 'finished', result: notRun(meta, proposal.status, proposal.message, usage), budgetExhausted: false };

  await recordProposal(ctx, meta, parent.script, proposal.script, proposal.note);
  return { kind: 'script', script: proposal.script, note: proposal.note };
}

/**
 * Puts a node's script on record: script and edit against its parent, a commit on the parent's commit, then
 * proposal.json, which marks the script complete for a resume. Agents' proposals and human edits alike.
 */
export async function recordProposal(ctx: NodeContext, meta: NodeMeta, parentScript: string, script: string, note: string): Promise<void> {
  const edit = createTwoFilesPatch(`node-${meta.parent}/train_gpt.py`, `node-${meta.node}/train_gpt.py`, parentScript, script);
  await ctx.store.writeNodeFiles(meta.node, { script, edit });
  await ctx.history.commitNode({ node: meta.node, parent: meta.parent, secondParent: meta.second_parent, operator: meta.operator, script, message: note });
  await ctx.store.writeProposal(meta.node, { note });
}

/**
 * Measures a proposed script: a script with the meaning of one already measured (the same text, or the same up to
 * comments, formatting and docstrings) is not trained again, its audit included; otherwise its integrity is
 * checked, a rejected script ends here untrained, and the rest trains while holding an executor slot. Then an
 * optional LLM reading of the log (never a source of metrics).
 */
export async function trainNode(ctx: NodeContext, meta: NodeMeta, script: string, note: string, usage: LlmUsage): Promise<{ result: NodeResult; analysis: string | null }> {
  const sha = sha256Hex(script);
  const key = await meaningKey(ctx, script);
  // The same meaning already on its way (the reference agent proposes it for every node): wait and reuse its result.
  // The first claims the key before it awaits anything more, so two proposals of one script never both train.
  const inFlight = ctx.measuring.get(key);
  let release = (_: NodeResult | undefined) => {};
  if (!inFlight) ctx.measuring.set(key, new Promise((resolve) => (release = resolve)));
  try {
    const measured = await inFlight;
    const found = (await knownTwin(ctx, key)) ?? (measured && measured.status !== 'aborted' ? measured : undefined);
    const outcome = await measureOnce(ctx, meta, script, sha, note, usage, found);
    release(outcome.result);
    return outcome;
  } finally {
    release(undefined);
    if (!inFlight) ctx.measuring.delete(key);
  }
}

/** A node's result: its twin's when one was found, else its audit and (unless rejected) its own training. */
async function measureOnce(
  ctx: NodeContext, meta: NodeMeta, script: string, sha: string, note: string, usage: LlmUsage, twin: NodeResult | undefined,
): Promise<{ result: NodeResult; analysis: string | null }> {
  const { lines_added, lines_removed } = countChangedLines(await ctx.store.readNodeFile(meta.node, 'edit.diff'));
  ctx.emit({ type: 'edit-applied', run_id: ctx.runId, node: meta.node, lines_added, lines_removed, duplicate_of: twin?.node ?? null, note });
  const base = { ...placeOf(meta), note, llm: usage };
  if (twin) {
    const same = twin.script_sha256 === sha ? `identical to node ${twin.node}` : `node ${twin.node}'s script up to comments, formatting and docstrings`;
    const result: NodeResult = {
      ...twin, ...base, error: null, measured_by: 'duplicate', duplicate_of: twin.node, script_sha256: sha, warnings: [`${same}; not trained again`],
    };
    return { result, analysis: null };
  }
  const audit = ctx.integrity ? await ctx.integrity.check(script) : null;
  if (audit?.verdict === 'reject') return { result: rejectedNode(placeOf(meta), script, audit, note, usage), analysis: null };
  const scriptPath = await scriptToTrain(ctx.store.nodeDir(meta.node), script, ctx.smoke);
  const measurement = ctx.slots.with(
    (slot) =>
      executeNode({
        runId: ctx.runId,
        ...meta,
        scriptPath,
        scriptSha256: sha,
        workDir: ctx.store.nodeDir(meta.node),
        executor: ctx.executor,
        launch: ctx.launch,
        timing: ctx.timing,
        gpus: slot.gpus,
        signal: ctx.signal,
        emit: ctx.emit,
      }),
    ctx.signal,
  );
  const executed = await measurement;
  const result: NodeResult = { ...executed, ...base, integrity: mergeAudits(audit, executed.integrity) };
  let analysis: string | null = null;
  if (result.status !== 'aborted' && ctx.agent.analyze) {
    const logTail = await readLogTail(ctx.store.nodeDir(meta.node), result.stderr_tail);
    const stream = streamTo(ctx, meta.node);
    analysis = await ctx.agent.analyze({
      node: meta.node, outcome: describeOutcome(result), logTail, onCall: recordCalls(ctx, usage, stream), onStream: stream.listener, signal: ctx.signal,
    });
    if (analysis) await ctx.store.writeNodeText(meta.node, 'analysis.md', `${analysis}\n`);
  }
  return { result: { ...result, llm: usage }, analysis };
}

/** What makes two scripts the same measurement: their meaning, or for a script that does not parse its exact text. */
async function meaningKey(ctx: NodeContext, script: string): Promise<string> {
  return (await ctx.meaning(script)) ?? `text:${sha256Hex(script)}`;
}

/** The first finished node (node 0 first) whose script means the same; smoke runs match only what they trained. */
async function knownTwin(ctx: NodeContext, key: string): Promise<NodeResult | undefined> {
  for (const known of ctx.known.values()) {
    if (known.script === null || known.result.status === 'aborted') continue;
    // A smoke run trains what it is given: the baseline's time is the record's, not this smoke script's.
    if (ctx.smoke !== null && known.result.measured_by !== 'executed') continue;
    if ((await meaningKey(ctx, known.script)) === key) return known.result;
  }
  return undefined;
}

/** A node without a script: the edit never applied, or the LLM call failed for good. */
export function notRun(meta: NodeMeta, status: 'edit-failed' | 'agent-error', error: string, llm: LlmUsage | null): NodeResult {
  return nodeResult({ ...placeOf(meta), status, measured_by: 'not-run', error, llm });
}

/** Where a node sits in the tree: the part of its decision that a result repeats. */
function placeOf(meta: NodeMeta): Pick<NodeResult, 'node' | 'parent' | 'second_parent' | 'operator'> {
  return { node: meta.node, parent: meta.parent, second_parent: meta.second_parent, operator: meta.operator };
}

/** The usage already recorded under a node (a resumed node keeps counting from there). */
export async function usageSoFar(store: RunStore, node: number): Promise<LlmUsage> {
  const usage = emptyUsage();
  for (const call of await store.readCalls(node)) addCall(usage, call.usage, call.cost_usd);
  return usage;
}

/** A node's streamed answers as llm-delta events, gathered so that a fast stream does not flood the consumers. */
function streamTo(ctx: NodeContext, node: number): StreamCoalescer {
  return coalesceStream((piece) => ctx.emit({ type: 'llm-delta', run_id: ctx.runId, node, ...piece }));
}

function recordCalls(ctx: NodeContext, usage: LlmUsage, stream: StreamCoalescer): (call: LlmCallRecord) => void {
  return (call) => {
    stream.end();
    addCall(usage, call.usage, call.cost_usd);
    void ctx.store.recordCall(call);
    ctx.emit({
      type: 'llm-call',
      run_id: ctx.runId,
      node: call.node,
      purpose: call.purpose,
      prompt_tokens: call.usage?.prompt_tokens ?? null,
      completion_tokens: call.usage?.completion_tokens ?? null,
      cost_usd: call.cost_usd,
      latency_ms: call.latency_ms,
      error: call.error?.message ?? null,
    });
  };
}

function scriptOf(ctx: NodeContext, node: number | null): { known: KnownNode; script: string } {
  const known = node === null ? undefined : ctx.known.get(node);
  if (!known?.script) throw new Error(`node ${node} is not a finished node with a script`);
  return { known, script: known.script };
}

/** The chain from the baseline down to `node`, for the prompt's history. */
function ancestry(known: Map<number, KnownNode>, node: number): NodeHistory[] {
  const chain: NodeHistory[] = [];
  for (let current = known.get(node); current; current = current.result.parent === null ? undefined : known.get(current.result.parent)) {
    chain.unshift({ result: current.result, note: current.note, analysis: current.analysis });
  }
  return chain;
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
