import type { LlmCallRecord } from '../store/call-record.js';
import { addCall, emptyUsage } from '../agent/usage.js';
import type { RunStore } from '../store/run-store.js';
import type { LlmUsage } from '../store/schema.js';
import type { NodeContext } from './node-context.js';
import { coalesceStream, type StreamCoalescer } from './stream-coalescer.js';

// A node's LLM calls: kept under the node (llm-calls.jsonl), counted into its usage, and streamed as events.

/** The usage already recorded under a node (a resumed node keeps counting from there). */
export async function usageSoFar(store: RunStore, node: number): Promise<LlmUsage> {
  const usage = emptyUsage();
  for (const call of await store.readCalls(node)) addCall(usage, call.usage, call.cost_usd);
  return usage;
}

/** A node's streamed answers as llm-delta events, gathered so that a fast stream does not flood the consumers. */
export function streamTo(ctx: NodeContext, node: number): StreamCoalescer {
  return coalesceStream((piece) => ctx.emit({ type: 'llm-delta', run_id: ctx.runId, node, ...piece }));
}

/** Records each finished call: on disk under its node, in the node's usage, and as an llm-call event. */
export function recordCalls(ctx: NodeContext, usage: LlmUsage, stream: StreamCoalescer): (call: LlmCallRecord) => void {
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
