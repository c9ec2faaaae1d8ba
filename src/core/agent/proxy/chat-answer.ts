/**
 * What a chat completion answered, gathered from a whole completion or chunk by chunk from a stream: the text,
 * reasoning, tool calls (streamed as pieces keyed by index), finish reason, usage and model.
 */
import type { ChatUsage } from '../llm/chat.js';
import { readUsage, stringOrNull } from '../llm/response-fields.js';
import type { RecordedToolCall } from '../../store/call-record.js';
import { isRecord } from './http-io.js';

/** What one streamed chunk added, for live display and for translating the stream. */
export interface ChunkNews {
  text: string;
  reasoning: string;
  /** The pieces of tool-call arguments this chunk brought, by the call's index. */
  toolArguments: { index: number; text: string }[];
}

export class ChatAnswer {
  content = '';
  reasoning: string | null = null;
  finishReason: string | null = null;
  usage: ChatUsage | null = null;
  model: string | null = null;
  private readonly tools = new Map<number, RecordedToolCall>();

  /** A whole completion; false when it has no choice with a message (not a chat completion). */
  static fromCompletion(completion: Record<string, unknown>): ChatAnswer | null {
    const answer = new ChatAnswer();
    answer.model = stringOrNull(completion.model);
    answer.usage = readUsage(completion.usage);
    const choice: unknown = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
    if (!isRecord(choice) || !isRecord(choice.message)) return null;
    const message = choice.message;
    answer.content = stringOrNull(message.content) ?? '';
    answer.reasoning = stringOrNull(message.reasoning_content) ?? stringOrNull(message.reasoning);
    answer.finishReason = stringOrNull(choice.finish_reason);
    const calls: unknown[] = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    calls.forEach((call, index) => answer.addToolPiece({ ...(isRecord(call) ? call : {}), index }));
    return answer;
  }

  /** Adds one chat.completion.chunk. */
  addChunk(chunk: Record<string, unknown>): ChunkNews {
    const news: ChunkNews = { text: '', reasoning: '', toolArguments: [] };
    this.model = stringOrNull(chunk.model) || this.model;
    // With include_usage the usage comes in a last chunk of its own; some servers put it on the last choice's chunk.
    this.usage = readUsage(chunk.usage) ?? this.usage;
    const choice: unknown = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (!isRecord(choice)) return news;
    const delta = isRecord(choice.delta) ? choice.delta : {};
    news.text = stringOrNull(delta.content) ?? '';
    this.content += news.text;
    news.reasoning = stringOrNull(delta.reasoning_content) ?? stringOrNull(delta.reasoning) ?? '';
    if (news.reasoning) this.reasoning = (this.reasoning ?? '') + news.reasoning;
    const pieces: unknown[] = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    for (const piece of pieces) {
      if (!isRecord(piece)) continue;
      const added = this.addToolPiece(piece);
      if (added.text) news.toolArguments.push(added);
    }
    this.finishReason = stringOrNull(choice.finish_reason) ?? this.finishReason;
    return news;
  }

  toolCalls(): RecordedToolCall[] {
    return [...this.tools.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ ...call }));
  }

  /** A piece of a tool call: the first carries id and name, later ones more of the arguments. Returns its index and the arguments it added. */
  private addToolPiece(piece: Record<string, unknown>): { index: number; text: string } {
    const index = typeof piece.index === 'number' ? piece.index : this.tools.size;
    const call = this.tools.get(index) ?? { id: '', name: '', arguments: '' };
    const fn = isRecord(piece.function) ? piece.function : {};
    call.id = stringOrNull(piece.id) || call.id;
    call.name = stringOrNull(fn.name) || call.name;
    const text = stringOrNull(fn.arguments) ?? '';
    call.arguments += text;
    this.tools.set(index, call);
    return { index, text };
  }
}
