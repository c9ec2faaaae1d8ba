import type OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { STUB_MODEL } from './helpers/llm-stub.js';
import { closeProxies, startProxied as start } from './helpers/model-proxy-fixture.js';

// The model proxy's Responses API (what Codex CLI speaks): translated to chat completions, or passed through.

afterEach(closeProxies);

describe('the Responses API', () => {
  const shellTool = { type: 'function' as const, name: 'shell', description: 'run a command', strict: false, parameters: { type: 'object', properties: {} } };

  it('translates a text request to chat completions and the answer back, whole and streamed', async () => {
    const run = await start([
      { content: 'Hello there.', usage: { prompt_tokens: 12, completion_tokens: 3 } },
      { content: 'Hello again.', usage: { prompt_tokens: 14, completion_tokens: 3 } },
    ]);
    const whole = await run.client.responses.create({ model: 'x', instructions: 'Be brief.', input: 'Say hello.' });
    expect(whole.output_text).toBe('Hello there.');
    expect(whole.usage).toMatchObject({ input_tokens: 12, output_tokens: 3, total_tokens: 15 });
    expect(run.stub.chatRequests()[0]?.body).toMatchObject({
      model: STUB_MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello.' },
      ],
    });

    const stream = await run.client.responses.create({
      model: 'x',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Again.' }] }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | null = null;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe('Hello again.');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(completed?.usage).toMatchObject({ input_tokens: 14, output_tokens: 3 });
    expect(run.calls.map((c) => [c.api, c.response?.content, c.usage?.prompt_tokens])).toEqual([
      ['responses', 'Hello there.', 12],
      ['responses', 'Hello again.', 14],
    ]);
    expect(run.calls[0]?.request.messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('translates a function call round trip: the call out as a function_call item, its output back as a tool message', async () => {
    const run = await start([
      { content: '', tool_calls: [{ id: 'call_7', name: 'shell', arguments: '{"cmd":"ls"}' }], finish_reason: 'tool_calls' },
      { content: 'There is one file.' },
    ]);
    const stream = await run.client.responses.create({ model: 'x', input: 'What is here?', tools: [shellTool], stream: true });
    let call: OpenAI.Responses.ResponseFunctionToolCall | null = null;
    for await (const event of stream) if (event.type === 'response.output_item.done' && event.item.type === 'function_call') call = event.item;
    expect(call).toMatchObject({ call_id: 'call_7', name: 'shell', arguments: '{"cmd":"ls"}' });
    expect(run.stub.chatRequests()[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'shell', description: 'run a command', parameters: { type: 'object', properties: {} } } }],
    });

    const second = await run.client.responses.create({
      model: 'x',
      tools: [shellTool],
      input: [
        { role: 'user', content: 'What is here?' },
        { type: 'function_call', call_id: 'call_7', name: 'shell', arguments: '{"cmd":"ls"}' },
        { type: 'function_call_output', call_id: 'call_7', output: 'train_gpt.py' },
      ],
    });
    expect(second.output_text).toBe('There is one file.');
    expect(run.stub.chatRequests()[1]?.body).toMatchObject({
      messages: [
        { role: 'user', content: 'What is here?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'shell', arguments: '{"cmd":"ls"}' } }] },
        { role: 'tool', tool_call_id: 'call_7', content: 'train_gpt.py' },
      ],
    });
    expect(run.calls[0]?.response?.tool_calls).toEqual([{ id: 'call_7', name: 'shell', arguments: '{"cmd":"ls"}' }]);
    expect(run.calls[1]?.request.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it("translates custom (free-form) tools such as Codex CLI's apply_patch: a one-string function out, custom_tool_call items back", async () => {
    const patch = '*** Begin Patch\n*** Update File: train_gpt.py\n*** End Patch';
    const run = await start([
      { content: '', tool_calls: [{ id: 'call_p', name: 'apply_patch', arguments: JSON.stringify({ input: patch }) }], finish_reason: 'tool_calls' },
      { content: '', tool_calls: [{ id: 'call_q', name: 'apply_patch', arguments: JSON.stringify({ input: patch }) }], finish_reason: 'tool_calls' },
      { content: 'Patched.' },
    ]);
    const tools = [{ type: 'custom' as const, name: 'apply_patch', description: 'edit files' }];
    const whole = await run.client.responses.create({ model: 'x', input: 'Edit it.', tools });
    expect(whole.output).toMatchObject([{ type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: patch }]);
    expect(run.stub.chatRequests()[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'apply_patch', parameters: { properties: { input: { type: 'string' } }, required: ['input'] } } }],
    });

    const stream = await run.client.responses.create({ model: 'x', input: 'Edit it.', tools, stream: true });
    const done: unknown[] = [];
    for await (const event of stream) if (event.type === 'response.output_item.done') done.push(event.item);
    expect(done).toMatchObject([{ type: 'custom_tool_call', call_id: 'call_q', input: patch }]);

    await run.client.responses.create({
      model: 'x',
      tools,
      input: [
        { type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: patch },
        { type: 'custom_tool_call_output', call_id: 'call_p', output: 'Done!' },
      ],
    });
    expect(run.stub.chatRequests()[2]?.body).toMatchObject({
      messages: [
        { role: 'assistant', tool_calls: [{ id: 'call_p', function: { name: 'apply_patch', arguments: JSON.stringify({ input: patch }) } }] },
        { role: 'tool', tool_call_id: 'call_p', content: 'Done!' },
      ],
    });
  });

  it('streams a whole chat answer as Responses events when the profile cannot stream', async () => {
    const run = await start([{ content: 'Made whole.', usage: { prompt_tokens: 5, completion_tokens: 2 } }], { stream: false });
    const stream = await run.client.responses.create({ model: 'x', input: 'hi', stream: true });
    let text = '';
    let completed: OpenAI.Responses.Response | null = null;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe('Made whole.');
    expect(completed?.usage).toMatchObject({ input_tokens: 5, output_tokens: 2 });
    expect((run.stub.chatRequests()[0]?.body as { stream?: unknown }).stream).toBeUndefined();
  });

  it('refuses previous_response_id when translating, since nothing is stored to continue from', async () => {
    const run = await start([]);
    await expect(run.client.responses.create({ model: 'x', input: 'more', previous_response_id: 'resp_1' })).rejects.toMatchObject({ status: 400 });
    expect(run.stub.requests).toHaveLength(0);
  });

  it('passes requests through to an upstream that offers the Responses API, whole and streamed, and records them', async () => {
    const response = {
      id: 'resp_up',
      object: 'response',
      created_at: 1,
      status: 'completed',
      model: STUB_MODEL,
      output: [
        { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'From upstream.', annotations: [] }] },
      ],
      usage: { input_tokens: 30, output_tokens: 4, total_tokens: 34 },
    };
    const events = [
      { type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', output: [], usage: null } },
      { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'From ' },
      { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'upstream.' },
      { type: 'response.completed', sequence_number: 3, response },
    ];
    const run = await start([{ raw: JSON.stringify(response) }, { events, end: 'close' }], { responses_api: 'passthrough' });

    const whole = await run.client.responses.create({ model: 'x', input: 'hi', tools: [shellTool] });
    expect(whole.output_text).toBe('From upstream.');
    const sent = run.stub.requests[0]!;
    expect(sent.path).toBe('/v1/responses');
    expect(sent.body).toMatchObject({ model: STUB_MODEL, input: 'hi', tools: [shellTool] });

    const stream = await run.client.responses.create({ model: 'x', input: 'hi', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('From upstream.');
    expect(run.pieces.map((p) => p.text).join('')).toContain('From upstream.');
    expect(run.calls.map((c) => [c.api, c.response?.content, c.usage])).toEqual([
      ['responses', 'From upstream.', { prompt_tokens: 30, completion_tokens: 4 }],
      ['responses', 'From upstream.', { prompt_tokens: 30, completion_tokens: 4 }],
    ]);
    expect(run.calls[0]?.request.tools).toEqual([shellTool]);
  });
  it("passes an upstream Responses stream's own failure on once, and records the call as failed", async () => {
    const failedResponse = {
      id: 'resp_up',
      object: 'response',
      created_at: 1,
      status: 'failed',
      model: STUB_MODEL,
      output: [],
      error: { code: 'server_error', message: 'ran out of GPUs' },
    };
    const run = await start(
      [
        {
          events: [
            { type: 'response.created', sequence_number: 0, response: { ...failedResponse, status: 'in_progress', error: null } },
            { type: 'response.failed', sequence_number: 1, response: failedResponse },
          ],
          end: 'close',
        },
      ],
      { responses_api: 'passthrough' },
    );
    const stream = await run.client.responses.create({ model: 'x', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['response.created', 'response.failed']);
    expect(run.calls[0]).toMatchObject({ api: 'responses', error: { kind: 'http', message: expect.stringMatching(/ran out of GPUs/) } });
  });
});
