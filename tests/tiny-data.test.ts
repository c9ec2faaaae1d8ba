import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.js';
import { SHARD_HEADER_BYTES, SHARD_MAGIC, decodeShard, encodeShard, readShard } from '../src/core/data/shards.js';
import { Prng, TINY_CORPUS_SPEC, TinyGrammar, eotToken, generateTokens } from '../src/core/data/tiny-corpus.js';
import { MANIFEST_NAME, TINY_VAL_TOKENS, prepareTinyData, tinyDataPresent } from '../src/core/data/prepare.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'speedrun-tiny-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('token shards', () => {
  it('round-trips tokens through the upstream header layout', async () => {
    const tokens = Uint16Array.from([0, 1, 511, 65535, 50256, 7]);
    const bytes = encodeShard(tokens);
    expect(bytes.length).toBe(SHARD_HEADER_BYTES + 2 * tokens.length);
    const view = new DataView(bytes.buffer);
    expect(view.getInt32(0, true)).toBe(SHARD_MAGIC);
    expect(view.getInt32(4, true)).toBe(1);
    expect(view.getInt32(8, true)).toBe(tokens.length);
    expect(view.getUint16(SHARD_HEADER_BYTES + 6, true)).toBe(65535);
    const path = join(await tempDir(), 'x.bin');
    await writeFile(path, bytes);
    expect(Array.from(await readShard(path))).toEqual(Array.from(tokens));
  });

  it('rejects a bad magic number, version or size and names the file', async () => {
    const good = encodeShard(Uint16Array.from([1, 2, 3]));
    const badMagic = good.slice();
    new DataView(badMagic.buffer).setInt32(0, 12345, true);
    expect(() => decodeShard(badMagic, 'a.bin')).toThrow(/a\.bin: bad shard magic 12345/);

    const badVersion = good.slice();
    new DataView(badVersion.buffer).setInt32(4, 2, true);
    expect(() => decodeShard(badVersion, 'b.bin')).toThrow(/b\.bin: unsupported shard version 2/);

    const truncated = good.slice(0, good.length - 2);
    expect(() => decodeShard(truncated, 'c.bin')).toThrow(/c\.bin: header says 3 tokens/);
    expect(() => decodeShard(good.slice(0, 100), 'd.bin')).toThrow(/d\.bin: not a token shard/);
    expect(() => decodeShard(badMagic, 'a.bin')).toThrow(UserError);

    const path = join(await tempDir(), 'broken.bin');
    await writeFile(path, badMagic);
    await expect(readShard(path)).rejects.toThrow(path);
  });
});

describe('tiny corpus', () => {
  it('is deterministic: the same seed gives the same tokens, a pinned hash', () => {
    const sample = (seed: number) => encodeShard(generateTokens(new TinyGrammar(TINY_CORPUS_SPEC, seed), 7, 20_000));
    const a = sample(1337);
    const b = sample(1337);
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(sample(1338))).not.toBe(sha256(a));
    // Pinned so a change to the generator (which would invalidate every recorded tiny time) is noticed.
    expect(sha256(a)).toBe('26e8e3cbccee08ec2982220d50937fefa2ab1201de145bd13c0d357dba579c7d');
  });

  it('uses the PRNG exactly as pinned', () => {
    const rng = new Prng(42);
    expect([rng.next(), rng.next(), rng.next()]).toEqual([1028872839, 2516511472, 400437680]);
  });

  it('writes documents of in-vocabulary tokens separated by end-of-text', () => {
    const tokens = generateTokens(new TinyGrammar(TINY_CORPUS_SPEC, 1), 3, 50_000);
    const eot = eotToken();
    expect(Math.max(...tokens)).toBeLessThanOrEqual(eot);
    const docs = Array.from(tokens).filter((t) => t === eot).length;
    const meanLength = 50_000 / docs;
    expect(meanLength).toBeGreaterThan(TINY_CORPUS_SPEC.minDocLength);
    expect(meanLength).toBeLessThan(TINY_CORPUS_SPEC.maxDocLength + 1);
  });
});

describe('prepareTinyData', () => {
  it('writes shards and a manifest, then returns at once when they verify', async () => {
    const dir = join(await tempDir(), 'tiny');
    const logs: string[] = [];
    const data = await prepareTinyData(dir, { log: (m) => logs.push(m) });
    expect(data).toEqual({
      dir,
      trainFiles: join(dir, 'tiny_train_*.bin'),
      valFiles: join(dir, 'tiny_val_*.bin'),
      valTokens: TINY_VAL_TOKENS,
    });
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([MANIFEST_NAME, 'tiny_train_000001.bin', 'tiny_train_000002.bin', 'tiny_val_000000.bin']);
    const val = await readShard(join(dir, 'tiny_val_000000.bin'));
    expect(val.length).toBeGreaterThan(TINY_VAL_TOKENS);
    expect(await tinyDataPresent(dir)).toBe(true);

    const before = (await stat(join(dir, 'tiny_train_000001.bin'))).mtimeMs;
    const again: string[] = [];
    await prepareTinyData(dir, { log: (m) => again.push(m) });
    expect(again).toEqual([`tiny data already present in ${dir}`]);
    expect((await stat(join(dir, 'tiny_train_000001.bin'))).mtimeMs).toBe(before);
  });

  it('rewrites a shard whose bytes no longer match the manifest, to identical bytes', async () => {
    const dir = await tempDir();
    await prepareTinyData(dir);
    const path = join(dir, 'tiny_train_000002.bin');
    const original = sha256(await readFile(path));
    const corrupted = await readFile(path);
    corrupted[SHARD_HEADER_BYTES + 10] = corrupted[SHARD_HEADER_BYTES + 10]! ^ 0xff;
    await writeFile(path, corrupted);
    expect(await tinyDataPresent(dir)).toBe(false);
    await prepareTinyData(dir);
    expect(sha256(await readFile(path))).toBe(original);
    expect(await tinyDataPresent(dir)).toBe(true);
  });

  it('reports missing data as absent and stops when aborted', async () => {
    const dir = await tempDir();
    expect(await tinyDataPresent(dir)).toBe(false);
    const controller = new AbortController();
    controller.abort();
    await expect(prepareTinyData(join(dir, 'x'), { signal: controller.signal })).rejects.toThrow();
    expect(await tinyDataPresent(join(dir, 'x'))).toBe(false);
  });
});
