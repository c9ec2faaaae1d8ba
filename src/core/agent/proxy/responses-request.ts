/**
 * A Responses API request (POST /v1/responses) as a chat completions request, for upstreams that only speak chat:
 * instructions and input items become messages, function_call items assistant tool_calls, function_call_output
 * items tool messages, function tools chat tools. Also how a passed-through Responses request is recorded.
 */
import type { ResolvedModel } from '../llm/model-profile.js';
import { isRecord, ProxyRefusal } from './http-io.js';

type Message = Record<string, unknown>;

/** Responses fields with a chat equivalent of the same name. */
const SAME_NAME = ['temperature', 'top_p', 'parallel_tool_calls', 'user', 'stream', 'seed', 'stop'];

export function chatRequestFromResponses(body: Record<string, unknown>, model: ResolvedModel): Record<string, unknown> {
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw new ProxyRefusal(
      400,
      'previous_response_id needs a server that keeps responses; this proxy translates the Responses API to chat completions and keeps none: send the whole input (store: false)',
      'invalid_request_error',
    );
  }
  const chat: Record<string, unknown> = { messages: messagesFromResponses(body) };
  for (const key of SAME_NAME) if (body[key] !== undefined) chat[key] = body[key];
  if (typeof body.max_output_tokens === 'number') chat[model.max_tokens_field] = body.max_output_tokens;
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord).flatMap(chatTool) : [];
  if (tools.length > 0) chat.tools = tools;
  const choice = chatToolChoice(body.tool_choice);
  if (choice !== undefined && tools.length > 0) chat.tool_choice = choice;
  const format = isRecord(body.text) && isRecord(body.text.format) ? body.text.format : null;
  if (format?.type === 'json_schema') {
    chat.response_format = { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: format.strict } };
  } else if (format?.type === 'json_object') {
    chat.response_format = { type: 'json_object' };
  }
  return chat;
}

/** The conversation of a Responses request as chat messages. */
export function messagesFromResponses(body: Record<string, unknown>): Message[] {
  const messages: Message[] = [];
  if (typeof body.instructions === 'string' && body.instructions) messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') {
    messages.push({ role: 'user', content: body.input });
    return messages;
  }
  const items: unknown[] = Array.isArray(body.input) ? body.input : [];
  for (const item of items.filter(isRecord)) {
    const type = item.type ?? 'message';
    if (type === 'message') {
      // Many chat servers know no `developer` role; it is the system prompt's newer name.
      const role = item.role === 'developer' ? 'system' : item.role;
      messages.push({ role, content: chatContent(item.content) });
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      const args = type === 'function_call' ? item.arguments : JSON.stringify({ input: item.input });
      const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: args } };
      const last = messages.at(-1);
      // Calls the model made in one turn belong to one assistant message, after any text it wrote.
      if (last?.role === 'assistant') last.tool_calls = [...(Array.isArray(last.tool_calls) ? last.tool_calls : []), call];
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: typeof item.output === 'string' ? item.output : chatContent(item.output) });
    }
    // Reasoning items (and other kinds a chat server has no place for) are left out.
  }
  return messages;
}

/** Input content as chat content: one string when it is all text (what every server accepts), else parts. */
function chatContent(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? '';
  const parts = content.filter(isRecord).map((part): Record<string, unknown> => {
    if (typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part.type === 'input_image') return { type: 'image_url', image_url: { url: part.image_url } };
    return { type: 'text', text: JSON.stringify(part) };
  });
  return parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('') : parts;
}

/**
 * Function tools, and custom (free-form text) tools as functions of one string `input` (Codex CLI's apply_patch is
 * one); the Responses API's built-in tools (web search, file search…) have no chat equivalent and are left out.
 */
function chatTool(tool: Record<string, unknown>): Record<string, unknown>[] {
  if (tool.type !== 'function' && tool.type !== 'custom') return [];
  const parameters = tool.type === 'custom' ? CUSTOM_TOOL_PARAMETERS : (tool.parameters ?? { type: 'object', properties: {} });
  const fn: Record<string, unknown> = { name: tool.name, parameters };
  if (tool.description !== undefined) fn.description = tool.description;
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return [{ type: 'function', function: fn }];
}

const CUSTOM_TOOL_PARAMETERS = {
  type: 'object',
  properties: { input: { type: 'string', description: 'the tool input, as free-form text' } },
  required: ['input'],
};

/** The names of a request's custom tools: their calls go back as custom_tool_call items with the text input. */
export function customToolNames(body: Record<string, unknown>): Set<string> {
  const tools: unknown[] = Array.isArray(body.tools) ? body.tools : [];
  return new Set(tools.filter(isRecord).flatMap((tool) => (tool.type === 'custom' && typeof tool.name === 'string' ? [tool.name] : [])));
}

function chatToolChoice(choice: unknown): unknown {
  if (typeof choice === 'string') return choice;
  if (isRecord(choice) && choice.type === 'function' && typeof choice.name === 'string') return { type: 'function', function: { name: choice.name } };
  return undefined;
}
