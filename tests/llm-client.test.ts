import { afterEach, describe, expect, it, vi } from 'vitest';
import { LlmCallError, type ChatMessage } from '../src/core/agent/llm/chat.js';
import { OpenAiChatClient } from '../src/core/agent/llm/openai-client.js';
import { startLlmStub, stubModel, type LlmStub, type StubReply } from './helpers/llm-stub.js';

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You improve training scripts.' },
  { role: 'user', content: 'Make it faster.' },
];

let stub: LlmStub | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await stub?.close();
  stub = undefined;
});

async function serve(...replies: StubReply[]): Promise<LlmStub> {
  stub = await startLlmStub(replies);
  return stub;
}

async function failure(promise: Promise<unknown>): Promise<LlmCallError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmCallError);
  return error as LlmCallError;
}

// These read whole (non-streamed) completions; llm-streaming.test.ts covers the same ground for streams.
describe('a normal chat reply', () => {
  it('returns content, reasoning, usage and model, and sends every profile setting', async () => {
    const server = await serve({ content: 'Here is the change.', reasoning: 'think first', usage: { prompt_tokens: 12, completion_tokens: 7 } });
    const model = stubModel(server.baseUrl, {
      model: 'o3-mini',
      api_key_env: 'SOME_KEY',
      temperature: 0.3,
      max_tokens: 256,
      max_tokens_field: 'max_completion_tokens',
      reasoning_effort: 'low',
      extra_body: { top_k: 20, chat_template_kwargs: { enable_thinking: false } },
      extra_headers: { 'X-Team': 'speedrun' },
      stream: false,
    });
    const reply = await new OpenAiChatClient(model, 'sk-test-123').complete(MESSAGES);

    expect(reply).toEqual({
      content: 'Here is the change.',
      reasoning: 'think first',
      finish_reason: 'stop',
      usage: { prompt_tokens: 12, completion_tokens: 7 },
      model: 'o3-mini',
      latency_ms: expect.any(Number),
      retries: [],
    });
    expect(reply.latency_ms).toBeGreaterThanOrEqual(0);
    const [request] = server.chatRequests();
    expect(request?.body).toEqual({
      model: 'o3-mini',
      messages: MESSAGES,
      temperature: 0.3,
      max_completion_tokens: 256,
      reasoning_effort: 'low',
      top_k: 20,
      chat_template_kwargs: { enable_thinking: false },
      stream: false,
    });
    expect(request?.headers['authorization']).toBe('Bearer sk-test-123');
    expect(request?.headers['x-team']).toBe('speedrun');
  });

  it('leaves out settings the profile does not set, and uses max_tokens by default', async () => {
    const server = await serve({ content: 'ok' });
    await new OpenAiChatClient(stubModel(server.baseUrl, { max_tokens: 100, stream: false }), null).complete(MESSAGES);
    expect(server.chatRequests()[0]?.body).toEqual({ model: 'stub-model', messages: MESSAGES, max_tokens: 100, stream: false });
  });

  it('reads message.reasoning, and gives null usage when the server sends none', async () => {
    const server = await serve({
      status: 200,
      body: { model: 'm', choices: [{ message: { role: 'assistant', content: 'answer', reasoning: 'why' }, finish_reason: 'length' }] },
    });
    const reply = await new OpenAiChatClient(stubModel(server.baseUrl, { stream: false }), null).complete(MESSAGES);
    expect(reply).toMatchObject({ content: 'answer', reasoning: 'why', finish_reason: 'length', usage: null, model: 'm' });
  });

  it('accepts a reply that has tool calls and no content', async () => {
    const toolCall = { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const server = await serve({ status: 200, body: { choices: [{ message: { content: null, tool_calls: [toolCall] } }] } });
    const reply = await new OpenAiChatClient(stubModel(server.baseUrl, { stream: false }), null).complete(MESSAGES);
    expect(reply.content).toBe('');
  });
});

describe('nothing in the environment changes the request', () => {
  it('ignores OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_CUSTOM_HEADERS', async () => {
    const server = await serve({ content: 'ok' });
    vi.stubEnv('OPENAI_API_KEY', 'env-key');
    vi.stubEnv('OPENAI_BASE_URL', 'http://127.0.0.1:9/v1');
    vi.stubEnv('OPENAI_ORG_ID', 'org-from-env');
    vi.stubEnv('OPENAI_CUSTOM_HEADERS', 'X-Leak: yes\nAuthorization: Bearer env-header');
    await new OpenAiChatClient(stubModel(server.baseUrl), null).complete(MESSAGES);

    const headers = server.chatRequests()[0]?.headers ?? {};
    expect(headers['authorization']).toBe('Bearer no-key');
    expect(headers['x-leak']).toBeUndefined();
    expect(headers['openai-organization']).toBeUndefined();
  });
});

describe('a refused key', () => {
  it('is kind auth, not retried, and the key appears nowhere in the error', async () => {
    const key = 'sk-secret-key-4242';
    const server = await serve({ status: 401, body: { error: { message: `Incorrect API key provided: ${key}` } } });
    const model = stubModel(server.baseUrl, { api_key_env: 'SPEEDRUN_TEST_KEY', max_retries: 3 });
    const error = await failure(new OpenAiChatClient(model, key).complete(MESSAGES));

    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.retries).toEqual([]);
    expect(error.exitCode).toBe(3);
    expect(server.chatRequests()).toHaveLength(1);
    expect(error.message).toContain('Incorrect API key provided: [redacted]');
    expect(error.fix).toContain('$SPEEDRUN_TEST_KEY');
    for (const text of [error.message, error.fix ?? '', JSON.stringify(error), String(error.stack)]) {
      expect(text).not.toContain(key);
    }
  });

  it('is kind auth for 403 too, with a fix for profiles without a key variable', async () => {
    const server = await serve({ status: 403, body: { error: { message: 'forbidden' } } });
    const error = await failure(new OpenAiChatClient(stubModel(server.baseUrl), null).complete(MESSAGES));
    expect(error.kind).toBe('auth');
    expect(error.fix).toContain('set api_key_env in the model profile');
  });
});

describe('requests the server rejects are not retried', () => {
  it.each([400, 404, 422])('HTTP %i fails at once with kind http', async (status) => {
    const server = await serve({ status, body: { error: { message: `rejected with ${status}` } } });
    const model = stubModel(server.baseUrl, { max_retries: 3 });
    const error = await failure(new OpenAiChatClient(model, null).complete(MESSAGES));
    expect(error.kind).toBe('http');
    expect(error.status).toBe(status);
    expect(error.retries).toEqual([]);
    expect(error.message).toContain(`rejected with ${status}`);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('keeps the reason from error bodies without an "error" field', async () => {
    const server = await serve({ status: 404, body: { detail: 'model llama-9 is not served here' } });
    const error = await failure(new OpenAiChatClient(stubModel(server.baseUrl, { model: 'llama-9' }), null).complete(MESSAGES));
    expect(error.message).toContain('HTTP 404 model llama-9 is not served here (model stub');
    expect(error.fix).toContain("serves model 'llama-9'");
  });
});

describe('a reply that is not a chat completion', () => {
  it('is kind bad-response when the body is not JSON', async () => {
    const server = await serve({ raw: 'garbage{{' });
    const error = await failure(new OpenAiChatClient(stubModel(server.baseUrl, { max_retries: 2, stream: false }), null).complete(MESSAGES));
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('not JSON');
    expect(error.fix).toContain('/v1');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('quotes the start of an HTML page served instead of JSON', async () => {
    const server = await serve({ raw: `<html><body>Sign in to the proxy${'.'.repeat(500)}</body></html>`, contentType: 'text/html' });
    const error = await failure(new OpenAiChatClient(stubModel(server.baseUrl, { stream: false }), null).complete(MESSAGES));
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('<html><body>Sign in to the proxy');
    expect(error.message).not.toContain('</body>');
  });

  it.each([
    ['no choices', { choices: [] }],
    ['no content', { choices: [{ message: { role: 'assistant', content: null } }] }],
    ['no message', { choices: [{ finish_reason: 'stop' }] }],
  ])('is kind bad-response for a completion with %s', async (_what, body) => {
    const server = await serve({ status: 200, body });
    const error = await failure(new OpenAiChatClient(stubModel(server.baseUrl, { stream: false }), null).complete(MESSAGES));
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain(JSON.stringify(body));
  });
});
