/**
 * The proxy's one way out: a POST to the run's model profile with the real key and the profile's headers, and
 * nothing of the agent's request but its body (no agent header reaches the upstream, as sdk-fetch.ts does for us).
 */
import { clip, redact } from '../llm/llm-failures.js';
import type { ResolvedModel } from '../llm/model-profile.js';
import { NO_KEY_PLACEHOLDER } from '../llm/openai-client.js';
import { isRecord } from './http-io.js';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Why a forwarded call failed; `kind` follows the built-in agent's failure kinds, plus `aborted`. */
export type UpstreamFailureKind = 'http' | 'timeout' | 'connection' | 'bad-response' | 'auth' | 'aborted';

/** A call that failed upstream: recorded as a failed call, and told to the agent with `agentStatus`. */
export class UpstreamFailure extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
    /** The upstream's HTTP status, when it answered one. */
    readonly status: number | null,
  ) {
    super(message);
  }

  /**
   * The status the agent gets: the upstream's own for ordinary HTTP errors (so the agent's client retries a 429 or
   * 5xx as it would), 502/504 when the upstream could not be reached or answered nonsense. A refused key is the
   * harness's problem, not the agent's token: 502 too.
   */
  get agentStatus(): number {
    if (this.kind === 'timeout') return 504;
    if (this.kind === 'aborted') return 503;
    if (this.kind === 'http' && this.status !== null) return this.status;
    return 502;
  }
}

/** Why a call stops early: the run stopped it, the agent hung up, or the profile's timeout_s passed. */
export type StopReason = 'cancelled' | 'agent-closed' | 'timeout';

export interface UpstreamCall {
  model: ResolvedModel;
  apiKey: string | null;
  fetch: Fetch;
  signal: AbortSignal;
  /** What stopped the call, once `signal` aborted. */
  stopReason(): StopReason | null;
}

const MESSAGE_LIMIT = 500;

/** POSTs `body` to `{base_url}{path}`; an HTTP error, no connection or an abort becomes an UpstreamFailure. */
export async function postUpstream(call: UpstreamCall, path: string, body: Record<string, unknown>): Promise<Response> {
  const { model, apiKey } = call;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: body.stream === true ? 'text/event-stream' : 'application/json',
    authorization: `Bearer ${apiKey ?? NO_KEY_PLACEHOLDER}`,
    ...model.extra_headers,
  };
  let response: Response;
  try {
    response = await call.fetch(`${model.base_url.replace(/\/+$/, '')}${path}`, { method: 'POST', headers, body: JSON.stringify(body), signal: call.signal });
  } catch (error) {
    throw failureOf(error, call);
  }
  if (response.ok) return response;
  const text = await response.text().catch(() => '');
  const reason = clean(reasonIn(text) || response.statusText || 'no reason given', apiKey);
  const auth = response.status === 401 || response.status === 403;
  throw new UpstreamFailure(
    auth ? 'auth' : 'http',
    auth
      ? `the upstream ${model.base_url} refused the harness's API key (HTTP ${response.status}: ${reason})`
      : `the upstream ${model.base_url} answered HTTP ${response.status}: ${reason}`,
    response.status,
  );
}

/** What a fetch or a body read threw, as an UpstreamFailure that says what happened. */
export function failureOf(error: unknown, call: UpstreamCall): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  const stop = call.signal.aborted ? call.stopReason() : null;
  if (stop === 'timeout')
    return new UpstreamFailure('timeout', `no complete answer from ${call.model.base_url} within ${call.model.timeout_s} s (timeout_s)`, null);
  if (stop === 'cancelled') return new UpstreamFailure('aborted', 'the run stopped this call', null);
  if (stop === 'agent-closed') return new UpstreamFailure('aborted', 'the agent closed the connection before the answer was complete', null);
  return new UpstreamFailure('connection', clean(`could not reach ${call.model.base_url}: ${causeText(error)}`, call.apiKey), null);
}

/** Reads a whole JSON answer; anything else is a bad-response failure quoting what came. */
export async function readJsonAnswer(response: Response, call: UpstreamCall): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw failureOf(error, call);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badResponse(`answered with something that is not JSON: ${text}`, call);
  }
  if (!isRecord(parsed)) throw badResponse(`answered with JSON that is not an object: ${text}`, call);
  return parsed;
}

export function badResponse(what: string, call: UpstreamCall): UpstreamFailure {
  return new UpstreamFailure('bad-response', clean(`the upstream ${call.model.base_url} ${what}`, call.apiKey), null);
}

/** A streamed call answered with something other than server-sent events (a server that does not stream, a login page). */
export async function requireEventStream(response: Response, call: UpstreamCall): Promise<ReadableStream<Uint8Array>> {
  const type = response.headers.get('content-type') ?? '';
  if (/event-stream/i.test(type) && response.body) return response.body;
  const text = await response.text().catch(() => '');
  throw badResponse(`answered a streamed request with ${type || 'no content type'}, not server-sent events: ${text}`, call);
}

function clean(text: string, apiKey: string | null): string {
  return clip(redact(text, apiKey), MESSAGE_LIMIT);
}

/** The human part of an error body: OpenAI's error.message, FastAPI's detail, a bare message, or the text. */
function reasonIn(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) {
      const error = parsed.error;
      if (isRecord(error) && typeof error.message === 'string') return error.message;
      for (const value of [error, parsed.detail, parsed.message]) {
        if (typeof value === 'string') return value;
        if (value !== undefined) return JSON.stringify(value);
      }
    }
  } catch {
    // not JSON: the text itself
  }
  return text.trim();
}

/** "connect ECONNREFUSED 127.0.0.1:4000" rather than undici's "fetch failed". */
function causeText(error: unknown): string {
  let current: unknown = error;
  let text = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current.message && current.message !== 'fetch failed') text = current.message;
    current = current.cause;
  }
  return text;
}
