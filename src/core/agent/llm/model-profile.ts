import { z } from 'zod';
import { EDIT_FORMATS } from '../edits/edit-format.js';

/** Dollars per million tokens. */
export const Prices = z.strictObject({
  input_per_million: z.number().nonnegative(),
  output_per_million: z.number().nonnegative(),
});
export type Prices = z.infer<typeof Prices>;

/**
 * One model as `--model NAME` selects it: where it is served, which env var holds its key, how it is called,
 * which edit format it writes and what it costs. Everything not named here is passed through in extra_body.
 */
export const ModelProfile = z.strictObject({
  /** OpenAI-compatible base URL, ending in /v1 for most servers. */
  base_url: z.string().url().default('https://api.openai.com/v1'),
  /** The model id the server expects (default: the profile's name). */
  model: z.string().min(1).optional(),
  /** The environment variable that holds the API key; null for servers without authentication (local vLLM, Ollama). */
  api_key_env: z.string().min(1).nullable().default('OPENAI_API_KEY'),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  /** Reasoning models (o-series) take max_completion_tokens; most other servers take max_tokens. */
  max_tokens_field: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
  extra_body: z.record(z.string(), z.unknown()).default({}),
  extra_headers: z.record(z.string(), z.string()).default({}),
  /**
   * Ask for the answer as server-sent events, so the terminal UI shows it while the model writes. Every common
   * server streams; turn it off for one that does not (a request then fails saying so, never silently).
   */
  stream: z.boolean().default(true),
  /** Per attempt, for the whole answer: a stream that stalls mid-answer times out too. */
  timeout_s: z.number().positive().default(600),
  max_retries: z.number().int().nonnegative().default(4),
  edit_format: z.enum(EDIT_FORMATS).default('search-replace'),
  /** How many times a failed edit goes back to the model with the reason before the node is `edit-failed`. */
  edit_retries: z.number().int().nonnegative().default(2),
  /** Ask the model for a short analysis of each trained node's log, for later prompts (never for metrics). */
  summarize_logs: z.boolean().default(false),
  prices: Prices.optional(),
  /**
   * For an embedding model (`speedrun distance`): the most characters of a script embedded in one input; longer
   * scripts are cut into chunks of whole lines and their embeddings pooled (docs/distance.md). Default 4000.
   */
  embedding_chunk_chars: z.number().int().positive().optional(),
  /**
   * How the model proxy serves an outside agent's Responses API calls (POST /v1/responses): `translate` turns them
   * into chat completions, which every OpenAI-compatible server offers; `passthrough` forwards them to a server
   * that has the Responses API itself.
   */
  responses_api: z.enum(['translate', 'passthrough']).default('translate'),
});
export type ModelProfile = z.infer<typeof ModelProfile>;
export type ModelProfileInput = z.input<typeof ModelProfile>;

/** A profile with its name and model id settled. */
export type ResolvedModel = ModelProfile & { name: string; model: string };
