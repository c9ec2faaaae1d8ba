import { z } from 'zod';
import { NODE_FILES } from './layout.js';

/** The file under each node that keeps its LLM calls, one JSON record per line. */
export const CALLS_FILE = NODE_FILES.calls;

/**
 * One LLM call as kept under its node (llm-calls.jsonl): the messages sent, what came back, tokens, latency and
 * cost. Holds no headers and no key. `replay` re-issues these records in order.
 */
export const LlmCallRecord = z.object({
  node: z.number().int().nonnegative(),
  purpose: z.enum(['propose', 'edit-retry', 'summarize']),
  at: z.string(),
  model: z.string(),
  request: z.object({
    messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })),
    params: z.record(z.string(), z.unknown()),
  }),
  response: z.object({ content: z.string(), reasoning: z.string().nullable(), finish_reason: z.string().nullable(), model: z.string().nullable() }).nullable(),
  error: z.object({ kind: z.string(), status: z.number().nullable(), message: z.string() }).nullable(),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullable(),
  latency_ms: z.number(),
  retries: z.array(z.object({ error: z.string(), status: z.number().nullable(), waited_ms: z.number() })),
  cost_usd: z.number().nullable(),
});
export type LlmCallRecord = z.infer<typeof LlmCallRecord>;
