import { afterEach, describe, expect, it } from 'vitest';
import { LlmCallRecord } from '../src/core/store/call-record.js';
import { STREAM_MAX_PIECES, STREAM_MERGE_MS, StreamRecorder, type StreamPiece } from '../src/core/store/call-stream.js';
import { draftInput, stubAgent } from './helpers/agent-fixtures.js';
import { pause } from './helpers/llm-stub-sse.js';
import { startLlmStub, STUB_MODEL, type LlmStub } from './helpers/llm-stub.js';
import { closeProxies, startProxied } from './helpers/model-proxy-fixture.js';

// How a streamed answer is kept in llm-calls.jsonl (`stream`): pieces with their time, merged so files stay small.

let stub: LlmStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
  await closeProxies();
});

/** A recorder on a clock the test moves by hand. */
function recorder() {
  let clock = 0;
  const r = new StreamRecorder(() => clock);
  return { r, advance: (ms: number) => void (clock += ms) };
}

const texts = (pieces: StreamPiece[] | undefined, kind?: StreamPiece['kind']) =>
  (pieces ?? [])
    .filter((p) => !kind || p.kind === kind)
    .map((p) => p.text)
    .join('');

/** One chat.completion.chunk carrying `delta`. */
const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-paced',
  object: 'chat.completion.chunk',
  created: 1,
  model: STUB_MODEL,
  choices: [{ index: 0, delta, finish_reason: finish }],
});

const PAUSE_MS = 300;
/** Reasoning, then the answer in three bursts with pauses between them; each burst is several pieces sent at once. */
const PACED = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ reasoning_content: 'Think ' }),
  chunk({ reasoning_content: 'first. ' }),
  pause(PAUSE_MS),
  chunk({ content: 'Here ' }),
  chunk({ content: 'is ' }),
  pause(PAUSE_MS),
  chunk({ content: 'the ' }),
  chunk({ content: 'change:\n' }),
  pause(PAUSE_MS),
  chunk({ content: '```python\nprint(1)\n```\n' }),
  chunk({}, 'stop'),
  { id: 'chatcmpl-paced', object: 'chat.completion.chunk', created: 1, model: STUB_MODEL, choices: [], usage: { prompt_tokens: 9, completion_tokens: 9 } },
];
const BURSTS = ['Think first. ', 'Here is ', 'the change:\n', '```python\nprint(1)\n```\n'];

/** Every burst starts a piece of its own (pauses are longer than the merge window), and no piece spans two bursts. */
function expectBursts(pieces: StreamPiece[]): void {
  let at = 0;
  const starts = new Set<number>();
  for (const p of pieces) {
    starts.add(at);
    at += p.text.length;
  }
  let burstStart = 0;
  for (const burst of BURSTS) {
    expect(starts.has(burstStart), `a piece starts at "${burst}"`).toBe(true);
    burstStart += burst.length;
  }
  for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.ms).toBeGreaterThanOrEqual(pieces[i - 1]!.ms);
  // The last burst came after three pauses: its offset holds them (a lower bound the stub guarantees).
  expect(pieces.at(-1)!.ms).toBeGreaterThanOrEqual(3 * PAUSE_MS * 0.9);
}

describe('recording a streamed answer', () => {
  it('merges pieces that come close together, keeps a pause as a new piece, and never merges two kinds', () => {
    const { r, advance } = recorder();
    expect(r.pieces()).toBeUndefined();
    advance(40);
    r.add('reasoning', 'a');
    advance(30);
    r.add('reasoning', 'b');
    r.add('content', 'c');
    advance(STREAM_MERGE_MS - 1);
    r.add('content', 'd');
    advance(1);
    r.add('content', 'e');
    r.add('tool', '{"x"', 0);
    r.add('tool', ':1}', 0);
    r.add('tool', '{}', 1);
    r.add('content', '');
    expect(r.pieces()).toEqual([
      { ms: 40, kind: 'reasoning', text: 'ab' },
      { ms: 70, kind: 'content', text: 'cd' },
      { ms: 170, kind: 'content', text: 'e' },
      { ms: 170, kind: 'tool', text: '{"x":1}', tool: 0 },
      { ms: 170, kind: 'tool', text: '{}', tool: 1 },
    ]);
  });

  it('drops what a failed attempt streamed when the call restarts', () => {
    const { r, advance } = recorder();
    r.add('content', 'void');
    r.restart();
    advance(500);
    r.add('content', 'kept');
    expect(r.pieces()).toEqual([{ ms: 500, kind: 'content', text: 'kept' }]);
  });

  it('stays under its cap on a long stream by widening the window, with every character kept in order', () => {
    const { r, advance } = recorder();
    let written = '';
    for (let i = 0; i < 20 * STREAM_MAX_PIECES; i++) {
      const text = `w${i} `;
      written += text;
      r.add('content', text);
      advance(STREAM_MERGE_MS + 7);
    }
    const pieces = r.pieces()!;
    expect(pieces.length).toBeLessThanOrEqual(STREAM_MAX_PIECES);
    expect(pieces.length).toBeGreaterThan(STREAM_MAX_PIECES / 8);
    expect(texts(pieces)).toBe(written);
    expect(pieces[0]!.ms).toBe(0);
    expect(pieces.every((p, i) => i === 0 || p.ms > pieces[i - 1]!.ms)).toBe(true);
  });

  it('stays under its cap even when kinds alternate on every piece', () => {
    const { r } = recorder();
    let content = '';
    let reasoning = '';
    for (let i = 0; i < 3 * STREAM_MAX_PIECES; i++) {
      r.add('content', `c${i}`);
      r.add('reasoning', `r${i}`);
      content += `c${i}`;
      reasoning += `r${i}`;
    }
    const pieces = r.pieces()!;
    expect(pieces.length).toBeLessThanOrEqual(STREAM_MAX_PIECES);
    expect(texts(pieces, 'content')).toBe(content);
    expect(texts(pieces, 'reasoning')).toBe(reasoning);
  });
});

describe('the stream field of a call record', () => {
  const old = {
    node: 1,
    purpose: 'propose',
    at: '2025-01-01T00:00:00.000Z',
    model: 'm',
    request: { messages: [{ role: 'user', content: 'hi' }], params: {} },
    response: { content: 'hello', reasoning: null, finish_reason: 'stop', model: 'm' },
    error: null,
    usage: { prompt_tokens: 1, completion_tokens: 1 },
    latency_ms: 5,
    retries: [],
    cost_usd: null,
  };

  it('is optional: a record written before it existed reads as before', () => {
    expect(LlmCallRecord.parse(old)).toEqual(old);
    expect(LlmCallRecord.parse(old).stream).toBeUndefined();
  });

  it('reads back what was written, and refuses a piece of an unknown kind or a negative time', () => {
    const stream = [
      { ms: 3, kind: 'reasoning', text: 'hm' },
      { ms: 9, kind: 'content', text: 'hello' },
      { ms: 9, kind: 'tool', text: '{}', tool: 0 },
    ];
    expect(LlmCallRecord.parse(JSON.parse(JSON.stringify({ ...old, stream }))).stream).toEqual(stream);
    expect(LlmCallRecord.safeParse({ ...old, stream: [{ ms: 1, kind: 'image', text: '' }] }).success).toBe(false);
    expect(LlmCallRecord.safeParse({ ...old, stream: [{ ms: -1, kind: 'content', text: '' }] }).success).toBe(false);
  });
});

describe('streams recorded where they are read', () => {
  it("the built-in agent's client: reasoning and content in the order and at the pace the server sent them", async () => {
    stub = await startLlmStub([{ events: PACED }]);
    const records: LlmCallRecord[] = [];
    await (await stubAgent(stub.baseUrl, { edit_format: 'whole' })).propose(await draftInput({ onCall: (c) => records.push(c) }));

    const record = LlmCallRecord.parse(JSON.parse(JSON.stringify(records[0])));
    const pieces = record.stream!;
    expect(texts(pieces, 'reasoning')).toBe(record.response!.reasoning);
    expect(texts(pieces, 'content')).toBe(record.response!.content);
    expect(pieces[0]!.kind).toBe('reasoning');
    expect(pieces.slice(1).every((p) => p.kind === 'content')).toBe(true);
    expectBursts(pieces);
  });

  it('the model proxy: the stream an outside agent read, tool-call arguments included; a whole answer keeps none', async () => {
    const toolCall = (index: number, fn: object, id?: string) => chunk({ tool_calls: [{ index, ...(id && { id, type: 'function' }), function: fn }] });
    const run = await startProxied([
      { events: PACED },
      {
        events: [
          toolCall(0, { name: 'run', arguments: '' }, 'call-1'),
          toolCall(0, { arguments: '{"cmd":' }),
          pause(PAUSE_MS),
          toolCall(0, { arguments: '"ls"}' }),
          chunk({}, 'tool_calls'),
        ],
      },
      { content: 'whole' },
    ]);
    for await (const _ of await run.client.chat.completions.create({ model: 'x', stream: true, messages: [{ role: 'user', content: 'go' }] })) void _;
    for await (const _ of await run.client.chat.completions.create({ model: 'x', stream: true, messages: [{ role: 'user', content: 'go' }] })) void _;
    await run.client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'go' }] });

    const [paced, tools, whole] = run.calls;
    expect(texts(paced!.stream, 'content')).toBe(paced!.response!.content);
    expectBursts(paced!.stream!);
    expect(tools!.stream!.map((p) => [p.kind, p.tool, p.text])).toEqual([
      ['tool', 0, '{"cmd":'],
      ['tool', 0, '"ls"}'],
    ]);
    expect(tools!.stream![1]!.ms - tools!.stream![0]!.ms).toBeGreaterThanOrEqual(PAUSE_MS * 0.9);
    expect(tools!.response!.tool_calls).toEqual([{ id: 'call-1', name: 'run', arguments: '{"cmd":"ls"}' }]);
    expect(whole!.stream).toBeUndefined();
  });
});
