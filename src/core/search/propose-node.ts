import type { NodeHistory } from '../agent/agent.js';
import { BudgetExhaustedError } from '../agent/budget.js';
import { nodeResult } from '../store/node-result.js';
import type { LlmUsage, NodeMeta, NodeResult } from '../store/schema.js';
import { placeOf } from './create-node.js';
import { experimentNode } from './experiment-node.js';
import { recordProposal } from './record-proposal.js';
import { readLogTail } from './log-tail.js';
import { recordCalls, streamTo } from './node-calls.js';
import type { NodeContext } from './node-context.js';
import { otherAttempts } from './other-attempts.js';
import type { FinishedSearchNode, SearchTree } from './search-tree.js';

/** A proposal that produced a script (trained next), or a node that ends here without one. */
export type ProposeOutcome = { kind: 'script'; script: string; note: string } | { kind: 'finished'; result: NodeResult; budgetExhausted: boolean };

/**
 * Asks the agent for a node's script, keeps its LLM calls under the node, writes script, edit and proposal.json,
 * and commits the script on its parent's commit. Budget exhaustion and aborts propagate.
 */
export async function proposeNode(ctx: NodeContext, meta: NodeMeta, usage: LlmUsage): Promise<ProposeOutcome> {
  const parent = ctx.tree.withScript(meta.parent);
  const second = meta.second_parent === null ? null : ctx.tree.withScript(meta.second_parent);
  const stream = streamTo(ctx, meta.node);
  let proposal;
  try {
    proposal = await ctx.agent.propose({
      manifest: ctx.manifest,
      record: ctx.record,
      node: meta.node,
      operator: meta.operator as Exclude<NodeMeta['operator'], 'baseline'>,
      parent: historyOf(parent),
      parentScript: parent.script,
      besideScript: ctx.launch.besideScript,
      secondParent: second ? { ...historyOf(second), script: second.script } : null,
      history: ancestry(ctx.tree, parent.node),
      otherAttempts: otherAttempts(ctx.tree.history(), meta).map(historyOf),
      finished: [...ctx.tree.history().values()].sort((a, b) => a.node - b.node).map(historyOf),
      runDir: ctx.store.dir,
      hintLevel: ctx.hintSpec,
      nodesLeft: ctx.nodesLeft(),
      experiment: (script, note, smoke) => experimentNode(ctx, meta, script, note, smoke),
      parentLogTail: meta.operator === 'debug' ? await readLogTail(ctx.store.nodeDir(parent.node), parent.result.stderr_tail) : null,
      hint: ctx.hintText,
      hardware: ctx.hardware,
      times: ctx.times,
      revealTargetTime: ctx.revealTargetTime,
      timeoutMs: ctx.launch.timeoutMs,
      onCall: recordCalls(ctx, usage, stream),
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

/** A node without a script: the edit never applied, or the LLM call failed for good. */
export function notRun(meta: NodeMeta, status: 'edit-failed' | 'agent-error' | 'agent-failed', error: string, llm: LlmUsage | null): NodeResult {
  return nodeResult({ ...placeOf(meta), status, measured_by: 'not-run', error, llm });
}

/** A finished node as the agent learns from it (the tree's bookkeeping stays out of its prompts). */
function historyOf(node: FinishedSearchNode): NodeHistory {
  return { result: node.result, note: node.note, analysis: node.analysis };
}

/** The chain from the baseline down to `node`, for the prompt's history. */
function ancestry(tree: SearchTree, node: number): NodeHistory[] {
  const finished = tree.history();
  const chain: NodeHistory[] = [];
  for (let current = finished.get(node); current; current = current.parent === null ? undefined : finished.get(current.parent))
    chain.unshift(historyOf(current));
  return chain;
}
