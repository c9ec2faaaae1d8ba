import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExternalError, UserError } from '../errors.js';
import { FINEWEB_DATASET, FINEWEB_SHARD_BYTES, fineWebFileNames, fineWebUrl } from './fineweb-shards.js';
import { downloadResumable, type DownloadProgress } from './http-download.js';
import { checkShardFile } from './shards.js';
import { NANOGPT_VAL_TOKENS } from './track-env.js';

export interface FineWebOptions {
  dir: string;
  trainShards: number;
  /** Hugging Face endpoint, e.g. https://huggingface.co (the CLI reads it from the environment). */
  endpoint: string;
  /** Hugging Face access token, sent as a bearer token. */
  token?: string;
  /** Replace shards already in `dir` that fail the header check (valid ones are always kept). */
  force?: boolean;
  /** Files downloading at once; 4 unless given. */
  concurrency?: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Milliseconds between progress lines of one file; 10 s unless given. */
  progressIntervalMs?: number;
  now?: () => number;
  retries?: number;
  retryDelayMs?: (attempt: number) => number;
}

export interface FineWebFile {
  name: string;
  /** present: already there and valid; downloaded: fetched now; replaced: was invalid (--force), fetched now. */
  status: 'present' | 'downloaded' | 'replaced';
  bytes: number;
  tokens: number;
  /** Bytes of a partial download this run resumed from. */
  resumed_from: number;
}

export interface FineWebData {
  dir: string;
  trainFiles: string;
  valFiles: string;
  valTokens: number;
  trainShards: number;
  files: FineWebFile[];
  downloadedBytes: number;
}

const SYSTEM = 'Hugging Face';

/**
 * Make `dir` hold upstream's FineWeb val shard and the first `trainShards` train shards, each checked by its header
 * and size. Present, valid shards are kept without a request; partial downloads (`.part`) resume.
 */
export async function prepareFineWebData(opts: FineWebOptions): Promise<FineWebData> {
  const log = opts.log ?? (() => {});
  const names = fineWebFileNames(opts.trainShards);
  await mkdir(opts.dir, { recursive: true });
  const { present, bad, missing } = await survey(opts.dir, names);
  if (bad.length > 0 && !opts.force) {
    throw new UserError(
      `${bad.length} shard file(s) in ${opts.dir} fail the header check: ${bad.map((b) => `${b.name}: ${b.problem}`).join('; ')}`,
      're-run with --force to download them again (valid shards are kept), or delete them',
    );
  }
  for (const b of bad) await rm(join(opts.dir, b.name), { force: true });
  const toFetch = [...bad.map((b) => b.name), ...missing].sort((a, b) => names.indexOf(a) - names.indexOf(b));
  const replaced = new Set(bad.map((b) => b.name));
  if (toFetch.length === 0) {
    log(`all ${names.length} FineWeb shards (val + ${opts.trainShards} train) are present and valid in ${opts.dir}`);
  } else {
    log(
      `${present.length} of ${names.length} shards present; downloading ${toFetch.length} (≈ ${gb(toFetch.length * FINEWEB_SHARD_BYTES)} GB) ` +
        `from ${FINEWEB_DATASET} into ${opts.dir}, ${Math.min(opts.concurrency ?? 4, toFetch.length)} at a time`,
    );
  }
  const tally = { done: 0, total: toFetch.length };
  const fetched = await inPool(toFetch, opts.concurrency ?? 4, opts.signal, (name, signal) => downloadShard(opts, name, signal, tally));
  const files: FineWebFile[] = names.map((name) => {
    const done = fetched.get(name);
    if (done) return { ...done, status: replaced.has(name) ? 'replaced' : 'downloaded' };
    const p = present.find((f) => f.name === name)!;
    return { name, status: 'present', bytes: p.bytes, tokens: p.tokens, resumed_from: 0 };
  });
  return {
    dir: opts.dir,
    trainFiles: join(opts.dir, 'fineweb_train_*.bin'),
    valFiles: join(opts.dir, 'fineweb_val_*.bin'),
    valTokens: NANOGPT_VAL_TOKENS,
    trainShards: opts.trainShards,
    files,
    downloadedBytes: [...fetched.values()].reduce((sum, f) => sum + f.bytes - f.resumed_from, 0),
  };
}

interface Survey {
  present: { name: string; bytes: number; tokens: number }[];
  bad: { name: string; problem: string }[];
  missing: string[];
}

/** Which wanted files are there and valid (header and size only: a shard is ~200 MB), invalid, or absent. */
async function survey(dir: string, names: string[]): Promise<Survey> {
  const out: Survey = { present: [], bad: [], missing: [] };
  for (const name of names) {
    const path = join(dir, name);
    const exists = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) {
      out.missing.push(name);
      continue;
    }
    const check = await checkShardFile(path);
    if (check.ok) out.present.push({ name, bytes: check.bytes, tokens: check.tokens });
    else out.bad.push({ name, problem: check.problem });
  }
  return out;
}

async function downloadShard(
  opts: FineWebOptions,
  name: string,
  signal: AbortSignal,
  tally: { done: number; total: number },
): Promise<Omit<FineWebFile, 'status'>> {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const interval = opts.progressIntervalMs ?? 10_000;
  const url = fineWebUrl(opts.endpoint, name);
  const started = now();
  let lastLine = started;
  let announced = false;
  const onProgress = (p: DownloadProgress) => {
    if (!announced) {
      announced = true;
      if (p.offset > 0) log(`${name}: resuming at ${mb(p.offset)}${p.total ? `/${mb(p.total)}` : ''} MB`);
    }
    const t = now();
    if (t - lastLine < interval) return;
    lastLine = t;
    const percent = p.total ? ` (${Math.floor((100 * p.received) / p.total)}%)` : '';
    log(`${name}: ${mb(p.received)}${p.total ? `/${mb(p.total)}` : ''} MB${percent}, ${rate(p.received - p.offset, t - started)}`);
  };
  let tokens = 0;
  const result = await downloadResumable({
    url,
    dest: join(opts.dir, name),
    system: SYSTEM,
    headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
    authFix: opts.token
      ? 'HF_TOKEN is set but was refused: check that it is a valid Hugging Face access token with read access'
      : 'set HF_TOKEN to a Hugging Face access token (huggingface.co/settings/tokens) and run the command again',
    notFoundFix: `check the endpoint (SPEEDRUN_HF_ENDPOINT) and that ${FINEWEB_DATASET} has ${name}`,
    fetch: opts.fetch,
    signal,
    retries: opts.retries,
    retryDelayMs: opts.retryDelayMs,
    onProgress,
    log,
    verify: async (part) => {
      const check = await checkShardFile(part);
      if (!check.ok) return check.problem;
      tokens = check.tokens;
      return null;
    },
  });
  const elapsed = now() - started;
  log(
    `${name}: done, ${mb(result.bytes)} MB in ${(elapsed / 1000).toFixed(1)} s (${rate(result.bytes - result.resumedFrom, elapsed)}) [${++tally.done}/${tally.total}]`,
  );
  return { name, bytes: result.bytes, tokens, resumed_from: result.resumedFrom };
}

/**
 * Run `work` over `items`, at most `limit` at once. The first failure stops new work and aborts the rest (their
 * partial files stay and resume next time), then is thrown.
 */
async function inPool<T>(
  items: string[],
  limit: number,
  signal: AbortSignal | undefined,
  work: (item: string, signal: AbortSignal) => Promise<T>,
): Promise<Map<string, T>> {
  const results = new Map<string, T>();
  const stop = new AbortController();
  const linked = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let next = 0;
  let firstError: unknown = null;
  const runner = async () => {
    while (next < items.length && !linked.aborted) {
      const item = items[next++]!;
      try {
        results.set(item, await work(item, linked));
      } catch (error) {
        if (firstError === null) {
          firstError = error;
          stop.abort(new ExternalError(SYSTEM, 'stopped after another download failed'));
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, runner));
  if (firstError !== null) throw firstError;
  signal?.throwIfAborted();
  return results;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const gb = (bytes: number) => (bytes / 1e9).toFixed(1);
const rate = (bytes: number, ms: number) => (ms > 0 ? `${(bytes / 1e3 / ms).toFixed(1)} MB/s` : '—');
