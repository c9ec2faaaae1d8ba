/**
 * A model proxy on the loopback LLM stub, with a real-looking key and prices, attached to node 3, and the agent's
 * side: an openai client holding only the proxy URL and the per-run token. Call closeProxies() after each test.
 */
import OpenAI from 'openai';
import type { CallStreamListener } from '../../src/core/agent/agent.js';
import { LlmBudget } from '../../src/core/agent/budget.js';
import type { ModelProfileInput } from '../../src/core/agent/llm/model-profile.js';
import { ModelProxy } from '../../src/core/agent/proxy/model-proxy.js';
import { LlmCallRecord } from '../../src/core/store/call-record.js';
import { startLlmStub, stubModel, type LlmStub, type StubReply } from './llm-stub.js';

export const REAL_KEY = 'sk-real-key-that-must-stay-with-the-harness';
export const PRICES = { input_per_million: 2, output_per_million: 8 };

export interface Proxied {
  stub: LlmStub;
  proxy: ModelProxy;
  client: OpenAI;
  /** The records the proxy made, each checked against the llm-calls.jsonl schema. */
  calls: LlmCallRecord[];
  /** The content pieces told to the stream listener, with their purpose. */
  pieces: Array<{ text: string; purpose: string }>;
}

const open: Array<{ close(): Promise<void> }> = [];

/** Closes what a test started (proxies before the stubs they forward to). */
export async function closeProxies(): Promise<void> {
  for (const server of open.splice(0).reverse()) await server.close();
}

/** Registers a server for closeProxies. */
export function track<T extends { close(): Promise<void> }>(server: T): T {
  open.push(server);
  return server;
}

/** A stub upstream with `replies`, and the proxy on it. */
export async function startProxied(replies: StubReply[], profile: ModelProfileInput = {}, budget = new LlmBudget()): Promise<Proxied> {
  const stub = track(await startLlmStub(replies));
  return proxyOn(stub, stubModel(stub.baseUrl, { prices: PRICES, ...profile }), budget);
}

export async function proxyOn(stub: LlmStub, model: ReturnType<typeof stubModel>, budget: LlmBudget): Promise<Proxied> {
  const proxy = track(await ModelProxy.start({ model, apiKey: REAL_KEY, budget }));
  const calls: LlmCallRecord[] = [];
  const pieces: Array<{ text: string; purpose: string }> = [];
  const onStream: CallStreamListener = (event, purpose) => {
    if (event.kind === 'delta' && event.part === 'content') pieces.push({ text: event.text, purpose });
  };
  proxy.attach({ node: 3, onCall: (call) => calls.push(LlmCallRecord.parse(call)), onStream });
  const client = new OpenAI({ apiKey: proxy.token, baseURL: proxy.url, maxRetries: 0 });
  return { stub, proxy, client, calls, pieces };
}
