import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ExternalError, UserError } from '../src/core/errors.js';
import { prepareFineWebData, type FineWebOptions } from '../src/core/data/fineweb-download.js';
import { checkShardFile, encodeShard } from '../src/core/data/shards.js';
import { fineWebFiles, makeShard, startShardServer, type ShardServer } from './helpers/shard-server.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

const servers: ShardServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(removeTempDirs);

async function serve(trainShards: number): Promise<ShardServer> {
  const server = await startShardServer(fineWebFiles(trainShards));
  servers.push(server);
  return server;
}

function options(server: ShardServer, dir: string, trainShards: number, extra: Partial<FineWebOptions> = {}) {
  const lines: string[] = [];
  const opts: FineWebOptions = {
    dir,
    trainShards,
    endpoint: server.url,
    retryDelayMs: () => 5,
    log: (m) => lines.push(m),
    ...extra,
  };
  return { opts, lines };
}

async function expectSameFiles(server: ShardServer, dir: string) {
  for (const [name, bytes] of server.files) {
    expect(new Uint8Array(await readFile(join(dir, name))), name).toEqual(bytes);
  }
  expect((await readdir(dir)).filter((n) => n.endsWith('.part'))).toEqual([]);
}

describe('FineWeb shard download', () => {
  it('downloads the val shard and N train shards, byte-identical, with progress lines', async () => {
    const server = await serve(3);
    const dir = await tempDir('fineweb');
    const { opts, lines } = options(server, dir, 3, { progressIntervalMs: 0 });
    const result = await prepareFineWebData(opts);
    await expectSameFiles(server, dir);
    expect(result.files.map((f) => [f.name, f.status, f.tokens])).toEqual([
      ['fineweb_val_000000.bin', 'downloaded', 3000],
      ['fineweb_train_000001.bin', 'downloaded', 3000],
      ['fineweb_train_000002.bin', 'downloaded', 3000],
      ['fineweb_train_000003.bin', 'downloaded', 3000],
    ]);
    expect(result.trainFiles).toBe(join(dir, 'fineweb_train_*.bin'));
    expect(result.valTokens).toBe(10_485_760);
    expect(result.downloadedBytes).toBe(4 * (1024 + 6000));
    expect(server.requests.map((r) => r.range)).toEqual([null, null, null, null]);
    expect(lines.some((l) => /^fineweb_train_000002\.bin: 0\.0\/0\.0 MB \(\d+%\)/.test(l))).toBe(true);
    expect(lines.filter((l) => / done, .* \[\d\/4\]$/.test(l))).toHaveLength(4);
  });

  it('resumes a partial .part with a Range request and ends byte-identical', async () => {
    const server = await serve(1);
    const dir = await tempDir('fineweb');
    const name = 'fineweb_train_000001.bin';
    const full = server.files.get(name)!;
    await writeFile(join(dir, `${name}.part`), full.subarray(0, 2500));
    const { opts, lines } = options(server, dir, 1);
    const result = await prepareFineWebData(opts);
    await expectSameFiles(server, dir);
    expect(server.requests.find((r) => r.file === name)?.range).toBe('bytes=2500-');
    expect(result.files.find((f) => f.name === name)).toMatchObject({ status: 'downloaded', resumed_from: 2500 });
    expect(result.downloadedBytes).toBe(2 * full.length - 2500);
    expect(lines).toContain(`${name}: resuming at 0.0/0.0 MB`);
  });

  it('starts over when the server ignores the range and answers 200 with the whole file', async () => {
    const server = await serve(1);
    server.faults.ignoreRange = true;
    const dir = await tempDir('fineweb');
    const name = 'fineweb_train_000001.bin';
    // A prefix that differs from the file: appending the whole body to it would be caught, keeping it would corrupt.
    await writeFile(join(dir, `${name}.part`), new Uint8Array(1500).fill(9));
    const { opts, lines } = options(server, dir, 1);
    const result = await prepareFineWebData(opts);
    await expectSameFiles(server, dir);
    expect(server.requests.find((r) => r.file === name)?.range).toBe('bytes=1500-');
    expect(lines.some((l) => l.includes('ignored the range request'))).toBe(true);
    expect(result.files.find((f) => f.name === name)?.resumed_from).toBe(0);
    expect(result.downloadedBytes).toBe(2 * server.files.get(name)!.length);
  });

  it('renames a .part that is already complete when the server answers 416', async () => {
    const server = await serve(1);
    const dir = await tempDir('fineweb');
    const name = 'fineweb_train_000001.bin';
    await writeFile(join(dir, `${name}.part`), server.files.get(name)!);
    const { opts } = options(server, dir, 1);
    await prepareFineWebData(opts);
    await expectSameFiles(server, dir);
  });

  it('resumes within the run when the connection breaks mid-file', async () => {
    const server = await serve(1);
    const name = 'fineweb_train_000001.bin';
    server.faults.cutAfter.set(name, 3000);
    const dir = await tempDir('fineweb');
    const { opts, lines } = options(server, dir, 1);
    await prepareFineWebData(opts);
    await expectSameFiles(server, dir);
    expect(server.requests.filter((r) => r.file === name).map((r) => r.range)).toEqual([null, 'bytes=3000-']);
    expect(lines.some((l) => l.includes('retrying'))).toBe(true);
  });

  it('retries a 500 with backoff and then succeeds', async () => {
    const server = await serve(1);
    server.faults.statusFirst.set('fineweb_val_000000.bin', { status: 500, times: 2 });
    const dir = await tempDir('fineweb');
    const delays: number[] = [];
    const { opts, lines } = options(server, dir, 1, { retryDelayMs: (a) => (delays.push(a), 5) });
    await prepareFineWebData(opts);
    await expectSameFiles(server, dir);
    expect(server.requests.filter((r) => r.file === 'fineweb_val_000000.bin')).toHaveLength(3);
    expect(delays).toEqual([1, 2]);
    expect(lines.filter((l) => l.includes('HTTP 500; retrying'))).toHaveLength(2);
  });

  it('gives up after the retries with an error naming the URL', async () => {
    const server = await serve(1);
    server.faults.statusFirst.set('fineweb_val_000000.bin', { status: 503, times: 99 });
    const dir = await tempDir('fineweb');
    const { opts } = options(server, dir, 1, { retries: 2 });
    const error = await prepareFineWebData(opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toContain(`${server.url}/datasets/kjj0/fineweb10B-gpt2/resolve/main/fineweb_val_000000.bin: HTTP 503`);
    expect((error as Error).message).toContain('after 3 requests');
  });

  it('fails clearly on a 404, naming the file, without retrying', async () => {
    const server = await serve(1);
    server.files.delete('fineweb_train_000001.bin');
    const dir = await tempDir('fineweb');
    const { opts } = options(server, dir, 1);
    const error = await prepareFineWebData(opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).message).toMatch(/Hugging Face: http:.*\/fineweb_train_000001\.bin: HTTP 404/);
    expect(server.requests.filter((r) => r.file === 'fineweb_train_000001.bin')).toHaveLength(1);
    expect(await readdir(dir)).not.toContain('fineweb_train_000001.bin');
  });

  it('says to set HF_TOKEN on a 401, and sends the token as a bearer when given', async () => {
    const server = await serve(1);
    server.faults.statusFirst.set('fineweb_val_000000.bin', { status: 401, times: 1 });
    const dir = await tempDir('fineweb');
    const error = await prepareFineWebData(options(server, dir, 1).opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).message).toContain('HTTP 401');
    expect((error as ExternalError).fix).toContain('set HF_TOKEN');

    await prepareFineWebData(options(server, dir, 1, { token: 'hf_secret' }).opts);
    expect(server.requests.filter((r) => r.authorization === 'Bearer hf_secret').length).toBeGreaterThan(0);
  });

  it('follows the redirect to storage and does not send the token to the other origin', async () => {
    const storage = await serve(1);
    const server = await serve(1);
    server.faults.redirectTo = storage.url;
    const dir = await tempDir('fineweb');
    await prepareFineWebData(options(server, dir, 1, { token: 'hf_secret' }).opts);
    await expectSameFiles(storage, dir);
    expect(server.requests.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
    expect(storage.requests).toHaveLength(2);
    expect(storage.requests.every((r) => r.authorization === null)).toBe(true);
  });

  it('rejects a downloaded file with a bad header and leaves neither it nor its .part', async () => {
    const server = await serve(1);
    const bad = makeShard(1);
    new DataView(bad.buffer).setInt32(0, 12345, true);
    server.files.set('fineweb_train_000001.bin', bad);
    const dir = await tempDir('fineweb');
    const error = await prepareFineWebData(options(server, dir, 1).opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toMatch(/fineweb_train_000001\.bin: the downloaded file is not valid: bad shard magic 12345/);
    expect((await readdir(dir)).filter((n) => n.startsWith('fineweb_train_'))).toEqual([]);
  });

  it('rejects a truncated shard (its header counts more tokens than it holds)', async () => {
    const server = await serve(1);
    const truncated = makeShard(1).subarray(0, 1024 + 4000);
    server.files.set('fineweb_train_000001.bin', truncated);
    const dir = await tempDir('fineweb');
    const error = await prepareFineWebData(options(server, dir, 1).opts).catch((e: unknown) => e);
    expect((error as Error).message).toContain('header says 3000 tokens (7024 bytes) but the file has 5024 bytes');
  });

  it('re-downloads from the start once when a resumed .part turns out to belong to another file', async () => {
    const server = await serve(1);
    const name = 'fineweb_train_000001.bin';
    // The .part's header counts 5000 tokens; the served file has 3000, so the resumed result fails its check.
    const dir = await tempDir('fineweb');
    await writeFile(join(dir, `${name}.part`), encodeShard(new Uint16Array(5000)).subarray(0, 2000));
    const { opts, lines } = options(server, dir, 1);
    await prepareFineWebData(opts);
    await expectSameFiles(server, dir);
    expect(server.requests.filter((r) => r.file === name).map((r) => r.range)).toEqual(['bytes=2000-', null]);
    expect(lines.some((l) => l.includes('the resumed download failed its check'))).toBe(true);
  });

  it('skips files already present and valid without a request', async () => {
    const server = await serve(2);
    const dir = await tempDir('fineweb');
    for (const [name, bytes] of server.files) await writeFile(join(dir, name), bytes);
    const { opts, lines } = options(server, dir, 2);
    const result = await prepareFineWebData(opts);
    expect(server.requests).toEqual([]);
    expect(result.files.every((f) => f.status === 'present')).toBe(true);
    expect(result.downloadedBytes).toBe(0);
    expect(lines).toEqual([`all 3 FineWeb shards (val + 2 train) are present and valid in ${dir}`]);
  });

  it('refuses a corrupt shard already there, naming it, and replaces it with --force', async () => {
    const server = await serve(2);
    const dir = await tempDir('fineweb');
    for (const [name, bytes] of server.files) await writeFile(join(dir, name), bytes);
    await writeFile(join(dir, 'fineweb_train_000002.bin'), server.files.get('fineweb_train_000002.bin')!.subarray(0, 3000));
    const error = await prepareFineWebData(options(server, dir, 2).opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('fineweb_train_000002.bin: header says 3000 tokens');
    expect((error as UserError).fix).toContain('--force');
    expect(server.requests).toEqual([]);

    const result = await prepareFineWebData(options(server, dir, 2, { force: true }).opts);
    await expectSameFiles(server, dir);
    expect(server.requests.map((r) => r.file)).toEqual(['fineweb_train_000002.bin']);
    expect(result.files.map((f) => f.status)).toEqual(['present', 'present', 'replaced']);
  });

  it('downloads at most `concurrency` files at once', async () => {
    const server = await serve(7);
    server.faults.delayMs = 60;
    const dir = await tempDir('fineweb');
    await prepareFineWebData(options(server, dir, 7, { concurrency: 3 }).opts);
    await expectSameFiles(server, dir);
    expect(server.maxInFlight).toBe(3);
  });

  it('stops on abort and leaves the partial file to resume', async () => {
    const server = await serve(1);
    const name = 'fineweb_train_000001.bin';
    server.faults.cutAfter.set(name, 3000);
    const dir = await tempDir('fineweb');
    const controller = new AbortController();
    // Abort while the broken connection waits for its retry: the .part holds the 3000 bytes received.
    const { opts } = options(server, dir, 1, {
      concurrency: 1,
      signal: controller.signal,
      retryDelayMs: () => (controller.abort(new Error('stop now')), 10_000),
    });
    await expect(prepareFineWebData(opts)).rejects.toThrow('stop now');
    expect((await readdir(dir)).sort()).toEqual(['fineweb_train_000001.bin.part', 'fineweb_val_000000.bin']);
    const resumed = await prepareFineWebData(options(server, dir, 1).opts);
    await expectSameFiles(server, dir);
    expect(resumed.files.find((f) => f.name === name)?.resumed_from).toBe(3000);
    expect(await checkShardFile(join(dir, name))).toEqual({ ok: true, tokens: 3000, bytes: 7024 });
  });

  it('refuses more train shards than the dataset has', async () => {
    const server = await serve(1);
    const dir = await tempDir('fineweb');
    await expect(prepareFineWebData(options(server, dir, 104).opts)).rejects.toThrow(/between 1 and 103/);
  });
});
