import { LlmCallError, type ChatClient, type ChatMessage, type ChatResponse, type ChatUsage } from '../agent/llm/chat.js';
import { requestParams } from '../agent/llm-agent.js';
import type { ResolvedModel } from '../agent/llm/model-profile.js';
import type { LlmCallRecord } from '../store/call-record.js';
import type { ReadAnswer } from './json-answer.js';

/**
 * Asking a model for one structured answer (a judge's verdict, a draft's idea class): the question, then the
 * unusable answers given back with the reason until one is usable or the retries are spent. Every live call is
 * recorded before its answer is read, so the exchange can be priced and replayed.
 */

export interface AskOptions<T> {
  client: ChatClient;
  /** The first request; the exchange is appended to a copy. */
  messages: readonly ChatMessage[];
  read(text: string): ReadAnswer<T>;
  /** What the model is told after an answer that could not be used. */
  feedback(problem: string): string;
  /** Times an unusable answer goes back to the model (the answers are then 1 + this at most). */
  answerRetries: number;
  /** The recorded purpose of the first call and of the calls after an unusable answer. */
  purposes: { first: LlmCallRecord['purpose']; retry: LlmCallRecord['purpose'] };
  /** The node the calls are about (recorded with each, and told to the client). */
  node: number;
  model: ResolvedModel;
  /** Where each live call goes (appended to a calls file); null in a replay, whose calls are already on disk. */
  record: ((call: LlmCallRecord) => void) | null;
  /** A call's cost (the profile's prices; a replay's recorded costs), by its index in the exchange. */
  costOf(usage: ChatUsage | null, callIndex: number): number | null;
  now(): Date;
  signal?: AbortSignal;
}

export interface AskUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Null once a call had no known price: a partial sum would understate the cost. */
  cost_usd: number | null;
}

export type AskResult<T> =
  { ok: true; answer: T; calls: number; malformed: number; usage: AskUsage } | { ok: false; answers: number; problem: string; usage: AskUsage };

/** Endpoint failures (LlmCallError, after the client's own retries) propagate; unusable answers end as `ok: false`. */
export async function askUntilUsable<T>(opts: AskOptions<T>): Promise<AskResult<T>> {
  const messages: ChatMessage[] = opts.messages.map((m) => ({ ...m }));
  const usage: AskUsage = { prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 };
  let problem = '';
  for (let index = 0; index <= opts.answerRetries; index++) {
    const response = await call(opts, messages, index === 0 ? opts.purposes.first : opts.purposes.retry, (u) => opts.costOf(u, index));
    usage.prompt_tokens += response.usage?.prompt_tokens ?? 0;
    usage.completion_tokens += response.usage?.completion_tokens ?? 0;
    const cost = opts.costOf(response.usage, index);
    usage.cost_usd = usage.cost_usd === null || cost === null ? null : usage.cost_usd + cost;
    const read = opts.read(response.content);
    if (read.ok) return { ok: true, answer: read.answer, calls: index + 1, malformed: index, usage };
    problem = read.problem;
    messages.push({ role: 'assistant', content: response.content }, { role: 'user', content: opts.feedback(problem) });
  }
  return { ok: false, answers: opts.answerRetries + 1, problem, usage };
}

/** One chat call, recorded whatever happens (live calls only). */
async function call<T>(
  opts: AskOptions<T>,
  messages: ChatMessage[],
  purpose: LlmCallRecord['purpose'],
  costOf: (usage: ChatUsage | null) => number | null,
): Promise<ChatResponse> {
  const at = opts.now().toISOString();
  const sent = messages.map((m) => ({ ...m }));
  const base = { node: opts.node, purpose, at, model: opts.model.name, request: { messages: sent, params: requestParams(opts.model) } };
  const started = Date.now();
  let response: ChatResponse;
  try {
    response = await opts.client.complete(sent, opts.signal, { node: opts.node, purpose });
  } catch (error) {
    if (error instanceof LlmCallError && opts.record) {
      opts.record({
        ...base,
        response: null,
        error: { kind: error.kind, status: error.status, message: error.detail },
        usage: null,
        latency_ms: Date.now() - started,
        retries: error.retries,
        cost_usd: opts.model.prices ? 0 : null,
      });
    }
    throw error;
  }
  opts.record?.({
    ...base,
    response: { content: response.content, reasoning: response.reasoning, finish_reason: response.finish_reason, model: response.model },
    error: null,
    usage: response.usage,
    latency_ms: response.latency_ms,
    retries: response.retries,
    cost_usd: costOf(response.usage),
  });
  return response;
}
