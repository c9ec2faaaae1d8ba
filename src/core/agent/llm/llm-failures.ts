/**
 * Turns what the openai SDK (or our own response checks) threw into a verdict for the retry loop,
 * and a final failure into an LlmCallError with a fix. Nothing here ever carries the API key.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { LlmCallError, type LlmFailureKind } from './chat.js';
import type { ResolvedModel } from './model-profile.js';
import { parseRetryAfter, type FailureVerdict, type RetryRecord } from './retry.js';

export interface LlmFailure extends FailureVerdict {
  kind: LlmFailureKind;
  /** A fix more specific than the kind's usual one. */
  fix?: string;
}

/** Our own per-request timer fired (it also covers a body that stalls after the headers came). */
export class RequestTimedOut extends Error {
  constructor(readonly afterMs: number) {
    super(`no answer within ${afterMs / 1000} s`);
  }
}

/** The server answered 200 with something that is not a usable chat completion. */
export class BadResponse extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** A stream that ended (cleanly, as far as HTTP goes) before the answer did: a dropped connection in disguise. */
export class StreamCutShort extends Error {}

/** A stream that carried an error event instead of the rest of the answer (an overloaded server, typically). */
export class StreamErrorEvent extends Error {}

/** Statuses worth another try: request timeout, conflict/lock, rate limit, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const MESSAGE_LIMIT = 300;

/** Classifies one failed attempt; null for anything that is not an endpoint failure (a bug: rethrown as is). */
export function judgeLlmFailure(error: unknown, apiKey: string | null): LlmFailure | null {
  const clean = (text: string): string => clip(redact(text, apiKey), MESSAGE_LIMIT);
  if (error instanceof RequestTimedOut || error instanceof APIConnectionTimeoutError) {
    const message = error instanceof RequestTimedOut ? `request timed out: ${error.message}` : 'request timed out';
    return { kind: 'timeout', retryable: true, message, status: null, retryAfterMs: null };
  }
  if (error instanceof APIConnectionError) {
    return { kind: 'connection', retryable: true, message: clean(`connection failed: ${causeText(error)}`), status: null, retryAfterMs: null };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const auth = status === 401 || status === 403;
    return {
      kind: auth ? 'auth' : 'http',
      retryable: !auth && isRetryableStatus(status),
      message: clean(`HTTP ${error.message}`),
      status,
      retryAfterMs: parseRetryAfter(error.headers),
    };
  }
  if (error instanceof BadResponse) {
    return { kind: 'bad-response', retryable: false, message: clean(error.message), status: null, retryAfterMs: null, ...(error.fix && { fix: error.fix }) };
  }
  if (error instanceof StreamCutShort) {
    return { kind: 'connection', retryable: true, message: clean(error.message), status: null, retryAfterMs: null };
  }
  if (error instanceof StreamErrorEvent) {
    return { kind: 'http', retryable: true, message: clean(error.message), status: null, retryAfterMs: null };
  }
  if (error instanceof SyntaxError) {
    // The SDK parses a JSON content-type body itself; a broken one surfaces here.
    return { kind: 'bad-response', retryable: false, message: clean(`response body is not JSON: ${error.message}`), status: null, retryAfterMs: null };
  }
  if (error instanceof TypeError && /terminated|fetch failed|socket/i.test(error.message)) {
    // undici reports a connection dropped while the body was read this way.
    return { kind: 'connection', retryable: true, message: clean(`connection failed: ${causeText(error)}`), status: null, retryAfterMs: null };
  }
  return null;
}

/** The LlmCallError for a call that failed for good. */
export function toLlmCallError(failure: LlmFailure, model: ResolvedModel, retries: RetryRecord[], fix?: string): LlmCallError {
  const attempts = retries.length + 1;
  const where = `model ${model.name} at ${model.base_url}${attempts > 1 ? `, ${attempts} attempts` : ''}`;
  return new LlmCallError(failure.kind, `${failure.message} (${where})`, failure.status, retries, fix ?? failure.fix ?? fixFor(failure, model));
}

/** What the user can do about it, in one sentence. */
export function fixFor(failure: Pick<LlmFailure, 'kind' | 'status'>, model: ResolvedModel): string {
  const url = model.base_url;
  switch (failure.kind) {
    case 'connection':
      return `is the server running at ${url}? pass --base-url or set base_url in the model profile`;
    case 'timeout':
      return `${url} did not answer within ${model.timeout_s} s: check the server, or raise timeout_s in the model profile`;
    case 'bad-response':
      return `${url} did not answer like an OpenAI-compatible chat endpoint: check base_url (it usually ends in /v1)`;
    case 'auth':
      return model.api_key_env === null
        ? `${url} wants an API key: set api_key_env in the model profile to the environment variable that holds it`
        : `${url} refused the key in $${model.api_key_env}: export a valid key, or point api_key_env at the right variable`;
    case 'http':
      return httpFix(failure.status, model);
  }
}

function httpFix(status: number | null, model: ResolvedModel): string {
  const url = model.base_url;
  // Only an error event inside a streamed answer is an HTTP-level failure without a status.
  if (status === null) return `${url} reported an error in the middle of its answer: check the server's logs, or raise max_retries in the model profile`;
  if (status === 429) return `${url} is rate limiting: wait and rerun, or raise max_retries in the model profile`;
  if (status === 404) return `check that ${url} serves model '${model.model}' (model and base_url in the model profile)`;
  if (status === 400 || status === 422) {
    return `${url} rejected the request: check the model profile's fields (max_tokens_field, reasoning_effort, stream, extra_body) against what the server accepts`;
  }
  if (status !== null && isRetryableStatus(status)) return `${url} kept failing: check the server's logs, or raise max_retries in the model profile`;
  return `${url} refused the request: check the model profile`;
}

/** Removes every occurrence of the key from text that came from a server or an error. */
export function redact(text: string, apiKey: string | null): string {
  return apiKey ? text.split(apiKey).join('[redacted]') : text;
}

export function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** The innermost useful reason of a fetch failure: "connect ECONNREFUSED 127.0.0.1:4000" rather than "fetch failed". */
function causeText(error: Error): string {
  let current: unknown = error;
  let text = error.message;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current.message && !/^(Connection error\.|fetch failed)$/.test(current.message)) text = current.message;
    current = current.cause;
  }
  return text;
}
