import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrack } from '../src/core/catalog/catalog.js';
import { checkTrainShards } from '../src/core/data/shard-count.js';
import { trackEnvironment } from '../src/core/data/track-env.js';
import { encodeShard } from '../src/core/data/shards.js';
import { processCount } from '../src/core/exec/process-count.js';
import { cacheLayout } from '../src/core/paths.js';
import { mkdir } from 'node:fs/promises';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

describe('nanogpt launch: process counts', () => {
  it('starts one process per GPU for records that accumulate gradients', async () => {
    const nanogpt = await loadTrack('nanogpt');
    expect(processCount(nanogpt, 4, 1)).toBe(1);
    expect(processCount(nanogpt, 18, 2)).toBe(2);
    expect(processCount(nanogpt, 21, 8)).toBe(8);
  });

  it('refuses fewer GPUs for records whose scripts need exactly 8, and CPU for any record', async () => {
    const nanogpt = await loadTrack('nanogpt');
    for (const record of [1, 2, 3, 15, 19, 20, 21]) {
      expect(() => processCount(nanogpt, record, 1), `record ${record}`).toThrow(/only with 8 GPUs per run, not 1/);
    }
    expect(() => processCount(nanogpt, 4, 3)).toThrow(/only with 1, 2, 4, 8 GPUs per run, not 3/);
    expect(() => processCount(nanogpt, 4, 0)).toThrow(/trains on CUDA GPUs .* no GPUs were asked for/);
  });

  it('runs tiny-track scripts as one plain process whatever the slot', async () => {
    expect(processCount(await loadTrack('tiny'), 3, 0)).toBe(1);
  });
});

describe('nanogpt data environment', () => {
  it('names what is missing in the data folder', async () => {
    const cache = cacheLayout(await tempDir('cache'));
    await expect(trackEnvironment(await loadTrack('nanogpt'), cache)).rejects.toThrow(/no FineWeb train or val shards in .*nanogpt/);
  });

  it('points the upstream variables at the shards', async () => {
    const cache = cacheLayout(await tempDir('cache'));
    const dir = cache.data('nanogpt');
    await mkdir(dir, { recursive: true });
    for (const name of ['fineweb_val_000000.bin', 'fineweb_train_000001.bin']) await writeFile(join(dir, name), encodeShard(new Uint16Array(8)));
    const data = await trackEnvironment(await loadTrack('nanogpt'), cache);
    expect(data.env).toEqual({
      NANOGPT_TRAIN_FILES: join(dir, 'fineweb_train_*.bin'),
      NANOGPT_VAL_FILES: join(dir, 'fineweb_val_*.bin'),
      NANOGPT_VAL_TOKENS: '10485760',
    });
    expect(data.dirs).toEqual([dir]);
  });
});

describe('train shards a record reads', () => {
  it('refuses a scored run with fewer train shards than the record reads, not a smoke run', async () => {
    const nanogpt = await loadTrack('nanogpt');
    const needed = nanogpt.records.find((r) => r.number === 21)!.train_shards!;
    const dir = await tempDir('shards');
    const data = { env: {}, dirs: [dir] };
    for (let i = 1; i < needed; i++) await writeFile(join(dir, `fineweb_train_${String(i).padStart(6, '0')}.bin`), '');
    await expect(checkTrainShards(nanogpt, 21, data, false)).rejects.toThrow(
      new RegExp(`record 21 reads ${needed} FineWeb train shards; .* holds ${needed - 1}`),
    );
    await expect(checkTrainShards(nanogpt, 21, data, true)).resolves.toBeUndefined();
    await writeFile(join(dir, `fineweb_train_${String(needed).padStart(6, '0')}.bin`), '');
    await expect(checkTrainShards(nanogpt, 21, data, false)).resolves.toBeUndefined();
  });
});
