/**
 * A loopback OpenAI-compatible server for tests. Each POST /v1/chat/completions takes the next scripted
 * reply; every request is recorded for assertions; GET /v1/models lists a model. A request with `stream: true`
 * gets a normal reply as server-sent events, as real servers send it. POST /v1/embeddings answers each input with
 * a vector derived from its sha256 (stubEmbedding), unless answers are scripted for it.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelProfile, type ModelProfileInput, type ResolvedModel } from '../../src/core/agent/llm/model-profile.js';
import { completionChunks, streamRequested, writeSse, type StreamEnd } from './llm-stub-sse.js';

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON ('' for none). */
  body: unknown;
  /** Date.now() when the request arrived. */
  receivedAt: number;
}

export type StubReply =
  /**
   * A normal chat.completion. `reasoning` goes into message.reasoning_content. Streamed (request `stream: true`):
   * one delta per piece (default: per word), the usage chunk last when asked for, then [DONE].
   */
  | {
      content: string;
      pieces?: string[];
      finish_reason?: string;
      usage?: { prompt_tokens: number; completion_tokens: number } | null;
      reasoning?: string;
      model?: string;
      /** Function calls the model asks for (message.tool_calls; streamed as a name piece, then the arguments in two pieces). */
      tool_calls?: StubToolCall[];
    }
  /** Server-sent events as they are (strings verbatim, objects as JSON, a `pause(ms)` waits), ended as `end` says (default `done`). */
  | { events: Array<string | object>; end?: StreamEnd; contentType?: string }
  /** A raw HTTP answer; an object body is sent as JSON. */
  | { status: number; body?: string | object; headers?: Record<string, string> }
  /** Accept the request and never answer (until close()). */
  | { hang: true }
  /** Status 200 with this body as is. */
  | { raw: string; contentType?: string }
  | ((request: StubRequest) => StubReply);

export interface StubToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface StubOptions {
  /** Ids GET /v1/models lists; null makes it answer 404, as servers without that route do. */
  models?: string[] | null;
  /** Length of the vectors POST /v1/embeddings answers with when no reply is scripted (default 8). */
  embeddingDimension?: number;
}

export interface LlmStub {
  /** http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  /** Every request, in arrival order (chat and models alike). */
  requests: StubRequest[];
  /** The chat requests only. */
  chatRequests(): StubRequest[];
  /** Adds replies to the end of the queue. */
  enqueue(...replies: StubReply[]): void;
  /** The POST /v1/embeddings requests only. */
  embeddingRequests(): StubRequest[];
  /**
   * Scripts the next answers of POST /v1/embeddings (raw bodies, statuses, functions); with none left it answers
   * every input with stubEmbedding(input), so a test needs to script only what goes wrong.
   */
  enqueueEmbeddings(...replies: StubReply[]): void;
  /** Stops the server and ends any hung request. */
  close(): Promise<void>;
}

export const STUB_MODEL = 'stub-model';

export async function startLlmStub(script: StubReply[] = [], options: StubOptions = {}): Promise<LlmStub> {
  const queue = [...script];
  const embeddingQueue: StubReply[] = [];
  const requests: StubRequest[] = [];
  const models = options.models === undefined ? [STUB_MODEL] : options.models;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const request: StubRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body: parseBody(Buffer.concat(chunks).toString('utf8')),
        receivedAt: Date.now(),
      };
      requests.push(request);
      if (request.method === 'GET' && path === '/v1/models') {
        if (models === null) return send(res, 404, { error: { message: 'no such route' } });
        return send(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'stub' })) });
      }
      if (request.method === 'POST' && path === '/v1/embeddings') {
        const scripted = embeddingQueue.shift();
        if (scripted !== undefined) return answer(res, scripted, request);
        return send(res, 200, embeddingAnswer(request.body, options.embeddingDimension ?? 8));
      }
      // /v1/responses takes scripted replies too (raw bodies or events), for servers that offer the Responses API.
      if (request.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/responses')) {
        return send(res, 404, { error: { message: `llm-stub: no route ${request.method} ${path}` } });
      }
      const next = queue.shift();
      if (next === undefined) {
        const count = requests.filter(isChat).length;
        return send(res, 500, { error: { message: `llm-stub: no scripted reply left for chat request #${count}` } });
      }
      answer(res, typeof next === 'function' ? next(request) : next, request);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter(isChat),
    enqueue: (...replies) => queue.push(...replies),
    embeddingRequests: () => requests.filter((r) => r.path === '/v1/embeddings'),
    enqueueEmbeddings: (...replies) => embeddingQueue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse, reply: StubReply, request: StubRequest): void {
  if (typeof reply === 'function') return answer(res, reply(request), request);
  if ('hang' in reply) return;
  if ('events' in reply) return writeSse(res, reply.events, reply.end, reply.contentType);
  if ('raw' in reply) {
    res.writeHead(200, { 'content-type': reply.contentType ?? 'application/json' });
    res.end(reply.raw);
    return;
  }
  if ('status' in reply) {
    const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
    const type = typeof reply.body === 'object' ? { 'content-type': 'application/json' } : {};
    res.writeHead(reply.status, { ...type, ...reply.headers });
    res.end(text);
    return;
  }
  const body = request.body as { model?: unknown } | undefined;
  const model = typeof body?.model === 'string' ? body.model : STUB_MODEL;
  const asked = streamRequested(request.body);
  if (asked.stream) return writeSse(res, completionChunks(reply, model, asked.includeUsage));
  send(res, 200, {
    id: `chatcmpl-stub-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model ?? model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.content,
          ...(reply.reasoning !== undefined && { reasoning_content: reply.reasoning }),
          ...(reply.tool_calls && {
            tool_calls: reply.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
          }),
        },
        finish_reason: reply.finish_reason ?? 'stop',
      },
    ],
    ...(reply.usage !== null && {
      usage: withTotal(reply.usage ?? { prompt_tokens: 10, completion_tokens: 5 }),
    }),
  });
}

function withTotal(usage: { prompt_tokens: number; completion_tokens: number }): object {
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isChat(request: StubRequest): boolean {
  return request.path === '/v1/chat/completions';
}

/** A base URL on a loopback port nothing listens on (bound, then released), for connection-refused cases. */
export async function closedBaseUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

/** A resolved profile pointing at `baseUrl`: no key by default, model id STUB_MODEL unless given, named "stub". */
export function stubModel(baseUrl: string, profile: ModelProfileInput = {}): ResolvedModel {
  return { ...ModelProfile.parse({ api_key_env: null, ...profile, base_url: baseUrl }), name: 'stub', model: profile.model ?? STUB_MODEL };
}

/** The vector the stub embeds `text` as: `dimension` numbers in [-1, 1) from sha256 of the text, the same every time. */
export function stubEmbedding(text: string, dimension = 8): number[] {
  return Array.from({ length: dimension }, (_, i) => createHash('sha256').update(`${i}:${text}`).digest().readUInt32BE(0) / 2 ** 31 - 1);
}

/** An OpenAI embeddings answer for the request's inputs: one stubEmbedding each, a token per 4 characters. */
function embeddingAnswer(body: unknown, dimension: number): object {
  const input = (body as { input?: unknown } | undefined)?.input;
  const inputs = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : [];
  const tokens = inputs.reduce((n, text) => n + Math.ceil(text.length / 4), 0);
  return {
    object: 'list',
    model: (body as { model?: string } | undefined)?.model ?? STUB_MODEL,
    data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: stubEmbedding(text, dimension) })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
