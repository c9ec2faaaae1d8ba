/**
 * The other direction of the Responses translation, and reading a passed-through one: a chat answer as a Responses
 * API `response` object, and a `response` object as the chat answer the transcript keeps.
 */
import { randomBytes } from 'node:crypto';
import { readUsage, stringOrNull } from '../llm/response-fields.js';
import { ChatAnswer } from './chat-answer.js';
import { isRecord } from './http-io.js';

/** Ids and timestamps of one translated response; its items' ids derive from `id`. */
export interface ResponseMeta {
  id: string;
  createdAt: number;
  model: string;
  /** Tools the request declared as custom (free-form input): their calls are custom_tool_call items. */
  customTools: ReadonlySet<string>;
}

export function newResponseMeta(model: string, customTools: ReadonlySet<string> = new Set()): ResponseMeta {
  return { id: `resp_${randomBytes(12).toString('hex')}`, createdAt: Math.floor(Date.now() / 1000), model, customTools };
}

export function messageItemId(meta: ResponseMeta): string {
  return `msg_${meta.id.slice(5)}`;
}

export function messageItem(meta: ResponseMeta, text: string, status: 'in_progress' | 'completed'): Record<string, unknown> {
  return {
    type: 'message',
    id: messageItemId(meta),
    status,
    role: 'assistant',
    content: status === 'completed' ? [outputText(text)] : [],
  };
}

export function outputText(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [] };
}

export function functionCallItem(meta: ResponseMeta, index: number, call: { id: string; name: string; arguments: string }): Record<string, unknown> {
  if (meta.customTools.has(call.name)) {
    return {
      type: 'custom_tool_call',
      id: `ctc_${meta.id.slice(5)}_${index}`,
      call_id: call.id || `call_${index}`,
      name: call.name,
      input: customInput(call.arguments),
      status: 'completed',
    };
  }
  return {
    type: 'function_call',
    id: `fc_${meta.id.slice(5)}_${index}`,
    call_id: call.id || `call_${index}`,
    name: call.name,
    arguments: call.arguments,
    status: 'completed',
  };
}

/** A custom tool's text: the `input` the model was asked to fill in, or what it wrote when it did not. */
function customInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (isRecord(parsed) && typeof parsed.input === 'string') return parsed.input;
  } catch {
    // not JSON: the model wrote the input itself
  }
  return args;
}

/** The output items of a finished answer: its text as one message (when there is text or nothing else), then its calls. */
export function outputItems(meta: ResponseMeta, answer: ChatAnswer): Record<string, unknown>[] {
  const calls = answer.toolCalls();
  const items = answer.content || calls.length === 0 ? [messageItem(meta, answer.content, 'completed')] : [];
  return [...items, ...calls.map((call, index) => functionCallItem(meta, index, call))];
}

/** A `response` object; `answer` null while it is still being written. */
export function responseObject(meta: ResponseMeta, answer: ChatAnswer | null): Record<string, unknown> {
  const cut = answer?.finishReason === 'length';
  const usage = answer?.usage ?? null;
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status: answer === null ? 'in_progress' : cut ? 'incomplete' : 'completed',
    error: null,
    incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
    model: answer?.model ?? meta.model,
    output: answer === null ? [] : outputItems(meta, answer),
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage:
      usage === null
        ? null
        : {
            input_tokens: usage.prompt_tokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: usage.completion_tokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: usage.prompt_tokens + usage.completion_tokens,
          },
  };
}

/** A response that failed: what a streamed Responses call ends with when its answer broke off. */
export function failedResponse(meta: ResponseMeta, message: string, code: string): Record<string, unknown> {
  return { ...responseObject(meta, null), status: 'failed', error: { code, message } };
}

/** A Responses API `response` object (passed through from an upstream) as the answer the transcript keeps. */
export function answerFromResponse(response: Record<string, unknown>): ChatAnswer {
  const answer = new ChatAnswer();
  answer.model = stringOrNull(response.model);
  const usage = isRecord(response.usage) ? response.usage : {};
  answer.usage = readUsage({ prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens });
  const status = stringOrNull(response.status);
  const incomplete = isRecord(response.incomplete_details) ? stringOrNull(response.incomplete_details.reason) : null;
  answer.finishReason = incomplete === 'max_output_tokens' ? 'length' : status;
  const items: unknown[] = Array.isArray(response.output) ? response.output : [];
  const texts: string[] = [];
  const reasoning: string[] = [];
  let index = 0;
  for (const item of items.filter(isRecord)) {
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) if (isRecord(part) && typeof part.text === 'string') texts.push(part.text);
    } else if (item.type === 'function_call') {
      answer.addChunk({
        choices: [{ delta: { tool_calls: [{ index: index++, id: item.call_id, function: { name: item.name, arguments: item.arguments } }] } }],
      });
    } else if (item.type === 'custom_tool_call') {
      answer.addChunk({ choices: [{ delta: { tool_calls: [{ index: index++, id: item.call_id, function: { name: item.name, arguments: item.input } }] } }] });
    } else if (item.type === 'reasoning' && Array.isArray(item.summary)) {
      for (const part of item.summary) if (isRecord(part) && typeof part.text === 'string') reasoning.push(part.text);
    }
  }
  answer.content = texts.join('');
  answer.reasoning = reasoning.length > 0 ? reasoning.join('\n') : null;
  return answer;
}
