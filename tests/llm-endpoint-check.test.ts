import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmCallError } from '../src/core/agent/llm/chat.js';
import { checkEndpoint } from '../src/core/agent/llm/openai-client.js';
import { closedBaseUrl, startLlmStub, stubModel, type LlmStub } from './helpers/llm-stub.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function stubServer(options: Parameters<typeof startLlmStub>[1] = {}): Promise<LlmStub> {
  const stub = await startLlmStub([], options);
  cleanups.push(() => stub.close());
  return stub;
}

/** A server whose every answer is `handler`'s: for statuses and silences the stub does not script on GET. */
async function rawServer(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

async function checkFailure(promise: Promise<unknown>): Promise<LlmCallError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmCallError);
  return error as LlmCallError;
}

describe('checkEndpoint', () => {
  it('reports the status and the model ids a server lists', async () => {
    const stub = await stubServer({ models: ['qwen-7b', 'llama-8b'] });
    expect(await checkEndpoint(stubModel(stub.baseUrl), 'sk-check')).toEqual({ status: 200, models: ['qwen-7b', 'llama-8b'] });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(stub.requests[0]?.headers['authorization']).toBe('Bearer sk-check');
  });

  it('counts a 404 from a server without /models as reachable', async () => {
    const stub = await stubServer({ models: null });
    expect(await checkEndpoint(stubModel(stub.baseUrl), null)).toEqual({ status: 404, models: null });
  });

  it('fails with kind connection and a fix when nothing listens', async () => {
    const baseUrl = await closedBaseUrl();
    const error = await checkFailure(checkEndpoint(stubModel(baseUrl), null));
    expect(error.kind).toBe('connection');
    expect(error.retries).toEqual([]);
    expect(error.message).toContain('GET /models');
    expect(error.fix).toBe(`is the server running at ${baseUrl}? pass --base-url or set base_url in the model profile`);
  });

  it('fails with kind auth on 401, without the key', async () => {
    const baseUrl = await rawServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'bad key sk-nope-777' } }));
    });
    const error = await checkFailure(checkEndpoint(stubModel(baseUrl, { api_key_env: 'LOCAL_KEY' }), 'sk-nope-777'));
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.fix).toContain('$LOCAL_KEY');
    expect(JSON.stringify(error) + error.message).not.toContain('sk-nope-777');
  });

  it('fails with kind timeout when the server never answers', async () => {
    const baseUrl = await rawServer(() => undefined);
    const started = Date.now();
    const error = await checkFailure(checkEndpoint(stubModel(baseUrl), null, undefined, 300));
    expect(error.kind).toBe('timeout');
    expect(error.fix).toContain('within 0.3 s');
    // The stub never answers: any bound tells a working timeout from a hang; this one holds on a busy machine.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('rejects with an AbortError when aborted', async () => {
    const baseUrl = await rawServer(() => undefined);
    const error = await checkEndpoint(stubModel(baseUrl), null, AbortSignal.timeout(100)).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
  });
});
