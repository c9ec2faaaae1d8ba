import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetExhaustedError, LlmBudget } from '../src/core/agent/budget.js';
import { ModelProxy } from '../src/core/agent/proxy/model-proxy.js';
import { LlmCallRecord } from '../src/core/store/call-record.js';
import { closedBaseUrl, startLlmStub, STUB_MODEL, stubModel, type LlmStub } from './helpers/llm-stub.js';
import { closeProxies, proxyOn, REAL_KEY, startProxied as start, track } from './helpers/model-proxy-fixture.js';

// The model proxy's chat completions, access, budgets and failures; the Responses API is model-proxy-responses.test.ts.

afterEach(closeProxies);

function bodyOf(stubbed: LlmStub, index = -1): Record<string, unknown> {
  return stubbed.requests.filter((r) => r.method === 'POST').at(index)?.body as Record<string, unknown>;
}

async function rawPost(url: string, token: string, body: string): Promise<{ status: number; json: Record<string, { message: string }> }> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  return { status: response.status, json: (await response.json()) as Record<string, { message: string }> };
}

describe('chat completions through the proxy', () => {
  it('forwards a whole answer with the real key and the profile model, and records it under the attached node with tokens and cost', async () => {
    const run = await start([{ content: 'Use a larger learning rate.', usage: { prompt_tokens: 1000, completion_tokens: 200 } }]);
    const answer = await run.client.chat.completions.create({ model: 'anything-the-agent-likes', messages: [{ role: 'user', content: 'Speed it up.' }] });

    expect(answer.choices[0]?.message.content).toBe('Use a larger learning rate.');
    const upstream = run.stub.chatRequests()[0]!;
    expect(upstream.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
    expect((upstream.body as { model: string }).model).toBe(STUB_MODEL);
    expect(run.calls).toHaveLength(1);
    const call = run.calls[0]!;
    expect(call).toMatchObject({ node: 3, purpose: 'agent', api: 'chat', model: 'stub', error: null, usage: { prompt_tokens: 1000, completion_tokens: 200 } });
    expect(call.cost_usd).toBeCloseTo((1000 * 2 + 200 * 8) / 1e6, 10);
    expect(call.request.messages).toEqual([{ role: 'user', content: 'Speed it up.' }]);
    expect(call.response?.content).toBe('Use a larger learning rate.');
    expect(JSON.stringify(run.calls)).not.toContain(REAL_KEY);
    expect(JSON.stringify(answer)).not.toContain(REAL_KEY);
  });

  it('streams the answer to the agent as it comes, tells the listener each piece, and counts the usage it asked upstream for', async () => {
    const run = await start([{ content: 'one two three', usage: { prompt_tokens: 40, completion_tokens: 3 } }]);
    const stream = await run.client.chat.completions.create({ model: 'x', stream: true, messages: [{ role: 'user', content: 'count' }] });
    let text = '';
    const chunks: unknown[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }

    expect(text).toBe('one two three');
    // The agent did not ask for the usage chunk, so it gets none; the proxy asked for it on its own behalf.
    expect(chunks.every((c) => (c as { choices: unknown[] }).choices.length > 0)).toBe(true);
    expect(bodyOf(run.stub).stream_options).toEqual({ include_usage: true });
    expect(run.pieces.map((p) => p.text).join('')).toBe('one two three');
    expect(new Set(run.pieces.map((p) => p.purpose))).toEqual(new Set(['agent']));
    expect(run.calls[0]).toMatchObject({ usage: { prompt_tokens: 40, completion_tokens: 3 }, response: { content: 'one two three', finish_reason: 'stop' } });
  });

  it('passes tool definitions, tool calls and tool messages through untouched, and records them', async () => {
    const toolCall = { id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}' };
    const run = await start([
      { content: '', tool_calls: [toolCall], finish_reason: 'tool_calls' },
      { content: '', tool_calls: [toolCall], finish_reason: 'tool_calls' },
    ]);
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'shell', description: 'run a command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
      },
    ];
    const messages = [
      { role: 'user' as const, content: 'look around' },
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [{ id: 'call_0', type: 'function' as const, function: { name: 'shell', arguments: '{"cmd":"pwd"}' } }],
      },
      { role: 'tool' as const, tool_call_id: 'call_0', content: '/workspace' },
    ];

    const whole = await run.client.chat.completions.create({ model: 'x', messages, tools });
    expect(whole.choices[0]?.message.tool_calls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"ls"}' } }]);
    const sent = bodyOf(run.stub, 0);
    expect(sent.tools).toEqual(tools);
    expect(sent.messages).toEqual(messages);

    const stream = await run.client.chat.completions.create({ model: 'x', messages, tools, stream: true });
    let args = '';
    for await (const chunk of stream) args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(args).toBe('{"cmd":"ls"}');

    for (const call of run.calls) {
      expect(call.response?.tool_calls).toEqual([toolCall]);
      expect(call.request.tools).toEqual(tools);
      expect(call.request.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
      expect(call.request.messages[1]?.tool_calls).toEqual([{ id: 'call_0', name: 'shell', arguments: '{"cmd":"pwd"}' }]);
      expect(call.request.messages[2]).toMatchObject({ tool_call_id: 'call_0', content: '/workspace' });
    }
  });

  it('asks a profile with stream: false for whole answers and streams them to an agent that asked for a stream', async () => {
    const toolCall = { id: 'call_w', name: 'shell', arguments: '{"cmd":"ls"}' };
    const run = await start([{ content: 'whole, then streamed', tool_calls: [toolCall], usage: { prompt_tokens: 9, completion_tokens: 4 } }], {
      stream: false,
    });
    const stream = await run.client.chat.completions.create({
      model: 'x',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    let args = '';
    let usage: unknown = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('whole, then streamed');
    expect(args).toBe(toolCall.arguments);
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 4 });
    expect(bodyOf(run.stub).stream).toBeUndefined();
    expect(run.calls[0]).toMatchObject({ usage: { prompt_tokens: 9, completion_tokens: 4 }, response: { tool_calls: [toolCall] } });
  });

  it("lets the agent choose its sampling, merges the profile's extra_body and headers, and forwards none of the agent's headers", async () => {
    const run = await start([{ content: 'ok' }], { temperature: 0.9, extra_body: { top_k: 5 }, extra_headers: { 'x-tenant': 'lab' } });
    await run.client.chat.completions.create(
      { model: 'x', temperature: 0.1, messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-agent-note': 'mine' } },
    );

    const upstream = run.stub.chatRequests()[0]!;
    expect(upstream.body).toMatchObject({ temperature: 0.1, top_k: 5 });
    expect(upstream.headers['x-tenant']).toBe('lab');
    expect(upstream.headers['x-agent-note']).toBeUndefined();
    expect(run.calls[0]?.request.params).toMatchObject({ model: STUB_MODEL, temperature: 0.1, top_k: 5 });
  });
});

describe('an agent without the openai package', () => {
  /** What a standard-library Python agent does: urllib, one whole and one streamed call, SSE lines read by hand. */
  const PLAIN_PYTHON = `
import json, os, urllib.request
base, key = os.environ['OPENAI_BASE_URL'], os.environ['OPENAI_API_KEY']
def post(body):
    headers = {'Authorization': 'Bearer ' + key, 'Content-Type': 'application/json'}
    return urllib.request.urlopen(urllib.request.Request(base + '/chat/completions', data=json.dumps(body).encode(), headers=headers))
print(json.load(post({'model': 'm', 'messages': [{'role': 'user', 'content': 'hi'}]}))['choices'][0]['message']['content'])
text = ''
for line in post({'model': 'm', 'stream': True, 'messages': [{'role': 'user', 'content': 'hi'}]}):
    line = line.decode().strip()
    if line.startswith('data: ') and line != 'data: [DONE]':
        choices = json.loads(line[6:])['choices']
        text += (choices[0]['delta'].get('content') or '') if choices else ''
print(text)
`;

  it('serves a urllib client whole and streamed', async () => {
    const run = await start([{ content: 'whole answer' }, { content: 'streamed answer' }]);
    const env = { OPENAI_BASE_URL: run.proxy.url, OPENAI_API_KEY: run.proxy.token, PATH: process.env.PATH ?? '/usr/bin' };
    const { stdout } = await promisify(execFile)('python3', ['-c', PLAIN_PYTHON], { env });
    expect(stdout.split('\n')).toEqual(['whole answer', 'streamed answer', '']);
    expect(run.calls.map((c) => c.response?.content)).toEqual(['whole answer', 'streamed answer']);
  });
});

describe('who may call', () => {
  it('refuses any other token before calling upstream', async () => {
    const run = await start([{ content: 'never sent' }]);
    const intruder = new OpenAI({ apiKey: REAL_KEY, baseURL: run.proxy.url, maxRetries: 0 });
    await expect(intruder.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });
    expect((await fetch(`${run.proxy.url}/models`)).status).toBe(401);
    expect(run.stub.chatRequests()).toHaveLength(0);
    expect(run.calls).toHaveLength(0);
  });

  it('answers 409 while no node is being written, and records the next call under the newly attached node', async () => {
    const run = await start([{ content: 'for node 7' }]);
    run.proxy.attach(null);
    await expect(run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 409 });
    const calls: LlmCallRecord[] = [];
    run.proxy.attach({ node: 7, onCall: (call) => calls.push(call) });
    await run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    expect(calls.map((c) => c.node)).toEqual([7]);
    expect(run.stub.chatRequests()).toHaveLength(1);
  });

  it('lists the profile under its name and model id, 404s other paths and 400s a body that is not JSON', async () => {
    const run = await start([]);
    const models = await run.client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['stub', STUB_MODEL]);
    expect((await rawPost(`${run.proxy.url}/embeddings`, run.proxy.token, '{}')).status).toBe(404);
    const bad = await rawPost(`${run.proxy.url}/chat/completions`, run.proxy.token, '{"messages": [');
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/not JSON/);
  });
});

describe('budgets', () => {
  it('answers 429 saying the budget is spent once it is, and keeps the refusal for the run to end on', async () => {
    const run = await start([{ content: 'first' }, { content: 'never sent' }], {}, new LlmBudget({ max_calls: 1 }));
    await run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'one' }] });
    expect(run.proxy.exhausted).toBeNull();

    // A client with retries on: the 429 says not to retry, so it reaches the agent at once.
    const retrying = new OpenAI({ apiKey: run.proxy.token, baseURL: run.proxy.url, maxRetries: 2 });
    const refused = retrying.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'two' }] });
    await expect(refused).rejects.toMatchObject({ status: 429 });
    await expect(refused).rejects.toThrow(/LLM budget is spent \(1 of 1 calls used\)/);
    expect(run.proxy.exhausted).toBeInstanceOf(BudgetExhaustedError);
    expect(run.stub.chatRequests()).toHaveLength(1);
    expect(run.calls).toHaveLength(1);
  });

  it('counts what each call cost against a dollar budget', async () => {
    const budget = new LlmBudget({ max_dollars: 0.001 });
    const run = await start([{ content: 'dear', usage: { prompt_tokens: 1000, completion_tokens: 1000 } }], {}, budget);
    await run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'one' }] });
    expect(budget.totals()).toMatchObject({ llm_calls: 1, prompt_tokens: 1000, completion_tokens: 1000, cost_usd: 0.01 });
    await expect(run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'two' }] })).rejects.toMatchObject({ status: 429 });
  });
});

describe('upstream failures', () => {
  it('tells the agent what a garbage answer was, records the failed call, and serves the next request', async () => {
    const run = await start([{ raw: '<html>login</html>', contentType: 'text/html' }, { content: 'fine again' }]);
    const failed = run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    await expect(failed).rejects.toMatchObject({ status: 502 });
    await expect(failed).rejects.toThrow(/not JSON: <html>login<\/html>/);
    const ok = await run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.choices[0]?.message.content).toBe('fine again');
    expect(run.calls.map((c) => c.error?.kind ?? 'ok')).toEqual(['bad-response', 'ok']);
    expect(run.calls[0]).toMatchObject({ response: null, usage: null, cost_usd: 0 });
  });

  it('passes an upstream HTTP error on with its status and reason, the real key cut out of it', async () => {
    const run = await start([{ status: 503, body: { error: { message: `overloaded (key ${REAL_KEY})` } } }]);
    const failed = run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    await expect(failed).rejects.toMatchObject({ status: 503 });
    const error = await failed.then(
      () => new Error('no error'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/answered HTTP 503: overloaded/);
    expect(error.message).not.toContain(REAL_KEY);
    expect(run.calls[0]?.error).toMatchObject({ kind: 'http', status: 503 });
    expect(JSON.stringify(run.calls)).not.toContain(REAL_KEY);
  });

  it('answers 502 naming the upstream when nothing listens there', async () => {
    const run = await proxyOn(track(await startLlmStub([])), stubModel(await closedBaseUrl()), new LlmBudget());
    const failed = run.client.chat.completions.create({ model: 'x', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    await expect(failed).rejects.toMatchObject({ status: 502 });
    await expect(failed).rejects.toThrow(/could not reach http:\/\/127\.0\.0\.1:\d+\/v1: .*ECONNREFUSED/);
    expect(run.calls[0]?.error?.kind).toBe('connection');
  });

  it('tells a streaming agent when the upstream stream breaks off, and records the call as failed', async () => {
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: STUB_MODEL,
      choices: [{ index: 0, delta: { content: 'half' }, finish_reason: null }],
    };
    const run = await start([{ events: [chunk], end: 'close' }]);
    const stream = await run.client.chat.completions.create({ model: 'x', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const read = (async () => {
      for await (const _chunk of stream) {
        // reading until the error event
      }
    })();
    await expect(read).rejects.toThrow(/ended before the answer was complete/);
    expect(run.calls[0]?.error?.kind).toBe('connection');
  });

  it("stops the upstream call when the node's signal aborts", async () => {
    let arrived: () => void = () => {};
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const run = await start([
      () => {
        arrived();
        return { hang: true };
      },
    ]);
    const controller = new AbortController();
    const calls: LlmCallRecord[] = [];
    run.proxy.attach({ node: 4, onCall: (call) => calls.push(call), signal: controller.signal });
    const pending = run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    await reached;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ status: 503 });
    expect(calls).toMatchObject([{ node: 4, error: { kind: 'aborted', message: 'the run stopped this call' } }]);
  });
});

describe('calls that stop early', () => {
  const firstChunk = {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: STUB_MODEL,
    choices: [{ index: 0, delta: { content: 'begun' }, finish_reason: null }],
  };

  it('stops the upstream call and records it when the agent hangs up mid-stream', async () => {
    const run = await start([{ events: [firstChunk], end: 'stall' }]);
    const recorded = new Promise<LlmCallRecord>((resolve) => run.proxy.attach({ node: 5, onCall: resolve }));
    const stream = await run.client.chat.completions.create({ model: 'x', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    for await (const chunk of stream) {
      expect(chunk.choices[0]?.delta.content).toBe('begun');
      break; // leaving the loop closes the agent's connection
    }
    expect(await recorded).toMatchObject({ node: 5, error: { kind: 'aborted', message: expect.stringMatching(/agent closed the connection/) } });
  });

  it("gives up after the profile's timeout_s with 504", async () => {
    const run = await start([{ hang: true }], { timeout_s: 0.2 });
    await expect(run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 504 });
    expect(run.calls[0]?.error).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/within 0.2 s/) });
  });

  it('ends a translated Responses stream with response.failed, saying why, when the upstream stream breaks off', async () => {
    const run = await start([{ events: [firstChunk], end: 'close' }]);
    const stream = await run.client.responses.create({ model: 'x', input: 'hi', stream: true });
    const types: string[] = [];
    let failed: OpenAI.Responses.Response | null = null;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.failed') failed = event.response;
    }
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.failed');
    expect(failed?.error?.message).toMatch(/ended before the answer was complete/);
    expect(run.calls[0]).toMatchObject({ api: 'responses', error: { kind: 'connection' } });
  });
});

describe('call records', () => {
  const builtIn = {
    node: 2,
    purpose: 'propose',
    at: '2026-01-01T00:00:00.000Z',
    model: 'stub',
    request: { messages: [{ role: 'system', content: 'You write code.' }], params: { model: STUB_MODEL } },
    response: { content: 'done', reasoning: null, finish_reason: 'stop', model: STUB_MODEL },
    error: null,
    usage: { prompt_tokens: 1, completion_tokens: 1 },
    latency_ms: 5,
    retries: [],
    cost_usd: null,
  };

  it("still reads the built-in agent's records, which carry no API, tools or tool calls", () => {
    expect(LlmCallRecord.parse(builtIn)).toEqual(builtIn);
  });

  it('refuses a record whose message role or tool call is malformed', () => {
    expect(LlmCallRecord.safeParse({ ...builtIn, request: { ...builtIn.request, messages: [{ role: 'robot', content: 'x' }] } }).success).toBe(false);
    expect(LlmCallRecord.safeParse({ ...builtIn, response: { ...builtIn.response, tool_calls: [{ id: 'c', name: 'shell' }] } }).success).toBe(false);
  });
});

describe('where the proxy listens', () => {
  it('binds the host it is given and reports a URL the agent can use', async () => {
    const stub = track(await startLlmStub([{ content: 'from any interface' }]));
    const proxy = track(await ModelProxy.start({ model: stubModel(stub.baseUrl), apiKey: null, budget: new LlmBudget(), host: '0.0.0.0' }));
    proxy.attach({ node: 1 });
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(proxy.urlFor('172.17.0.1')).toBe(`http://172.17.0.1:${proxy.port}/v1`);
    const client = new OpenAI({ apiKey: proxy.token, baseURL: proxy.url, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBe('from any interface');
    // Without a key the upstream gets the same placeholder the built-in agent sends, never the agent's token.
    expect(stub.chatRequests()[0]?.headers.authorization).toBe('Bearer no-key');
  });
});
