import { open, rename, rm, stat, truncate } from 'node:fs/promises';
import { ExternalError } from '../errors.js';

/** What a caller learns while one file downloads (called for every chunk; throttle before printing). */
export interface DownloadProgress {
  /** Bytes of the file on disk so far, the resumed part included. */
  received: number;
  /** The whole file's size when the server said (Content-Length / Content-Range), else null. */
  total: number | null;
  /** Where this request started (a resumed .part's size, or 0). */
  offset: number;
}

export interface DownloadOptions {
  url: string;
  /** The final path; bytes go to `<dest>.part` and are renamed once complete and verified. */
  dest: string;
  /** Names the remote system in errors (e.g. "Hugging Face"). */
  system: string;
  headers?: Record<string, string>;
  /** What to tell the user on 401/403. */
  authFix?: string;
  /** What to tell the user on 404. */
  notFoundFix?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Attempts after the first on connection errors, 408, 429 and 5xx; 5 unless given. */
  retries?: number;
  /** Wait before retry `attempt` (1-based); 1 s, 2 s, 4 s … up to 30 s unless given. */
  retryDelayMs?: (attempt: number) => number;
  /** Problem with the finished `.part` (e.g. a bad shard header), or null when it is good. */
  verify?: (partPath: string) => Promise<string | null>;
  onProgress?: (progress: DownloadProgress) => void;
  /** Notes worth a line: retries, a server that ignored the range. */
  log?: (message: string) => void;
}

export interface DownloadResult {
  bytes: number;
  /** Size of the .part this download resumed from (0: from the start). */
  resumedFrom: number;
  /** Requests made, retries included. */
  requests: number;
}

/** A failure worth another request: the connection broke, or the server said try again. */
class RetryableError extends Error {}

const defaultDelay = (attempt: number) => Math.min(30_000, 1000 * 2 ** (attempt - 1));

/**
 * Download one file into `<dest>.part`, resuming a partial one with an HTTP Range request, retrying with backoff,
 * and renaming to `dest` only once it is complete and passes `verify`. An interrupted download leaves the .part for
 * the next call to resume.
 */
export async function downloadResumable(opts: DownloadOptions): Promise<DownloadResult> {
  const part = `${opts.dest}.part`;
  const retries = opts.retries ?? 5;
  // Bytes kept from an earlier run; dropped to 0 as soon as a request rewrites the file from the start.
  let resumedFrom = await sizeOf(part);
  let requests = 0;
  let failures = 0;
  let freshAfterBadResume = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    const offset = await sizeOf(part);
    requests++;
    try {
      const bytes = await fetchInto(opts, part, offset, () => (resumedFrom = 0));
      const problem = opts.verify ? await opts.verify(part) : null;
      if (problem === null) {
        await rename(part, opts.dest);
        return { bytes, resumedFrom, requests };
      }
      // A resumed .part may hold bytes of an older file; one fresh download tells that apart from a bad server.
      if (offset > 0 && !freshAfterBadResume) {
        freshAfterBadResume = true;
        opts.log?.(`${opts.url}: the resumed download failed its check (${problem}); downloading it again from the start`);
        await rm(part, { force: true });
        continue;
      }
      await rm(part, { force: true });
      throw new ExternalError(
        opts.system,
        `${opts.url}: the downloaded file is not valid: ${problem}`,
        'run the command again; if it fails the same way, the server sends something else than the expected file',
      );
    } catch (error) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (!(error instanceof RetryableError)) throw error;
      failures++;
      if (failures > retries) {
        throw new ExternalError(
          opts.system,
          `${opts.url}: ${error.message} (gave up after ${requests} requests)`,
          'run the command again later; finished files are kept and the partial one resumes',
        );
      }
      const delay = (opts.retryDelayMs ?? defaultDelay)(failures);
      opts.log?.(`${opts.url}: ${error.message}; retrying in ${(delay / 1000).toFixed(1)} s (${failures}/${retries})`);
      await sleep(delay, opts.signal);
    }
  }
}

/** One request: append to (206) or rewrite (200) the .part. Returns the file's size when complete. */
async function fetchInto(opts: DownloadOptions, part: string, offset: number, onRestart: () => void): Promise<number> {
  const headers: Record<string, string> = { ...opts.headers };
  if (offset > 0) headers.Range = `bytes=${offset}-`;
  let response: Response;
  try {
    response = await (opts.fetch ?? fetch)(opts.url, { headers, signal: opts.signal, redirect: 'follow' });
  } catch (error) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    throw new RetryableError(`connection failed: ${describe(error)}`);
  }
  const status = response.status;
  if (status === 416 && offset > 0) {
    // The range starts at or beyond the end: the .part is complete (a run stopped before renaming) or too long.
    await response.body?.cancel();
    const total = rangeTotal(response.headers.get('content-range'));
    if (total === offset) return offset;
    await rm(part, { force: true });
    throw new RetryableError(`the server refused to resume at byte ${offset} (file size ${total ?? 'unknown'}); starting over`);
  }
  if (status !== 200 && status !== 206) {
    await response.body?.cancel();
    throw statusError(opts, status);
  }
  let start = 0;
  let total: number | null = numberHeader(response.headers.get('content-length'));
  if (status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== offset) {
      await response.body?.cancel();
      await rm(part, { force: true });
      throw new RetryableError(`the server answered the range request with bytes ${range?.[1] ?? '?'}- instead of ${offset}-; starting over`);
    }
    start = offset;
    total = range[2] === '*' ? null : Number(range[2]);
  } else if (offset > 0) {
    opts.log?.(`${opts.url}: the server ignored the range request; downloading from the start`);
  }
  if (start === 0) onRestart();
  const received = await writeBody(opts, response, part, start, total);
  if (total !== null && received !== total) {
    throw new RetryableError(`the connection closed after ${received} of ${total} bytes`);
  }
  return received;
}

async function writeBody(opts: DownloadOptions, response: Response, part: string, start: number, total: number | null): Promise<number> {
  if (start === 0) await rm(part, { force: true });
  else await truncate(part, start);
  const handle = await open(part, start === 0 ? 'w' : 'a');
  let received = start;
  try {
    if (!response.body) return received;
    try {
      for await (const chunk of response.body) {
        await handle.write(chunk);
        received += chunk.length;
        opts.onProgress?.({ received, total, offset: start });
      }
    } catch (error) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      // Disk errors are not the network's: they are not retried.
      if (error instanceof Error && 'syscall' in error) throw error;
      throw new RetryableError(`the connection broke after ${received} bytes: ${describe(error)}`);
    }
    await handle.sync();
    return received;
  } finally {
    await handle.close();
  }
}

function statusError(opts: DownloadOptions, status: number): Error {
  if (status === 408 || status === 429 || status >= 500) return new RetryableError(`HTTP ${status}`);
  if (status === 401 || status === 403) {
    return new ExternalError(opts.system, `${opts.url}: HTTP ${status} (not authorised)`, opts.authFix);
  }
  if (status === 404) return new ExternalError(opts.system, `${opts.url}: HTTP 404 (no such file)`, opts.notFoundFix);
  return new ExternalError(opts.system, `${opts.url}: unexpected HTTP ${status}`);
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function numberHeader(value: string | null): number | null {
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

function rangeTotal(value: string | null): number | null {
  const match = /\/(\d+)$/.exec(value ?? '');
  return match ? Number(match[1]) : null;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message}` : '';
  return `${error.message}${cause}`;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('download aborted');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
