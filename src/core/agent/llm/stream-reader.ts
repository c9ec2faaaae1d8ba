/**
 * Reads a streamed chat completion (server-sent events, parsed into chunks by the openai SDK) into the same parts a
 * non-streamed completion gives, telling a listener each piece of text as it arrives.
 */
import { APIError } from 'openai';
import type { ChatAnswer, ChatResponse, StreamListener } from './chat.js';
import { BadResponse, StreamCutShort, StreamErrorEvent } from './llm-failures.js';
import { isRecord, preview, readUsage, stringOrNull } from './response-fields.js';
import { abortError } from './retry.js';

/**
 * Assembles the answer from `chunks`. `signal` is the attempt's own: the SDK ends a stream quietly when its request
 * is aborted, so an aborted signal after the loop means cancelled or timed out, never a finished answer.
 */
export async function readChatStream(chunks: AsyncIterable<unknown>, signal: AbortSignal, listener?: StreamListener): Promise<ChatAnswer> {
  let content = '';
  let reasoning: string | null = null;
  let finishReason: string | null = null;
  let usage: ChatResponse['usage'] = null;
  let model: string | null = null;
  try {
    for await (const chunk of chunks) {
      if (!isRecord(chunk)) throw new BadResponse(`stream event is not a JSON object: ${preview(chunk)}`);
      model = stringOrNull(chunk.model) || model;
      // With include_usage the usage comes in a last chunk of its own (no choices); other servers put it on the last choice's chunk.
      usage = readUsage(chunk.usage) ?? usage;
      const choice: unknown = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
      if (!isRecord(choice)) continue;
      const delta = isRecord(choice.delta) ? choice.delta : {};
      const text = stringOrNull(delta.content);
      if (text) {
        content += text;
        listener?.({ kind: 'delta', part: 'content', text });
      }
      const thought = stringOrNull(delta.reasoning_content) ?? stringOrNull(delta.reasoning);
      if (thought) {
        reasoning = (reasoning ?? '') + thought;
        listener?.({ kind: 'delta', part: 'reasoning', text: thought });
      }
      finishReason = stringOrNull(choice.finish_reason) ?? finishReason;
    }
  } catch (error) {
    throw streamFailure(error);
  }
  if (signal.aborted) throw abortError();
  if (finishReason === null) {
    throw new StreamCutShort(`the stream ended before the answer was complete (no finish_reason after ${content.length} characters)`);
  }
  return { content, reasoning, finish_reason: finishReason, usage, model };
}

/** The SDK's errors inside a stream, made into ours: they lack the status and body our judge reads. */
function streamFailure(error: unknown): unknown {
  if (error instanceof SyntaxError) return new BadResponse(`a stream event is not JSON: ${error.message}`);
  // An `{"error": …}` event mid-stream: the SDK raises it as an APIError with no status.
  if (error instanceof APIError && error.status === undefined) return new StreamErrorEvent(`the server sent an error mid-stream: ${error.message}`);
  return error;
}

/** A streamed request answered with something other than server-sent events: a JSON completion, an HTML page. */
export function notAStream(contentType: string, body: string): BadResponse {
  const json = /json/i.test(contentType);
  return new BadResponse(
    `the server answered a streamed request with ${contentType}, not server-sent events: ${preview(body)}`,
    json ? 'this server does not stream: set `stream: false` in the model profile' : undefined,
  );
}
