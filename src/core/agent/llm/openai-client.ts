/**
 * A ChatClient for any OpenAI-compatible endpoint, through the openai SDK with its own retries off:
 * our loop (retry.ts) decides what is retried, how long to wait, and what the final error says.
 */
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { CallContext, ChatAnswer, ChatClient, ChatMessage, ChatResponse, StreamListener } from './chat.js';
import { BadResponse, judgeLlmFailure, RequestTimedOut, toLlmCallError, type LlmFailure } from './llm-failures.js';
import type { ResolvedModel } from './model-profile.js';
import { isRecord, preview, readUsage, stringOrNull } from './response-fields.js';
import { abortError, throwIfAborted, withRetries, type Sleep } from './retry.js';
import { sdkFetch } from './sdk-fetch.js';
import { notAStream, readChatStream } from './stream-reader.js';

export interface ChatClientDeps {
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
}

/** Sent when the profile has no key: servers without authentication ignore it, and it is no secret. */
export const NO_KEY_PLACEHOLDER = 'no-key';
/** The preflight GET /models is quick or the server is not there. */
export const CHECK_TIMEOUT_MS = 10_000;
const SDK_TIMEOUT_SLACK_MS = 1_000;

export class OpenAiChatClient implements ChatClient {
  private readonly sdk: OpenAI;
  private readonly timeoutMs: number;

  constructor(
    private readonly model: ResolvedModel,
    private readonly apiKey: string | null,
    private readonly deps: ChatClientDeps = {},
  ) {
    this.timeoutMs = Math.max(1, Math.ceil(model.timeout_s * 1000));
    this.sdk = makeSdk(model, apiKey, this.timeoutMs);
  }

  async complete(messages: ChatMessage[], signal?: AbortSignal, context?: CallContext): Promise<ChatResponse> {
    const body = chatRequestBody(this.model, messages);
    const listener = context?.onStream;
    let streamedSomething = false;
    const told: StreamListener | undefined =
      listener &&
      ((event) => {
        if (event.kind === 'delta') streamedSomething = true;
        listener(event);
      });
    const { value, retries } = await withRetries<Omit<ChatResponse, 'retries'>, LlmFailure>(
      (index) => {
        // A retry starts the answer over: what the failed attempt streamed is void, and the listener must drop it.
        if (index > 0 && streamedSomething && listener) {
          streamedSomething = false;
          listener({ kind: 'restart' });
        }
        return this.attempt(body, signal, told);
      },
      {
        maxRetries: this.model.max_retries,
        signal,
        judge: (error) => judgeLlmFailure(error, this.apiKey),
        giveUp: (_error, failure, retried) => toLlmCallError(failure, this.model, retried),
        sleep: this.deps.sleep,
        random: this.deps.random,
      },
    );
    return { ...value, retries };
  }

  private async attempt(body: ChatRequestBody, signal: AbortSignal | undefined, listener: StreamListener | undefined): Promise<Omit<ChatResponse, 'retries'>> {
    const now = this.deps.now ?? (() => performance.now());
    const started = now();
    const answer = await withDeadline(this.timeoutMs, signal, (attemptSignal) =>
      body.stream ? this.streamed(body, attemptSignal, listener) : this.whole(body, attemptSignal),
    );
    return { ...answer, latency_ms: Math.round(now() - started) };
  }

  private async whole(body: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal): Promise<ChatAnswer> {
    const completion: unknown = await this.sdk.chat.completions.create(body, { signal });
    return readCompletion(completion);
  }

  private async streamed(body: ChatCompletionCreateParamsStreaming, signal: AbortSignal, listener: StreamListener | undefined): Promise<ChatAnswer> {
    const { data: stream, response } = await this.sdk.chat.completions.create(body, { signal }).withResponse();
    const contentType = response.headers.get('content-type');
    // A server that ignores `stream: true` answers JSON; a proxy may answer a login page. Either would read as an
    // empty stream, so quote it instead (the stream has not touched the body yet).
    if (contentType !== null && !/event-stream/i.test(contentType)) {
      const text = await response.text().catch(() => '');
      stream.controller.abort();
      throw notAStream(contentType, text);
    }
    return readChatStream(stream, signal, listener);
  }
}

type ChatRequestBody = ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming;

/**
 * The request body: profile settings, then extra_body (the user's escape hatch wins), then what must not change.
 * A streamed request asks for the usage chunk, so streamed and whole answers are counted alike.
 */
export function chatRequestBody(model: ResolvedModel, messages: ChatMessage[]): ChatRequestBody {
  const settings: Record<string, unknown> = {};
  if (model.temperature !== undefined) settings.temperature = model.temperature;
  if (model.max_tokens !== undefined) settings[model.max_tokens_field] = model.max_tokens;
  if (model.reasoning_effort !== undefined) settings.reasoning_effort = model.reasoning_effort;
  const base = { ...settings, ...model.extra_body, model: model.model, messages };
  return model.stream
    ? ({ ...base, stream: true, stream_options: { include_usage: true } } as ChatCompletionCreateParamsStreaming)
    : ({ ...base, stream: false } as ChatCompletionCreateParamsNonStreaming);
}

/** The parts of a chat completion we keep; anything unusable is a BadResponse that quotes what came. */
export function readCompletion(completion: unknown): ChatAnswer {
  if (typeof completion !== 'object' || completion === null || Array.isArray(completion)) {
    throw new BadResponse(`response is not a JSON object: ${preview(completion)}`);
  }
  const record = completion as Record<string, unknown>;
  const choice: unknown = Array.isArray(record.choices) ? record.choices[0] : undefined;
  if (!isRecord(choice)) throw new BadResponse(`response has no choices: ${preview(completion)}`);
  const message = choice.message;
  if (!isRecord(message)) throw new BadResponse(`response choice has no message: ${preview(completion)}`);
  const hasToolCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
  if (typeof message.content !== 'string' && !hasToolCalls) {
    throw new BadResponse(`response message has no content: ${preview(completion)}`);
  }
  return {
    content: typeof message.content === 'string' ? message.content : '',
    reasoning: stringOrNull(message.reasoning_content) ?? stringOrNull(message.reasoning),
    finish_reason: stringOrNull(choice.finish_reason),
    usage: readUsage(record.usage),
    model: stringOrNull(record.model),
  };
}

export interface EndpointCheck {
  /** The HTTP status GET /models answered (404 from servers without that route still means reachable). */
  status: number;
  /** Model ids the server listed, when it answered with a model list. */
  models: string[] | null;
}

/**
 * Preflight: one GET {base_url}/models, no retries. Throws LlmCallError for no connection, a timeout or a
 * refused key; any other HTTP answer means the server is there.
 */
export async function checkEndpoint(
  model: ResolvedModel,
  apiKey: string | null,
  signal?: AbortSignal,
  timeoutMs: number = CHECK_TIMEOUT_MS,
): Promise<EndpointCheck> {
  const sdk = makeSdk(model, apiKey, timeoutMs);
  try {
    return await withDeadline(timeoutMs, signal, async (checkSignal) => {
      const response = await sdk.get('/models', { signal: checkSignal }).asResponse();
      return { status: response.status, models: modelIds(await response.text()) };
    });
  } catch (error) {
    throwIfAborted(signal);
    if (error instanceof APIError && typeof error.status === 'number' && error.status !== 401 && error.status !== 403) {
      return { status: error.status, models: null };
    }
    const failure = judgeLlmFailure(error, apiKey);
    if (failure === null) throw error;
    const fix =
      failure.kind === 'timeout' ? `${model.base_url} did not answer GET /models within ${timeoutMs / 1000} s: is the server up and reachable?` : undefined;
    throw toLlmCallError({ ...failure, message: `GET /models: ${failure.message}` }, model, [], fix);
  }
}

/** An SDK client that takes nothing from the environment: key, URL, org, project and headers all come from us. */
export function makeSdk(model: ResolvedModel, apiKey: string | null, timeoutMs: number): OpenAI {
  const key = apiKey ?? NO_KEY_PLACEHOLDER;
  return new OpenAI({
    apiKey: key,
    adminAPIKey: null,
    baseURL: model.base_url,
    organization: null,
    project: null,
    webhookSecret: null,
    defaultHeaders: model.extra_headers,
    maxRetries: 0,
    // Our own deadline (withDeadline) is the one that counts; the SDK's is a backstop a little later.
    timeout: timeoutMs + SDK_TIMEOUT_SLACK_MS,
    logLevel: 'off',
    fetch: sdkFetch(`Bearer ${key}`, model.extra_headers),
  });
}

/**
 * Runs `run` with a signal that aborts when the caller's does (-> AbortError) or after `ms` (-> RequestTimedOut).
 * The SDK's own timeout stops at the response headers; this one also covers a body that never ends.
 */
export async function withDeadline<T>(ms: number, signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  throwIfAborted(signal);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const forwardAbort = (): void => controller.abort();
  signal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    return await run(controller.signal);
  } catch (error) {
    if (signal?.aborted) throw abortError();
    if (timedOut) throw new RequestTimedOut(ms);
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', forwardAbort);
  }
}

function modelIds(text: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed) || !Array.isArray(parsed.data)) return null;
    return parsed.data.flatMap((entry: unknown) => (isRecord(entry) && typeof entry.id === 'string' ? [entry.id] : []));
  } catch {
    return null;
  }
}
