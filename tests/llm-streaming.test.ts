import { afterEach, describe, expect, it } from 'vitest';
import { LlmCallRecord } from '../src/core/store/call-record.js';
import { LlmCallError, type ChatMessage, type StreamEvent } from '../src/core/agent/llm/chat.js';
import { ModelProfile, type ModelProfileInput } from '../src/core/agent/llm/model-profile.js';
import { OpenAiChatClient } from '../src/core/agent/llm/openai-client.js';
import { draftInput, stubAgent } from './helpers/agent-fixtures.js';
import { completionChunks } from './helpers/llm-stub-sse.js';
import { startLlmStub, STUB_MODEL, stubModel, type LlmStub, type StubReply } from './helpers/llm-stub.js';

const MESSAGES: ChatMessage[] = [{ role: 'user', content: 'Make it faster.' }];

let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function serve(...replies: StubReply[]): Promise<LlmStub> {
  stub = await startLlmStub(replies);
  return stub;
}

/** A client on the stub that retries without waiting, and the stream events it reports. */
function streamingClient(
  baseUrl: string,
  profile: ModelProfileInput = {},
): { client: OpenAiChatClient; events: StreamEvent[]; complete: () => Promise<Awaited<ReturnType<OpenAiChatClient['complete']>>> } {
  const client = new OpenAiChatClient(stubModel(baseUrl, profile), null, { sleep: async () => {} });
  const events: StreamEvent[] = [];
  return { client, events, complete: () => client.complete(MESSAGES, undefined, { node: 1, purpose: 'propose', onStream: (e) => events.push(e) }) };
}

/** The text a listener holds at the end: the content pieces after the last restart. */
function shownText(events: StreamEvent[]): string {
  let text = '';
  for (const event of events) text = event.kind === 'restart' ? '' : event.part === 'content' ? text + event.text : text;
  return text;
}

async function failure(promise: Promise<unknown>): Promise<LlmCallError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmCallError);
  return error as LlmCallError;
}

describe('a streamed chat reply', () => {
  it('is on by default in a model profile, and `stream` takes only a boolean', () => {
    expect(ModelProfile.parse({}).stream).toBe(true);
    expect(ModelProfile.parse({ stream: false }).stream).toBe(false);
    const bad = ModelProfile.safeParse({ stream: 'yes' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['stream']);
  });

  it('is the default: asks for a stream with usage, assembles the pieces and tells each one as it arrives', async () => {
    const pieces = ['Here ', 'is ', 'the ', 'change', '.'];
    const server = await serve({ content: pieces.join(''), pieces, reasoning: 'think first', usage: { prompt_tokens: 12, completion_tokens: 7 } });
    const { events, complete } = streamingClient(server.baseUrl, { temperature: 0.2 });
    const reply = await complete();

    expect(reply).toEqual({
      content: 'Here is the change.',
      reasoning: 'think first',
      finish_reason: 'stop',
      usage: { prompt_tokens: 12, completion_tokens: 7 },
      model: STUB_MODEL,
      latency_ms: expect.any(Number),
      retries: [],
    });
    expect(events).toEqual([{ kind: 'delta', part: 'reasoning', text: 'think first' }, ...pieces.map((text) => ({ kind: 'delta', part: 'content', text }))]);
    expect(server.chatRequests()[0]?.body).toEqual({
      model: STUB_MODEL,
      messages: MESSAGES,
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('keeps finish_reason length and a null usage when the server sends no usage chunk', async () => {
    const server = await serve({ content: 'cut', finish_reason: 'length', usage: null });
    const reply = await streamingClient(server.baseUrl).complete();
    expect(reply).toMatchObject({ content: 'cut', finish_reason: 'length', usage: null });
  });

  it('gives the same call record as a whole answer, priced alike', async () => {
    const reply: StubReply = { content: 'I change nothing.\n\n```python\nprint(1)\n```', usage: { prompt_tokens: 900, completion_tokens: 100 } };
    const server = await serve(reply, reply);
    const prices = { input_per_million: 2, output_per_million: 8 };
    const records: LlmCallRecord[] = [];
    const streamed: StreamEvent[] = [];
    await (
      await stubAgent(server.baseUrl, { edit_format: 'whole', prices })
    ).propose(await draftInput({ onCall: (c) => records.push(c), onStream: (e) => streamed.push(e) }));
    await (await stubAgent(server.baseUrl, { edit_format: 'whole', prices, stream: false })).propose(await draftInput({ onCall: (c) => records.push(c) }));

    expect(server.chatRequests().map((r) => (r.body as { stream: boolean }).stream)).toEqual([true, false]);
    expect(shownText(streamed)).toBe(reply.content);
    const [fromStream, fromWhole] = records.map((r) => ({ ...LlmCallRecord.parse(r), at: 'at', latency_ms: 0 }));
    // Only the streamed call keeps how its answer arrived.
    expect(fromWhole!.stream).toBeUndefined();
    expect(fromStream!.stream!.map((p) => p.text).join('')).toBe(reply.content);
    expect({ ...fromStream, stream: undefined }).toEqual(fromWhole);
    expect(fromStream).toMatchObject({ response: { content: reply.content, finish_reason: 'stop' }, usage: reply.usage, error: null });
    expect(fromStream!.cost_usd).toBeCloseTo(0.0026, 10);
  });

  it('still works with stream: false, and tells the listener nothing', async () => {
    const server = await serve({ content: 'whole answer' });
    const { events, complete } = streamingClient(server.baseUrl, { stream: false });
    expect((await complete()).content).toBe('whole answer');
    expect(server.chatRequests()[0]?.body).toMatchObject({ stream: false });
    expect(server.chatRequests()[0]?.body).not.toHaveProperty('stream_options');
    expect(events).toEqual([]);
  });
});

describe('a stream that fails part way', () => {
  const answer = { content: 'the full answer arrives on the retry', usage: { prompt_tokens: 3, completion_tokens: 4 } };
  const firstWords = completionChunks({ content: 'a partial answer that never ends' }, STUB_MODEL, false).slice(0, 4);

  it('is retried from scratch when the connection drops: the partial text is void and the listener told so', async () => {
    const server = await serve({ events: firstWords, end: 'drop' }, answer);
    const { events, complete } = streamingClient(server.baseUrl);
    const reply = await complete();

    expect(reply.content).toBe(answer.content);
    expect(reply.usage).toEqual(answer.usage);
    expect(reply.retries).toHaveLength(1);
    expect(reply.retries[0]?.error).toMatch(/connection|terminated/i);
    const restart = events.findIndex((e) => e.kind === 'restart');
    expect(shownText(events.slice(0, restart))).toBe('a partial answer ');
    expect(events.filter((e) => e.kind === 'restart')).toHaveLength(1);
    expect(shownText(events)).toBe(answer.content);
  });

  it('is retried when the stream ends without a finish, and fails as a connection error once retries are used up', async () => {
    const server = await serve({ events: firstWords, end: 'close' }, { events: firstWords, end: 'close' });
    const error = await failure(streamingClient(server.baseUrl, { max_retries: 1 }).complete());
    expect(error.kind).toBe('connection');
    expect(error.message).toContain('stream ended before the answer was complete');
    expect(error.message).toContain('2 attempts');
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('is retried when the server sends an error event mid-stream, and names it when it gives up', async () => {
    const server = await serve({ events: [...firstWords, { error: { message: 'engine overloaded' } }] });
    const error = await failure(streamingClient(server.baseUrl, { max_retries: 0 }).complete());
    expect(error.kind).toBe('http');
    expect(error.message).toContain('engine overloaded');
    expect(error.fix).toContain('middle of its answer');
  });

  it('times out when the stream stalls after its first pieces', async () => {
    const server = await serve({ events: firstWords, end: 'stall' });
    const error = await failure(streamingClient(server.baseUrl, { timeout_s: 0.3, max_retries: 0 }).complete());
    expect(error.kind).toBe('timeout');
  });

  it('stops at once, with an abort and no LlmCallError, when the caller aborts mid-stream', async () => {
    const server = await serve({ events: firstWords, end: 'stall' });
    const client = new OpenAiChatClient(stubModel(server.baseUrl), null);
    const controller = new AbortController();
    const pending = client.complete(MESSAGES, controller.signal, { node: 1, purpose: 'propose', onStream: () => controller.abort() });
    const error = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('a stream that is not a chat completion stream', () => {
  it('fails clearly, without retries, on an event that is not JSON', async () => {
    const server = await serve({ events: [firstChunk(), 'garbage{{'] });
    const error = await failure(streamingClient(server.baseUrl, { max_retries: 3 }).complete());
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('stream event is not JSON');
    expect(error.fix).toContain('/v1');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('says to turn streaming off when the server answers a streamed request with a whole JSON completion', async () => {
    const server = await serve({ status: 200, body: { choices: [{ message: { role: 'assistant', content: 'whole' }, finish_reason: 'stop' }] } });
    const error = await failure(streamingClient(server.baseUrl).complete());
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('application/json, not server-sent events');
    expect(error.message).toContain('"content":"whole"');
    expect(error.fix).toContain('stream: false');
  });

  it('quotes an HTML page served instead of a stream', async () => {
    const server = await serve({ raw: '<html><body>Sign in to the proxy</body></html>', contentType: 'text/html' });
    const error = await failure(streamingClient(server.baseUrl).complete());
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('Sign in to the proxy');
  });
});

function firstChunk(): object {
  return completionChunks({ content: 'x' }, STUB_MODEL, false)[0]!;
}
