import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CALLS_FILE } from './call-record.js';
import { nodeDirOf } from './layout.js';
import type { AtifObservationResult, AtifStep, AtifToolCall } from './trajectory-schema.js';

/** A step before it gets its place in the trajectory (step_id). */
export type StepDraft = Omit<AtifStep, 'step_id'>;

/**
 * One llm-calls.jsonl record as the trajectory reads it. Looser than LlmCallRecord on purpose: records written by
 * the model proxy for outside agents may carry other purposes, content parts, tool calls and tool results, and an
 * export must not refuse a run the rest of the harness reads.
 */
const WireToolCall = z.looseObject({ id: z.string(), function: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }) });
const WireMessage = z.looseObject({
  role: z.string(),
  content: z.unknown().optional(),
  tool_calls: z.array(WireToolCall).nullish(),
  tool_call_id: z.string().nullish(),
});
type WireMessage = z.infer<typeof WireMessage>;
export const RecordedCall = z.looseObject({
  node: z.number().int().nonnegative(),
  purpose: z.string(),
  at: z.string(),
  model: z.string(),
  request: z.looseObject({ messages: z.array(WireMessage), params: z.record(z.string(), z.unknown()).optional() }),
  response: z
    .looseObject({
      content: z.unknown().optional(),
      reasoning: z.string().nullish(),
      finish_reason: z.string().nullish(),
      model: z.string().nullish(),
      tool_calls: z.array(WireToolCall).nullish(),
    })
    .nullable(),
  error: z.looseObject({ message: z.string() }).nullish(),
  usage: z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number(), cached_tokens: z.number().optional() }).nullable(),
  latency_ms: z.number().optional(),
  retries: z.array(z.unknown()).optional(),
  cost_usd: z.number().nullable(),
});
export type RecordedCall = z.infer<typeof RecordedCall>;

/** A node's calls in call order, and how many lines of the file did not read as a call (kept out, counted). */
export function readRecordedCalls(runDir: string, node: number): { calls: RecordedCall[]; unreadable: number } {
  let text: string;
  try {
    text = readFileSync(join(nodeDirOf(runDir, node), CALLS_FILE), 'utf8');
  } catch {
    return { calls: [], unreadable: 0 };
  }
  const calls: RecordedCall[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      calls.push(RecordedCall.parse(JSON.parse(line)));
    } catch {
      unreadable++; // a line cut short by a kill, say: the trajectory is an export and goes on without it
    }
  }
  return { calls, unreadable };
}

/**
 * A node's calls as steps. A client that keeps a conversation going sends its whole history with every call; the
 * messages a call repeats from the one before (its request and answer) are not steps again, only the new ones.
 * Each answer is one agent step, so a node with n calls has n agent steps, each with the call's tokens and cost.
 */
export function callSteps(calls: readonly RecordedCall[]): StepDraft[] {
  const steps: StepDraft[] = [];
  let held: string[] = [];
  for (const call of calls) {
    const keys = call.request.messages.map(messageKey);
    const continues = held.length > 0 && held.length <= keys.length && held.every((k, i) => k === keys[i]);
    for (const message of call.request.messages.slice(continues ? held.length : 0)) addRequestMessage(steps, message, isoTime(call.at));
    steps.push(answerStep(call));
    held = [...keys, messageKey({ role: 'assistant', content: call.response?.content ?? null, tool_calls: call.response?.tool_calls ?? null })];
  }
  return steps;
}

/** What makes two messages the same turn, whatever fields a client adds or drops when it sends history back. */
function messageKey(m: WireMessage): string {
  return JSON.stringify([m.role, textOf(m.content), (m.tool_calls ?? []).map((c) => [c.id, c.function.name]), m.tool_call_id ?? null]);
}

function addRequestMessage(steps: StepDraft[], m: WireMessage, at: string | undefined): void {
  const text = textOf(m.content);
  if (m.role === 'tool') {
    // A tool's output belongs to the agent step that called it, as that step's observation.
    const result: AtifObservationResult = { content: text };
    const caller = m.tool_call_id ? [...steps].reverse().find((s) => s.tool_calls?.some((c) => c.tool_call_id === m.tool_call_id)) : undefined;
    if (caller) {
      caller.observation = { results: [...(caller.observation?.results ?? []), { source_call_id: m.tool_call_id!, ...result }] };
      return;
    }
    steps.push({
      source: 'system',
      ...(at && { timestamp: at }),
      message: `output of tool call ${m.tool_call_id ?? '(no id)'}`,
      observation: { results: [result] },
    });
    return;
  }
  if (m.role === 'assistant') {
    // History the client sent that no recorded answer of this node gave: kept, but marked as not this call's work.
    const toolCalls = (m.tool_calls ?? []).map(toolCall);
    steps.push({
      source: 'agent',
      ...(at && { timestamp: at }),
      message: text,
      ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
      is_copied_context: true,
    });
    return;
  }
  steps.push({ source: m.role === 'user' ? 'user' : 'system', ...(at && { timestamp: at }), message: text });
}

function answerStep(call: RecordedCall): StepDraft {
  const r = call.response;
  const toolCalls = (r?.tool_calls ?? []).map(toolCall);
  const effort = call.request.params?.reasoning_effort;
  const extra: Record<string, unknown> = { node: call.node, purpose: call.purpose };
  if (r?.finish_reason) extra.finish_reason = r.finish_reason;
  if (call.error) extra.error = call.error.message;
  if (call.latency_ms !== undefined) extra.latency_ms = call.latency_ms;
  if (call.retries?.length) extra.retries = call.retries.length;
  if (call.request.params) extra.params = withoutSecrets(call.request.params);
  const at = isoTime(call.at);
  return {
    source: 'agent',
    ...(at && { timestamp: at }),
    model_name: r?.model ?? call.model,
    ...((typeof effort === 'string' || typeof effort === 'number') && { reasoning_effort: effort }),
    message: textOf(r?.content),
    ...(r?.reasoning && { reasoning_content: r.reasoning }),
    ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
    metrics: {
      ...(call.usage && { prompt_tokens: call.usage.prompt_tokens, completion_tokens: call.usage.completion_tokens }),
      ...(call.usage?.cached_tokens !== undefined && { cached_tokens: call.usage.cached_tokens }),
      ...(call.cost_usd !== null && { cost_usd: call.cost_usd }),
    },
    extra,
  };
}

const IsoTime = z.iso.datetime({ offset: true });

/** A record's time when it is an ISO 8601 time, as the format requires of a step's; otherwise the step has none. */
export function isoTime(at: string | undefined): string | undefined {
  return at !== undefined && IsoTime.safeParse(at).success ? at : undefined;
}

/** OpenAI's tool call (arguments as a JSON string) as ATIF's (arguments as an object). */
function toolCall(c: z.infer<typeof WireToolCall>): AtifToolCall {
  const raw = c.function.arguments;
  let args: unknown = raw;
  if (typeof raw === 'string') {
    try {
      args = JSON.parse(raw);
    } catch {
      args = undefined;
    }
  }
  const isObject = typeof args === 'object' && args !== null && !Array.isArray(args);
  return { tool_call_id: c.id, function_name: c.function.name, arguments: isObject ? (args as Record<string, unknown>) : raw === undefined ? {} : { raw } };
}

/** Request parameters less any that could hold a credential: a trajectory is shared more widely than a run folder. */
function withoutSecrets(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([key]) => !/key|secret|auth|header|password/i.test(key)));
}

/** A message's text: a string as it is, content parts' texts joined, anything else empty. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '',
    )
    .join('');
}
