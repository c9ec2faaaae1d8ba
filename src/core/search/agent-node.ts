import { createTwoFilesPatch } from 'diff';
import type { Agent, NodeHistory, Operator, ProposeInput, Proposal } from '../agent/agent.js';
import { BudgetExhaustedError } from '../agent/budget.js';
import type { LlmCallRecord } from '../agent/llm/call-record.js';
import { describeOutcome } from '../agent/outcome.js';
import { addCall, emptyUsage } from '../agent/usage.js';
import { sha256Hex } from '../catalog/files.js';
import type { TrackManifest } from '../catalog/schema.js';
import type { EventSink } from '../events.js';
import type { Executor } from '../exec/types.js';
import type { RunStore } from '../store/run-store.js';
import { nodeResult } from '../store/node-result.js';
import type { LlmUsage, NodeResult } from '../store/schema.js';
import { executeNode, type Launch } from './execute-node.js';
import { readLogTail } from './log-tail.js';
import type { TaskTimes } from './task-times.js';

/** What a run knows about each node: the measured result, the script, and the agent's words on it. */
export interface KnownNode extends NodeHistory {
  script: string | null;
}

export interface AgentNodeContext {
  runId: string;
  store: RunStore;
  emit: EventSink;
  manifest: TrackManifest;
  record: number;
  agent: Agent;
  executor: Executor;
  launch: Launch;
  hintText: string;
  hardware: string;
  times: TaskTimes;
  known: Map<number, KnownNode>;
  signal?: AbortSignal;
}

/**
 * One agent node: the proposal (its LLM calls kept under the node), the edit against the parent, training unless an
 * identical script was already measured, and an optional log analysis. Budget exhaustion and aborts propagate.
 */
export async function runAgentNode(ctx: AgentNodeContext, node: number, operator: Operator, parentNode: number): Promise<NodeResult> {
  const { store, emit, runId } = ctx;
  const parent = ctx.known.get(parentNode);
  if (!parent?.script) throw new Error(`node ${node}: parent ${parentNode} has no script`);
  emit({ type: 'node-created', run_id: runId, node, parent: parentNode, operator });

  const usage = emptyUsage();
  const onCall = (call: LlmCallRecord) => {
    addCall(usage, call.usage, call.cost_usd);
    void store.recordCall(call);
    emit({
      type: 'llm-call',
      run_id: runId,
      node: call.node,
      purpose: call.purpose,
      prompt_tokens: call.usage?.prompt_tokens ?? null,
      completion_tokens: call.usage?.completion_tokens ?? null,
      cost_usd: call.cost_usd,
      latency_ms: call.latency_ms,
      error: call.error?.message ?? null,
    });
  };
  const base = { node, parent: parentNode, operator } as const;

  const proposal = await proposeRecordingBudgetStop(ctx, base, usage, {
    manifest: ctx.manifest,
    record: ctx.record,
    node,
    operator,
    parent,
    parentScript: parent.script,
    history: ancestry(ctx.known, parentNode),
    parentLogTail: operator === 'debug' ? await readLogTail(store.nodeDir(parentNode), parent.result.stderr_tail) : null,
    hint: ctx.hintText,
    hardware: ctx.hardware,
    times: ctx.times,
    timeoutMs: ctx.launch.timeoutMs,
    onCall,
    signal: ctx.signal,
  });
  if (!proposal.ok) {
    const result = notRun(base, proposal.status, proposal.message, usage);
    await finishNode(ctx, result, { script: null, note: null, analysis: null });
    return result;
  }

  const edit = createTwoFilesPatch(`node-${parentNode}/train_gpt.py`, `node-${node}/train_gpt.py`, parent.script, proposal.script);
  const scriptPath = await store.writeNodeFiles(node, { script: proposal.script, edit });
  const sha = sha256Hex(proposal.script);
  const twin = [...ctx.known.values()].find((k) => k.result.script_sha256 === sha)?.result;
  emit({ type: 'edit-applied', run_id: runId, node, ...countChangedLines(edit), duplicate_of: twin?.node ?? null, note: proposal.note });

  let result: NodeResult = twin
    ? { ...twin, ...base, note: proposal.note, error: null, llm: usage, measured_by: 'duplicate', duplicate_of: twin.node, warnings: [`identical to node ${twin.node}; not trained again`] }
    : {
        ...(await executeNode({
          runId,
          ...base,
          scriptPath,
          scriptSha256: sha,
          workDir: store.nodeDir(node),
          executor: ctx.executor,
          launch: ctx.launch,
          targetValLoss: ctx.manifest.target_val_loss,
          signal: ctx.signal,
          emit,
        })),
        note: proposal.note,
      };

  let analysis: string | null = null;
  if (!twin && result.status !== 'aborted' && ctx.agent.analyze) {
    const logTail = await readLogTail(store.nodeDir(node), result.stderr_tail);
    analysis = await ctx.agent.analyze({ node, outcome: describeOutcome(result), logTail, onCall, signal: ctx.signal });
    if (analysis) await store.writeNodeText(node, 'analysis.md', `${analysis}\n`);
  }
  result = { ...result, llm: usage };
  await finishNode(ctx, result, { script: proposal.script, note: proposal.note, analysis });
  return result;
}

/** A budget that runs out mid-proposal still leaves the node on record (with its calls) before the run ends. */
async function proposeRecordingBudgetStop(
  ctx: AgentNodeContext,
  base: Pick<NodeResult, 'node' | 'parent' | 'operator'>,
  usage: LlmUsage,
  input: ProposeInput,
): Promise<Proposal> {
  try {
    return await ctx.agent.propose(input);
  } catch (error) {
    if (error instanceof BudgetExhaustedError) await finishNode(ctx, notRun(base, 'agent-error', error.message, usage), { script: null, note: null, analysis: null });
    throw error;
  }
}

async function finishNode(ctx: AgentNodeContext, result: NodeResult, known: Omit<KnownNode, 'result'>): Promise<void> {
  ctx.known.set(result.node, { result, ...known });
  await ctx.store.writeNodeResult(result);
  ctx.emit({ type: 'node-finished', run_id: ctx.runId, node: result.node, result });
}

/** A node without a script: the edit never applied, or the LLM call failed for good. */
export function notRun(
  base: Pick<NodeResult, 'node' | 'parent' | 'operator'>,
  status: 'edit-failed' | 'agent-error',
  error: string,
  llm: LlmUsage | null,
): NodeResult {
  return nodeResult({ ...base, status, measured_by: 'not-run', error, llm });
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
