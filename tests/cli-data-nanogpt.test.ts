import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadTrack } from '../src/core/catalog/catalog.js';
import { trainShardsForRun, trainShardsNeeded } from '../src/core/data/fineweb-shards.js';
import { speedrun } from './helpers/cli.js';
import { fineWebFiles, startShardServer, type ShardServer } from './helpers/shard-server.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

// The built binary (npm run build) against a loopback server standing in for Hugging Face.
const servers: ShardServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(removeTempDirs);

async function serve(trainShards: number): Promise<ShardServer> {
  const server = await startShardServer(fineWebFiles(trainShards, 500));
  servers.push(server);
  return server;
}

// HF_TOKEN and HF_ENDPOINT from the machine running the tests must not leak in.
const env = (server: ShardServer) => ({ SPEEDRUN_HF_ENDPOINT: server.url, HF_TOKEN: '', HF_ENDPOINT: '' });

describe('speedrun data prepare --track nanogpt', () => {
  it('downloads val + N train shards into --data-dir, prints a JSON summary, and skips them the second time', async () => {
    const server = await serve(2);
    const dir = await tempDir('nanogpt-data');
    const first = await speedrun(['data', 'prepare', '--track', 'nanogpt', '--train-shards', '2', '--data-dir', dir, '--json'], env(server));
    expect(first.stderr).toContain('fineweb_train_000002.bin: done');
    expect(first.exitCode).toBe(0);
    const summary = JSON.parse(first.stdout) as {
      track: string;
      dir: string;
      trainShards: number;
      valTokens: number;
      trainFiles: string;
      files: { name: string; status: string; tokens: number }[];
    };
    expect(summary).toMatchObject({ track: 'nanogpt', dir, trainShards: 2, valTokens: 10_485_760, trainFiles: join(dir, 'fineweb_train_*.bin') });
    expect(summary.files.map((f) => `${f.name}:${f.status}:${f.tokens}`)).toEqual([
      'fineweb_val_000000.bin:downloaded:500',
      'fineweb_train_000001.bin:downloaded:500',
      'fineweb_train_000002.bin:downloaded:500',
    ]);
    for (const [name, bytes] of server.files) expect(new Uint8Array(await readFile(join(dir, name)))).toEqual(bytes);
    expect(server.requests).toHaveLength(3);

    const second = await speedrun(['data', 'prepare', '--track', 'nanogpt', '--train-shards', '2', '--data-dir', dir], env(server));
    expect(second.exitCode).toBe(0);
    expect(server.requests).toHaveLength(3);
    expect(second.stderr).toContain('are present and valid');
    expect(second.stdout).toContain(`NANOGPT_TRAIN_FILES=${join(dir, 'fineweb_train_*.bin')}`);
    expect(second.stdout).toContain('NANOGPT_VAL_TOKENS=10485760');
  });

  it('downloads what the most demanding record needs when --train-shards is left out, and fewer for --records', async () => {
    const manifest = await loadTrack('nanogpt');
    const most = trainShardsNeeded(manifest);
    const server = await serve(most.shards);
    const dir = await tempDir('nanogpt-data');
    const all = await speedrun(['data', 'prepare', '--track', 'nanogpt', '--data-dir', dir, '--json'], env(server));
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stderr).toContain(`record ${most.record} reads the most train data of records 1–21: ${most.shards} train shards`);
    expect((JSON.parse(all.stdout) as { trainShards: number }).trainShards).toBe(most.shards);
    expect((await readdir(dir)).filter((n) => n.startsWith('fineweb_train_'))).toHaveLength(most.shards);

    const later = await tempDir('nanogpt-data');
    const few = await speedrun(['data', 'prepare', '--track', 'nanogpt', '--records', '19-21', '--data-dir', later, '--json'], env(server));
    expect(few.exitCode, few.stderr).toBe(0);
    expect((JSON.parse(few.stdout) as { trainShards: number }).trainShards).toBe(9);
    expect(few.stderr).toContain('reads the most train data of records 19-21: 9 train shards');
  });

  it('warns when --train-shards is fewer than the records need', async () => {
    const server = await serve(1);
    const dir = await tempDir('nanogpt-data');
    const result = await speedrun(['data', 'prepare', '--track', 'nanogpt', '--train-shards', '1', '--records', '20-21', '--data-dir', dir], env(server));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('records 20, 21 read more than 1 train shards');
  });

  it('exits 3 naming the missing file on a 404', async () => {
    const server = await serve(1);
    server.files.delete('fineweb_train_000001.bin');
    const dir = await tempDir('nanogpt-data');
    const result = await speedrun(['data', 'prepare', '--track', 'nanogpt', '--train-shards', '1', '--data-dir', dir], env(server));
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`error: Hugging Face: ${server.url}/datasets/kjj0/fineweb10B-gpt2/resolve/main/fineweb_train_000001.bin: HTTP 404`);
  });

  it('exits 2 on a bad --train-shards and on nanogpt flags given to the tiny track', async () => {
    const bad = await speedrun(['data', 'prepare', '--track', 'nanogpt', '--train-shards', '200', '--data-dir', await tempDir('nanogpt-data')]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--train-shards must be between 1 and 103');
    const tiny = await speedrun(['data', 'prepare', '--track', 'tiny', '--train-shards', '2', '--data-dir', await tempDir('tiny-data')]);
    expect(tiny.exitCode).toBe(2);
    expect(tiny.stderr).toContain('--train-shards only apply to --track nanogpt');
  });
});

describe('train shards per nanogpt record', () => {
  // num_iterations and global batch tokens (8 GPUs) of the llm-speedrunner scripts at the pinned commit.
  const runs: Record<number, [number, number]> = {
    1: [24576, 262144],
    2: [9536, 524288],
    3: [7000, 524288],
    4: [6200, 524288],
    5: [5100, 524288],
    6: [5100, 524288],
    7: [5100, 524288],
    8: [4578, 524288],
    9: [3200, 524288],
    10: [3242, 524288],
    11: [3000, 524288],
    12: [1875, 524288],
    13: [1750, 524288],
    14: [1530, 524288],
    15: [1480, 524288],
    16: [1480, 524288],
    17: [1490, 524288],
    18: [1390, 524288],
    19: [1395, 524288],
    20: [1393, 524288],
    21: [1770, 393216],
  };

  it("the manifest figures follow from each record's iterations and batch, with a shard of margin", async () => {
    const manifest = await loadTrack('nanogpt');
    for (const record of manifest.records) {
      const [iterations, batch] = runs[record.number]!;
      expect(record.train_shards, `record ${record.number}`).toBe(trainShardsForRun(iterations, batch));
      // Never less than the tokens read plus a whole spare shard.
      expect(record.train_shards! * 100e6).toBeGreaterThan(iterations * batch + 100e6);
    }
    expect(trainShardsNeeded(manifest)).toMatchObject({ shards: 66, record: 1 });
    expect(trainShardsNeeded(manifest, [2, 3, 4])).toMatchObject({ shards: 52, record: 2 });
  });

  it('records show prints the figure', async () => {
    const cache = await tempDir('cache');
    const text = await speedrun(['records', 'show', '2', '--track', 'nanogpt', '--cache', cache]);
    expect(text.stdout).toContain('train data:    52 FineWeb train shards');
    const json = await speedrun(['records', 'show', '21', '--track', 'nanogpt', '--cache', cache, '--json']);
    expect((JSON.parse(json.stdout) as { train_shards: number }).train_shards).toBe(8);
  });
});
