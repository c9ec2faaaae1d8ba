/**
 * A chat completions request as the transcript keeps it: each message with its text flattened for display (content
 * parts joined, images as "[image]") and its tool fields, the tool definitions, and the remaining fields as params.
 */
import type { LlmCallRecord, RecordedMessage, RecordedToolCall } from '../../store/call-record.js';
import { isRecord } from './http-io.js';

type RecordedRequest = LlmCallRecord['request'];

/** Fields that are the conversation itself (kept as messages/tools) or transport (stream), not sampling params. */
const NOT_PARAMS = new Set(['messages', 'tools', 'input', 'instructions', 'stream', 'stream_options']);

export function recordedChatRequest(body: Record<string, unknown>): RecordedRequest {
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  return {
    messages: messages.filter(isRecord).map(recordedMessage),
    params: paramsOf(body),
    ...(Array.isArray(body.tools) && { tools: body.tools }),
  };
}

/** Everything but the conversation: model, temperature, tool_choice, response_format… */
export function paramsOf(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !NOT_PARAMS.has(key)));
}

function recordedMessage(message: Record<string, unknown>): RecordedMessage {
  const role = ROLES.find((r) => r === message.role) ?? 'user';
  const calls: unknown[] = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  return {
    role,
    content: flattenContent(message.content),
    ...(typeof message.name === 'string' && { name: message.name }),
    ...(typeof message.tool_call_id === 'string' && { tool_call_id: message.tool_call_id }),
    ...(calls.length > 0 && { tool_calls: calls.filter(isRecord).map(recordedToolCall) }),
  };
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

function recordedToolCall(call: Record<string, unknown>): RecordedToolCall {
  const fn = isRecord(call.function) ? call.function : {};
  return {
    id: typeof call.id === 'string' ? call.id : '',
    name: typeof fn.name === 'string' ? fn.name : '',
    arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? ''),
  };
}

/** A message's text: a string as is, content parts joined by newlines (non-text parts named), null as ''. */
export function flattenContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === null || content === undefined ? '' : JSON.stringify(content);
  return content
    .map((part: unknown) => {
      if (!isRecord(part)) return String(part);
      if (typeof part.text === 'string') return part.text;
      if (typeof part.refusal === 'string') return part.refusal;
      return `[${typeof part.type === 'string' ? part.type.replace(/^input_/, '') : 'part'}]`;
    })
    .join('\n');
}
