import { afterEach, describe, expect, it } from 'vitest';
import { LlmCallError, type ChatMessage } from '../src/core/agent/llm/chat.js';
import { OpenAiChatClient } from '../src/core/agent/llm/openai-client.js';
import { backoffMs, parseRetryAfter } from '../src/core/agent/llm/retry.js';
import { closedBaseUrl, startLlmStub, stubModel, type LlmStub, type StubReply } from './helpers/llm-stub.js';

const MESSAGES: ChatMessage[] = [{ role: 'user', content: 'hi' }];

let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function serve(...replies: StubReply[]): Promise<LlmStub> {
  stub = await startLlmStub(replies);
  return stub;
}

/** A sleep that records what it was asked to wait and returns at once. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('retried failures', () => {
  it('waits the retry-after a 429 names, then succeeds', async () => {
    const server = await serve({ status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } }, { content: 'done' });
    const reply = await new OpenAiChatClient(stubModel(server.baseUrl), null).complete(MESSAGES);

    expect(reply.content).toBe('done');
    expect(reply.retries).toEqual([{ error: 'HTTP 429 slow down', status: 429, waited_ms: 1000 }]);
    const [first, second] = server.chatRequests();
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('prefers retry-after-ms and caps a very long retry-after at 120 s', async () => {
    const server = await serve(
      { status: 429, headers: { 'retry-after-ms': '250', 'retry-after': '9' } },
      { status: 503, headers: { 'retry-after': '3600' } },
      { content: 'done' },
    );
    const { sleep, waits } = recordingSleep();
    const reply = await new OpenAiChatClient(stubModel(server.baseUrl), null, { sleep }).complete(MESSAGES);
    expect(waits).toEqual([250, 120_000]);
    expect(reply.retries.map((retry) => retry.status)).toEqual([429, 503]);
  });

  it('retries a 500 after a jittered backoff, then succeeds', async () => {
    const server = await serve({ status: 500, body: { error: { message: 'boom' } } }, { content: 'fine' });
    const { sleep, waits } = recordingSleep();
    const reply = await new OpenAiChatClient(stubModel(server.baseUrl), null, { sleep, random: () => 0.5 }).complete(MESSAGES);
    expect(reply.content).toBe('fine');
    expect(reply.retries).toEqual([{ error: 'HTTP 500 boom', status: 500, waited_ms: 500 }]);
    expect(waits).toEqual([500]);
  });

  it('gives up on a persistent 500 after max_retries retries, with kind http', async () => {
    const server = await serve(...Array.from({ length: 3 }, () => ({ status: 500, body: { error: { message: 'still down' } } })));
    const { sleep, waits } = recordingSleep();
    const client = new OpenAiChatClient(stubModel(server.baseUrl, { max_retries: 2 }), null, { sleep, random: () => 1 });
    const error = (await rejection(client.complete(MESSAGES))) as LlmCallError;

    expect(error).toBeInstanceOf(LlmCallError);
    expect(error.kind).toBe('http');
    expect(error.status).toBe(500);
    expect(error.retries).toHaveLength(2);
    expect(server.chatRequests()).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
    expect(error.message).toBe(`LLM endpoint: HTTP 500 still down (model stub at ${server.baseUrl}, 3 attempts)`);
    expect(error.fix).toContain('max_retries');
  });

  it('times out a request that never answers, retries it, then fails with kind timeout', async () => {
    const server = await serve({ hang: true }, { hang: true });
    const client = new OpenAiChatClient(stubModel(server.baseUrl, { timeout_s: 0.5, max_retries: 1 }), null, { random: () => 0 });
    const started = Date.now();
    const error = (await rejection(client.complete(MESSAGES))) as LlmCallError;

    expect(error).toBeInstanceOf(LlmCallError);
    expect(error.kind).toBe('timeout');
    expect(error.retries).toEqual([{ error: 'request timed out: no answer within 0.5 s', status: null, waited_ms: 0 }]);
    expect(server.chatRequests()).toHaveLength(2);
    // Two attempts of 0.5 s each at least; the upper bound only tells a timeout that works from a hang (the stub never
    // answers), with room for a busy machine.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(error.fix).toContain('timeout_s');
  });

  it('fails with kind connection and says how to point at the server when nothing listens', async () => {
    const baseUrl = await closedBaseUrl();
    const client = new OpenAiChatClient(stubModel(baseUrl, { max_retries: 1 }), null, { random: () => 0 });
    const error = (await rejection(client.complete(MESSAGES))) as LlmCallError;

    expect(error).toBeInstanceOf(LlmCallError);
    expect(error.kind).toBe('connection');
    expect(error.status).toBeNull();
    expect(error.retries).toHaveLength(1);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.fix).toBe(`is the server running at ${baseUrl}? pass --base-url or set base_url in the model profile`);
  });
});

describe('aborting a call', () => {
  it('rejects promptly with an AbortError while a request hangs', async () => {
    const server = await serve({ hang: true });
    const controller = new AbortController();
    const client = new OpenAiChatClient(stubModel(server.baseUrl, { timeout_s: 30 }), null);
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(client.complete(MESSAGES, controller.signal));

    expect(error).not.toBeInstanceOf(LlmCallError);
    expect((error as Error).name).toBe('AbortError');
    // Long before the 30 s request timeout would have ended the call (a bound that holds on a busy machine).
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('rejects promptly with an AbortError during a backoff sleep', async () => {
    const server = await serve({ status: 429, headers: { 'retry-after': '30' } }, { content: 'never reached' });
    const controller = new AbortController();
    const client = new OpenAiChatClient(stubModel(server.baseUrl), null);
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const error = await rejection(client.complete(MESSAGES, controller.signal));

    expect((error as Error).name).toBe('AbortError');
    // Long before the 30 s Retry-After would have ended the back-off (a bound that holds on a busy machine).
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const server = await serve({ content: 'x' });
    const error = await rejection(new OpenAiChatClient(stubModel(server.baseUrl), null).complete(MESSAGES, AbortSignal.abort()));
    expect((error as Error).name).toBe('AbortError');
    expect(server.chatRequests()).toHaveLength(0);
  });
});

describe('backoff and retry-after arithmetic', () => {
  it('doubles from 1 s up to a 60 s cap, scaled by the jitter draw', () => {
    const top = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, null, () => 1));
    expect(top).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(backoffMs(3, null, () => 0)).toBe(0);
    expect(backoffMs(3, null, () => 0.25)).toBe(2000);
  });

  it('uses a server-named wait over the backoff, capped', () => {
    expect(backoffMs(0, 5000, () => 1)).toBe(5000);
    expect(backoffMs(0, 500_000, () => 1)).toBe(120_000);
  });

  it('reads retry-after-ms, retry-after seconds and an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '1500' }), now)).toBe(1500);
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }), now)).toBe(7000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(parseRetryAfter(new Headers(), now)).toBeNull();
  });
});
