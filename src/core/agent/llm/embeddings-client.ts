/**
 * An OpenAI-compatible POST /embeddings, through the same SDK, deadline, retry loop and failure classification as
 * chat calls (openai-client.ts, retry.ts, llm-failures.ts). What came back is handed over as is: whether it holds
 * usable vectors is for the caller to judge (a malformed answer is asked again and recorded, like a judge's).
 */
import type { RetriedAttempt } from './chat.js';
import { judgeLlmFailure, toLlmCallError, type LlmFailure } from './llm-failures.js';
import type { ResolvedModel } from './model-profile.js';
import { makeSdk, withDeadline, type ChatClientDeps } from './openai-client.js';
import { isRecord, stringOrNull } from './response-fields.js';
import { withRetries } from './retry.js';

export interface EmbeddingUsage {
  prompt_tokens: number;
}

export interface EmbeddingResponse {
  /** The response body, parsed: `{data: [{index, embedding}], usage, model}` from a good server. */
  body: unknown;
  usage: EmbeddingUsage | null;
  model: string | null;
  latency_ms: number;
  retries: RetriedAttempt[];
}

/** Anything that embeds texts: an endpoint, or recorded calls. */
export interface EmbeddingClient {
  embed(inputs: string[], signal?: AbortSignal): Promise<EmbeddingResponse>;
}

export class OpenAiEmbeddingClient implements EmbeddingClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly model: ResolvedModel,
    private readonly apiKey: string | null,
    private readonly deps: ChatClientDeps = {},
  ) {
    this.timeoutMs = Math.max(1, Math.ceil(model.timeout_s * 1000));
  }

  async embed(inputs: string[], signal?: AbortSignal): Promise<EmbeddingResponse> {
    const sdk = makeSdk(this.model, this.apiKey, this.timeoutMs);
    // Floats asked for by name: the SDK would otherwise ask for base64 and decode it, hiding what the server sent.
    const body = { ...this.model.extra_body, model: this.model.model, input: inputs, encoding_format: 'float' };
    const now = this.deps.now ?? (() => performance.now());
    const { value, retries } = await withRetries<Omit<EmbeddingResponse, 'retries'>, LlmFailure>(
      async () => {
        const started = now();
        const parsed = await withDeadline(this.timeoutMs, signal, async (attemptSignal) => {
          const response = await sdk.post('/embeddings', { body, signal: attemptSignal }).asResponse();
          return parseBody(await response.text());
        });
        return {
          body: parsed,
          usage: readEmbeddingUsage(parsed),
          model: isRecord(parsed) ? stringOrNull(parsed.model) : null,
          latency_ms: Math.round(now() - started),
        };
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
}

/**
 * The body as JSON, or as the text it is when it is not JSON (a server writing NaN, a proxy's page): the caller
 * judges it malformed and asks again, rather than the call failing for good as an unreadable chat answer would.
 */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Embedding responses count input tokens only (`prompt_tokens`, with `total_tokens` equal to it). */
export function readEmbeddingUsage(body: unknown): EmbeddingUsage | null {
  if (!isRecord(body) || !isRecord(body.usage)) return null;
  const tokens = body.usage.prompt_tokens ?? body.usage.total_tokens;
  return typeof tokens === 'number' && Number.isFinite(tokens) ? { prompt_tokens: tokens } : null;
}
