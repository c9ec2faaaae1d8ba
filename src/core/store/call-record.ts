import { z } from 'zod';
import { StreamPiece } from './call-stream.js';
import { parseJsonLines } from './json-lines.js';
import { NODE_FILES } from './layout.js';

/** The file under each node that keeps its LLM calls, one JSON record per line. */
export const CALLS_FILE = NODE_FILES.calls;

/** A function call a model asked for (chat `tool_calls`, a Responses `function_call` item): arguments as the JSON text sent. */
export const RecordedToolCall = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
export type RecordedToolCall = z.infer<typeof RecordedToolCall>;

/**
 * One message of a request. `content` is the text, flattened for display (content parts joined); the tool fields
 * appear only in an outside agent's traffic through the model proxy.
 */
export const RecordedMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.string(),
  name: z.string().optional(),
  /** On a tool message: the call it answers. */
  tool_call_id: z.string().optional(),
  /** On an assistant message: the calls it made. */
  tool_calls: z.array(RecordedToolCall).optional(),
});
export type RecordedMessage = z.infer<typeof RecordedMessage>;

/**
 * One LLM call as kept under its node (llm-calls.jsonl): the messages sent, what came back, tokens, latency and
 * cost. Holds no headers and no key. `replay` re-issues these records in order. Calls an outside agent made through
 * the model proxy have purpose `agent`, say which API they used (`api`) and keep the tool definitions and calls;
 * records without those fields (the built-in agent's, older runs') read as before.
 */
export const LlmCallRecord = z.object({
  node: z.number().int().nonnegative(),
  /**
   * `judge` and `judge-retry` (after a malformed verdict) are `speedrun judge`'s calls, kept in the run's
   * judge-calls.jsonl; `ideas` and `ideas-retry` are `speedrun ideas`' calls, kept in ideas-calls.jsonl; `hint` and
   * `hint-retry` are `speedrun hints generate`'s, kept in the cache beside the drafts (catalog/generated-hints.ts).
   */
  purpose: z.enum(['propose', 'edit-retry', 'summarize', 'agent', 'judge', 'judge-retry', 'ideas', 'ideas-retry', 'hint', 'hint-retry']),
  at: z.string(),
  model: z.string(),
  /** Which endpoint an outside agent called: chat completions or the Responses API (absent: the built-in agent's chat call). */
  api: z.enum(['chat', 'responses']).optional(),
  request: z.object({
    messages: z.array(RecordedMessage),
    params: z.record(z.string(), z.unknown()),
    /** The tool definitions as the agent sent them. */
    tools: z.array(z.unknown()).optional(),
  }),
  response: z
    .object({
      content: z.string(),
      reasoning: z.string().nullable(),
      finish_reason: z.string().nullable(),
      model: z.string().nullable(),
      tool_calls: z.array(RecordedToolCall).optional(),
    })
    .nullable(),
  error: z.object({ kind: z.string(), status: z.number().nullable(), message: z.string() }).nullable(),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullable(),
  latency_ms: z.number(),
  retries: z.array(z.object({ error: z.string(), status: z.number().nullable(), waited_ms: z.number() })),
  cost_usd: z.number().nullable(),
  /**
   * How a streamed answer arrived (call-stream.ts): pieces in order with their offset from the request, merged so the
   * record stays small. Absent for a whole answer and in records written before it existed.
   */
  stream: z.array(StreamPiece).optional(),
});
export type LlmCallRecord = z.infer<typeof LlmCallRecord>;

/** The calls of a JSON-lines transcript, in order; a line that is not a recorded call is refused, with `fix` as the way out. */
export function parseCallLines(text: string, file: string, fix: string): LlmCallRecord[] {
  return parseJsonLines(text, file, LlmCallRecord, 'a recorded LLM call', fix);
}
