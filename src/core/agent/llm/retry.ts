/**
 * A generic retry loop: exponential backoff with full jitter, a server's retry-after honoured (capped),
 * and an AbortSignal that ends it at any point, mid-attempt or mid-sleep.
 */

/** What the loop needs to know about one failed attempt. */
export interface FailureVerdict {
  retryable: boolean;
  /** Short description for the retries list (never a secret). */
  message: string;
  status: number | null;
  /** How long the server asked us to wait, if it said so. */
  retryAfterMs: number | null;
}

/** One failed attempt that was retried, and how long we waited before the next. */
export interface RetryRecord {
  error: string;
  status: number | null;
  waited_ms: number;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryOptions<V extends FailureVerdict = FailureVerdict> {
  /** Retries after the first attempt; 0 means one attempt only. */
  maxRetries: number;
  signal?: AbortSignal;
  /** Judges a thrown error; null means "not a failure this loop handles": it is rethrown at once (aborts, bugs). */
  judge(error: unknown): V | null;
  /** Builds the error thrown when the loop gives up (a non-retryable failure, or retries used up). */
  giveUp(error: unknown, verdict: V, retries: RetryRecord[]): Error;
  sleep?: Sleep;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;
/** A server asking for more than this is asking for too much: we wait this long and try anyway. */
export const RETRY_AFTER_CAP_MS = 120_000;

/** Runs `attempt` until it succeeds, a failure is not retryable, or `maxRetries` retries are used up. */
export async function withRetries<T, V extends FailureVerdict = FailureVerdict>(
  attempt: (index: number) => Promise<T>,
  options: RetryOptions<V>,
): Promise<{ value: T; retries: RetryRecord[] }> {
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const retries: RetryRecord[] = [];
  for (let index = 0; ; index++) {
    throwIfAborted(options.signal);
    try {
      return { value: await attempt(index), retries };
    } catch (error) {
      throwIfAborted(options.signal);
      const verdict = options.judge(error);
      if (verdict === null) throw error;
      if (!verdict.retryable || index >= options.maxRetries) throw options.giveUp(error, verdict, retries);
      const waitMs = backoffMs(index, verdict.retryAfterMs, random, options);
      retries.push({ error: verdict.message, status: verdict.status, waited_ms: waitMs });
      await sleep(waitMs, options.signal);
    }
  }
}

/** Full jitter (uniform in [0, min(cap, base * 2^n)]) unless the server named a wait, which wins up to its cap. */
export function backoffMs(
  retryIndex: number,
  retryAfterMs: number | null,
  random: () => number,
  limits: { baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number } = {},
): number {
  if (retryAfterMs !== null) return Math.min(Math.max(0, retryAfterMs), limits.maxRetryAfterMs ?? RETRY_AFTER_CAP_MS);
  const ceiling = Math.min(limits.maxDelayMs ?? BACKOFF_CAP_MS, (limits.baseDelayMs ?? BACKOFF_BASE_MS) * 2 ** retryIndex);
  return Math.round(random() * ceiling);
}

/**
 * Reads `retry-after-ms` (milliseconds, non-standard but sent by OpenAI) or `retry-after`
 * (seconds, or an HTTP date). Null when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers | undefined, nowMs: number = Date.now()): number | null {
  if (headers === undefined) return null;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || value === '') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** The error every aborted call rejects with: a DOMException named AbortError, as fetch uses. */
export function abortError(): Error {
  return new DOMException('The LLM call was aborted', 'AbortError');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

/** setTimeout as a promise that rejects with an AbortError as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
