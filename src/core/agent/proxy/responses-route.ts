/**
 * POST /v1/responses, the API current coding CLIs (Codex CLI) speak. With `responses_api: passthrough` it goes to the
 * upstream's own /responses; with `translate` (default) it becomes a chat completion and the answer is re-told
 * as a Responses answer. Either way the call is recorded like a chat call (api: responses).
 */
import type { ServerResponse } from 'node:http';
import type { ResolvedModel } from '../llm/model-profile.js';
import { ChatAnswer } from './chat-answer.js';
import { readChatEvents } from './chat-route.js';
import { errorBody, isRecord, sendJson } from './http-io.js';
import type { ProxyCall } from './proxy-call.js';
import { paramsOf, recordedChatRequest } from './recorded-request.js';
import { chatRequestFromResponses, customToolNames, messagesFromResponses } from './responses-request.js';
import { answerFromResponse, failedResponse, newResponseMeta, responseObject, type ResponseMeta } from './responses-output.js';
import { ResponsesStreamWriter } from './responses-stream.js';
import { readSse, startSse, writeSseData } from './sse.js';
import { badResponse, failureOf, postUpstream, readJsonAnswer, requireEventStream, UpstreamFailure } from './upstream.js';

/** The Responses request as the transcript keeps it: its input as chat messages, its tools and params as sent. */
function recordedResponsesRequest(sent: Record<string, unknown>): ReturnType<typeof recordedChatRequest> {
  const { messages } = recordedChatRequest({ messages: messagesFromResponses(sent) });
  return { messages, params: paramsOf(sent), ...(Array.isArray(sent.tools) && { tools: sent.tools }) };
}

export async function serveResponses(call: ProxyCall, body: Record<string, unknown>, res: ServerResponse, chatBody?: Record<string, unknown>): Promise<void> {
  const sent = { ...body, ...call.model.extra_body, model: call.model.model };
  const request = recordedResponsesRequest(sent);
  const streamed = body.stream === true;
  const meta = newResponseMeta(call.model.model, customToolNames(body));
  const writer = streamed && chatBody ? new ResponsesStreamWriter(res, meta) : null;
  try {
    let answer: ChatAnswer;
    if (!chatBody) answer = streamed ? await passStream(call, sent, res) : await passWhole(call, sent, res);
    else if (!writer) answer = await translateWhole(call, chatBody, res, meta);
    else answer = chatBody.stream === true ? await translateStream(call, chatBody, writer) : await wholeAsStream(call, chatBody, writer);
    call.finish('responses', request, { answer });
  } catch (error) {
    const failure = failureOf(error, call);
    call.finish('responses', request, { failure });
    // A stream that ended on the upstream's own failure event has told the agent already.
    if (res.writableEnded) return;
    const message = errorBody(failure.message, 'upstream_error', failure.kind).error.message;
    if (!res.headersSent) sendJson(res, failure.agentStatus, errorBody(failure.message, 'upstream_error', failure.kind));
    else if (writer) writer.fail(message, failure.kind);
    else {
      writeSseData(res, { type: 'response.failed', response: failedResponse(meta, message, failure.kind) }, 'response.failed');
      res.end();
    }
  }
}

/** The chat body a translated Responses request becomes (built before the call, so a refusal is a plain 400). */
export function translatedBody(model: ResolvedModel, body: Record<string, unknown>): Record<string, unknown> {
  const chat: Record<string, unknown> = { ...chatRequestFromResponses(body, model), ...model.extra_body, model: model.model };
  // A profile with `stream: false` is asked whole; the agent's stream is then made from the whole answer.
  const { stream: _stream, ...whole } = chat;
  return body.stream === true && model.stream ? { ...chat, stream: true, stream_options: { include_usage: true } } : whole;
}

async function translateWhole(call: ProxyCall, chatBody: Record<string, unknown>, res: ServerResponse, meta: ResponseMeta): Promise<ChatAnswer> {
  const completion = await readJsonAnswer(await postUpstream(call, '/chat/completions', chatBody), call);
  const answer = ChatAnswer.fromCompletion(completion);
  if (answer === null) throw badResponse(`answered with JSON that is not a chat completion: ${JSON.stringify(completion)}`, call);
  call.whole(answer.content);
  sendJson(res, 200, responseObject(meta, answer));
  return answer;
}

async function translateStream(call: ProxyCall, chatBody: Record<string, unknown>, writer: ResponsesStreamWriter): Promise<ChatAnswer> {
  const upstream = await postUpstream(call, '/chat/completions', chatBody);
  const events = readChatEvents(await requireEventStream(upstream, call), call);
  const answer = new ChatAnswer();
  let done = false;
  let started = false;
  for await (const event of events) {
    if (!started) writer.start();
    started = true;
    if (event.chunk === null) {
      done = true;
      continue;
    }
    const news = answer.addChunk(event.chunk);
    call.delta('reasoning', news.reasoning);
    call.delta('content', news.text);
    for (const piece of news.toolArguments) call.toolDelta(piece.index, piece.text);
    writer.textDelta(news.text);
  }
  if (answer.finishReason === null && !done) {
    throw new UpstreamFailure('connection', `the stream from ${call.model.base_url} ended before the answer was complete (no finish_reason)`, null);
  }
  if (!started) writer.start();
  writer.finish(answer);
  return answer;
}

/** A whole chat answer told as a Responses stream, for a profile whose server cannot stream. */
async function wholeAsStream(call: ProxyCall, chatBody: Record<string, unknown>, writer: ResponsesStreamWriter): Promise<ChatAnswer> {
  const completion = await readJsonAnswer(await postUpstream(call, '/chat/completions', chatBody), call);
  const answer = ChatAnswer.fromCompletion(completion);
  if (answer === null) throw badResponse(`answered with JSON that is not a chat completion: ${JSON.stringify(completion)}`, call);
  call.whole(answer.content);
  writer.start();
  writer.textDelta(answer.content);
  writer.finish(answer);
  return answer;
}

async function passWhole(call: ProxyCall, sent: Record<string, unknown>, res: ServerResponse): Promise<ChatAnswer> {
  const response = await readJsonAnswer(await postUpstream(call, '/responses', sent), call);
  if (response.object !== 'response' && !Array.isArray(response.output)) {
    throw badResponse(`answered with JSON that is not a Responses API response: ${JSON.stringify(response)}`, call);
  }
  const answer = answerFromResponse(response);
  call.whole(answer.content);
  sendJson(res, 200, response);
  return answer;
}

/** Forwards the upstream's events as they come; the final response event carries what the transcript keeps. */
async function passStream(call: ProxyCall, sent: Record<string, unknown>, res: ServerResponse): Promise<ChatAnswer> {
  const body = await requireEventStream(await postUpstream(call, '/responses', sent), call);
  let final: ChatAnswer | null = null;
  try {
    for await (const event of readSse(body)) {
      if (!res.headersSent) startSse(res);
      res.write(event.raw);
      const data = parseJson(event.data);
      if (!isRecord(data)) continue;
      if (data.type === 'response.output_text.delta' && typeof data.delta === 'string') call.delta('content', data.delta);
      if (data.type === 'response.reasoning_summary_text.delta' && typeof data.delta === 'string') call.delta('reasoning', data.delta);
      if (data.type === 'response.function_call_arguments.delta' && typeof data.delta === 'string') {
        call.toolDelta(typeof data.output_index === 'number' ? data.output_index : 0, data.delta);
      }
      if (typeof data.type === 'string' && /^response\.(completed|incomplete|failed)$/.test(data.type) && isRecord(data.response)) {
        final = answerFromResponse(data.response);
      }
      if (data.type === 'error' || data.type === 'response.failed') {
        res.end();
        const error = isRecord(data.error) ? data.error : isRecord(data.response) && isRecord(data.response.error) ? data.response.error : data;
        throw new UpstreamFailure(
          'http',
          `the upstream ${call.model.base_url} sent an error mid-stream: ${String(error.message ?? JSON.stringify(error))}`,
          null,
        );
      }
    }
  } catch (error) {
    throw failureOf(error, call);
  }
  if (call.signal.aborted) throw failureOf(new Error('stopped'), call);
  if (final === null) throw new UpstreamFailure('connection', `the stream from ${call.model.base_url} ended without its response.completed event`, null);
  res.end();
  return final;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
