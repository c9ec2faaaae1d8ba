/**
 * POST /v1/chat/completions: forwarded to the profile with its model id and extra_body; the answer goes back to the
 * agent unchanged (streamed event by event as it arrives) while a copy is gathered for the transcript.
 */
import type { ServerResponse } from 'node:http';
import { ChatAnswer } from './chat-answer.js';
import { errorBody, isRecord, sendJson } from './http-io.js';
import type { ProxyCall } from './proxy-call.js';
import { recordedChatRequest } from './recorded-request.js';
import { readSse, startSse, writeSseData } from './sse.js';
import { badResponse, failureOf, postUpstream, readJsonAnswer, requireEventStream, UpstreamFailure } from './upstream.js';

export async function serveChat(call: ProxyCall, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  const sent = { ...body, ...call.model.extra_body, model: call.model.model };
  const request = recordedChatRequest(sent);
  try {
    const answer =
      body.stream !== true ? await wholeChat(call, sent, res) : call.model.stream ? await streamChat(call, sent, res) : await wholeAsStream(call, sent, res);
    call.finish('chat', request, { answer });
  } catch (error) {
    const failure = failureOf(error, call);
    call.finish('chat', request, { failure });
    tellFailure(res, failure, (message) => errorBody(message, 'upstream_error', failure.kind));
  }
}

async function wholeChat(call: ProxyCall, sent: Record<string, unknown>, res: ServerResponse): Promise<ChatAnswer> {
  const completion = await readJsonAnswer(await postUpstream(call, '/chat/completions', sent), call);
  const answer = ChatAnswer.fromCompletion(completion);
  if (answer === null) throw badResponse(`answered with JSON that is not a chat completion: ${JSON.stringify(completion)}`, call);
  call.whole(answer.content);
  sendJson(res, 200, completion);
  return answer;
}

/**
 * For a profile with `stream: false` (a server that cannot stream): the upstream answers whole, and the agent, which
 * asked for a stream, gets that answer as the chunks a streaming server would have sent.
 */
async function wholeAsStream(call: ProxyCall, sent: Record<string, unknown>, res: ServerResponse): Promise<ChatAnswer> {
  const { stream: _stream, stream_options: options, ...whole } = sent;
  const completion = await readJsonAnswer(await postUpstream(call, '/chat/completions', whole), call);
  const answer = ChatAnswer.fromCompletion(completion);
  if (answer === null) throw badResponse(`answered with JSON that is not a chat completion: ${JSON.stringify(completion)}`, call);
  call.whole(answer.content);
  startSse(res);
  const agentWantsUsage = isRecord(options) && options.include_usage === true;
  for (const chunk of chunksOf(completion, answer, agentWantsUsage)) writeSseData(res, chunk);
  writeSseData(res, '[DONE]');
  res.end();
  return answer;
}

function chunksOf(completion: Record<string, unknown>, answer: ChatAnswer, withUsage: boolean): object[] {
  const base = {
    id: completion.id ?? 'chatcmpl-proxy',
    object: 'chat.completion.chunk',
    created: completion.created ?? Math.floor(Date.now() / 1000),
    model: answer.model,
  };
  const calls = answer.toolCalls().map((call, index) => ({ index, id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  const delta = {
    role: 'assistant',
    content: answer.content,
    ...(answer.reasoning !== null && { reasoning_content: answer.reasoning }),
    ...(calls.length > 0 && { tool_calls: calls }),
  };
  const chunks: object[] = [
    { ...base, choices: [{ index: 0, delta, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: answer.finishReason ?? 'stop' }] },
  ];
  if (withUsage && completion.usage !== undefined) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}

/** Streams the answer through; the usage chunk is always asked for (tokens and cost), and passed on only if the agent asked. */
async function streamChat(call: ProxyCall, sent: Record<string, unknown>, res: ServerResponse): Promise<ChatAnswer> {
  const options = isRecord(sent.stream_options) ? sent.stream_options : {};
  const agentWantsUsage = options.include_usage === true;
  const upstream = await postUpstream(call, '/chat/completions', { ...sent, stream_options: { ...options, include_usage: true } });
  const answer = new ChatAnswer();
  let done = false;
  for await (const event of readChatEvents(await requireEventStream(upstream, call), call)) {
    if (!res.headersSent) startSse(res);
    if (event.chunk === null) {
      done = true;
    } else {
      const news = answer.addChunk(event.chunk);
      call.delta('reasoning', news.reasoning);
      call.delta('content', news.text);
      for (const piece of news.toolArguments) call.toolDelta(piece.index, piece.text);
      if (!agentWantsUsage && isUsageOnly(event.chunk)) continue;
    }
    res.write(event.raw);
  }
  if (answer.finishReason === null && !done) {
    throw new UpstreamFailure('connection', `the stream from ${call.model.base_url} ended before the answer was complete (no finish_reason)`, null);
  }
  if (!res.headersSent) startSse(res);
  res.end();
  return answer;
}

/**
 * The chunks of a streamed chat completion (null for [DONE]); an error event, a non-JSON event, a dropped
 * connection or a stop become an UpstreamFailure.
 */
export async function* readChatEvents(
  body: ReadableStream<Uint8Array>,
  call: ProxyCall,
): AsyncGenerator<{ chunk: Record<string, unknown> | null; raw: string }> {
  try {
    for await (const event of readSse(body)) {
      if (event.data === '[DONE]') {
        yield { chunk: null, raw: event.raw };
        continue;
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        throw badResponse(`sent a stream event that is not JSON: ${event.data}`, call);
      }
      if (!isRecord(chunk)) throw badResponse(`sent a stream event that is not a JSON object: ${event.data}`, call);
      if (chunk.error !== undefined) {
        const message = isRecord(chunk.error) && typeof chunk.error.message === 'string' ? chunk.error.message : JSON.stringify(chunk.error);
        throw new UpstreamFailure('http', `the upstream ${call.model.base_url} sent an error mid-stream: ${message}`, null);
      }
      yield { chunk, raw: event.raw };
    }
  } catch (error) {
    throw failureOf(error, call);
  }
  // A stream the run stopped can end quietly; it is no complete answer.
  if (call.signal.aborted) throw failureOf(new Error('stopped'), call);
}

/** Tells the agent a failed call: an HTTP error before any of the answer went out, an error event inside a stream. */
export function tellFailure(res: ServerResponse, failure: UpstreamFailure, body: (message: string) => unknown, eventType?: string): void {
  if (!res.headersSent) return sendJson(res, failure.agentStatus, body(failure.message));
  writeSseData(res, body(failure.message), eventType);
  res.end();
}

function isUsageOnly(chunk: Record<string, unknown>): boolean {
  return chunk.usage !== undefined && chunk.usage !== null && Array.isArray(chunk.choices) && chunk.choices.length === 0;
}
