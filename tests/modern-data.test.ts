import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadTrack } from '../src/core/catalog/catalog.js';
import { sha256Hex, upstreamPaths } from '../src/core/catalog/files.js';
import type { TrackManifest } from '../src/core/catalog/schema.js';
import type { ProposeInput } from '../src/core/agent/agent.js';
import { prepareWorkspace } from '../src/core/agent/exec/workspace.js';
import { fetchHubKernels } from '../src/core/data/hub-kernels.js';
import { linkExistingShards } from '../src/core/data/link-shards.js';
import { recordHubKernels } from '../src/core/data/record-kernels.js';
import { encodeShard } from '../src/core/data/shards.js';
import { trackEnvironment, type TrackData } from '../src/core/data/track-env.js';
import { LocalExecutor } from '../src/core/exec/local.js';
import { trackLaunch } from '../src/core/exec/node-job.js';
import { cacheLayout, type CacheLayout } from '../src/core/paths.js';
import { executeNode } from '../src/core/train/execute-node.js';
import { startFakeHub } from './helpers/fake-hub.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
const hubs: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

// Scripts in the modern records' shapes, written for the test: one loads a hub kernel, one imports a kernel file.
const HUB_SCRIPT =
  "from kernels import get_kernel\nfa3 = get_kernel('test-org/attn3', version=1)\nprint('step:1/1 val_loss:3.0000 train_time:5ms step_avg:5.00ms')\n";
const KERNEL_FILE = 'def fused(x):\n    return x\n';
// It also reads its data relative to the folder it runs in, as the 2024 records do (they ignore DATA_PATH).
const FILE_SCRIPT =
  "import os\nfrom my_kernels import fused\nassert os.environ['DATA_PATH']\nassert len(open('data/fineweb10B/fineweb_val_000000.bin', 'rb').read()) > 0\nprint(f'step:1/1 val_loss:{fused(2.9):.4f} train_time:7ms step_avg:7.00ms', flush=True)\n";

/** The modern track's manifest with two records of the test's own, their files written where a sync puts them. */
async function testTrack(): Promise<{ manifest: TrackManifest; cache: CacheLayout }> {
  const real = await loadTrack('nanogpt-modern');
  const cache = cacheLayout(await tempDir('modern-cache'));
  const ref = (path: string, text: string) => ({ path, sha256: sha256Hex(Buffer.from(text)), bytes: Buffer.byteLength(text) });
  const template = real.records.at(-1)!;
  const manifest: TrackManifest = {
    ...real,
    records: [
      { ...template, number: 50, script: ref('recovered/record_50/train_gpt.py', HUB_SCRIPT), kernels: undefined },
      {
        ...template,
        number: 51,
        script: ref('recovered/record_51/train_gpt.py', FILE_SCRIPT),
        kernels: [ref('recovered/record_51/my_kernels.py', KERNEL_FILE)],
      },
    ],
  };
  if (manifest.source.kind !== 'upstream') throw new Error('the modern track is an upstream track');
  const files = upstreamPaths(cache, manifest.source).filesDir;
  const written: [string, string][] = [
    ['recovered/record_50/train_gpt.py', HUB_SCRIPT],
    ['recovered/record_51/train_gpt.py', FILE_SCRIPT],
    ['recovered/record_51/my_kernels.py', KERNEL_FILE],
  ];
  for (const [path, text] of written) {
    await mkdir(join(files, path, '..'), { recursive: true });
    await writeFile(join(files, path), text);
  }
  return { manifest, cache };
}

const shard = () => encodeShard(new Uint16Array(64).fill(7));
async function writeShards(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'fineweb_val_000000.bin'), shard());
  await writeFile(join(dir, 'fineweb_train_000001.bin'), shard());
}

describe('nanogpt-modern data and kernels', () => {
  it('points DATA_PATH at the track folder whose data/fineweb10B holds the shards, and refuses without them', async () => {
    const { manifest, cache } = await testTrack();
    const dataPath = cache.data('nanogpt-modern');
    await expect(trackEnvironment(manifest, cache, { records: [51] })).rejects.toThrow(/no FineWeb train or val shards in .*fineweb10B/);
    await expect(trackEnvironment(manifest, cache, { records: [51] })).rejects.toMatchObject({ fix: expect.stringContaining('--track nanogpt-modern') });
    await writeShards(join(dataPath, 'data', 'fineweb10B'));
    const data = await trackEnvironment(manifest, cache, { records: [51] });
    expect(data.env).toEqual({ DATA_PATH: dataPath });
    expect(data.dirs).toEqual([dataPath]);
    expect(data.links).toEqual([{ name: 'data', target: join(dataPath, 'data') }]);
    expect(data.besideScript?.map((f) => f.split('/').slice(-2).join('/'))).toEqual(['record_51/my_kernels.py']);
  });

  it('refuses a record whose hub kernel is not fetched, and mounts it offline once fetched from the hub', async () => {
    const { manifest, cache } = await testTrack();
    await writeShards(join(cache.data('nanogpt-modern'), 'data', 'fineweb10B'));
    await expect(trackEnvironment(manifest, cache, { records: [50] })).rejects.toThrow(/test-org\/attn3@v1 has not been fetched/);
    await expect(trackEnvironment(manifest, cache, { records: [50] })).rejects.toMatchObject({
      fix: expect.stringContaining('data prepare --track nanogpt-modern'),
    });

    const commit = 'c'.repeat(40);
    const hub = await startFakeHub([
      { repo: 'test-org/attn3', revisions: ['v1'], commit, files: { 'build/torch210-cxx11-cu128-x86_64-linux/attn3/__init__.py': 'x = 1\n' } },
    ]);
    hubs.push(hub);
    const refs = await recordHubKernels(manifest, [50, 51], cache);
    expect(refs).toEqual([{ repo: 'test-org/attn3', revision: 'v1' }]);
    await fetchHubKernels(refs, { endpoint: hub.endpoint, dir: cache.kernels });
    const data = await trackEnvironment(manifest, cache, { records: [50] });
    expect(data.env).toMatchObject({
      DATA_PATH: cache.data('nanogpt-modern'),
      HF_HUB_OFFLINE: '1',
      LOCAL_KERNELS: expect.stringContaining(`test-org/attn3=${cache.kernels}`),
    });
    expect(data.dirs).toEqual([cache.data('nanogpt-modern'), cache.kernels]);
  });

  it('hard-links shards the nanogpt track already has instead of downloading them, and skips ones that fail the check', async () => {
    const cache = cacheLayout(await tempDir('modern-cache'));
    const from = cache.data('nanogpt');
    await writeShards(from);
    await writeFile(join(from, 'fineweb_train_000002.bin'), 'not a shard');
    const to = join(cache.data('nanogpt-modern'), 'data', 'fineweb10B');
    const names = ['fineweb_val_000000.bin', 'fineweb_train_000001.bin', 'fineweb_train_000002.bin', 'fineweb_train_000003.bin'];
    expect(await linkExistingShards(names, from, to)).toEqual(['fineweb_val_000000.bin', 'fineweb_train_000001.bin']);
    expect((await stat(join(to, 'fineweb_val_000000.bin'))).ino).toBe((await stat(join(from, 'fineweb_val_000000.bin'))).ino);
    await expect(stat(join(to, 'fineweb_train_000002.bin'))).rejects.toThrow();
    expect(await linkExistingShards(names, from, to)).toEqual([]);
  });

  it("copies the record's kernel files beside the script a node trains, so its import works", async () => {
    const { manifest, cache } = await testTrack();
    await writeShards(join(cache.data('nanogpt-modern'), 'data', 'fineweb10B'));
    const data: TrackData = await trackEnvironment(manifest, cache, { records: [51] });
    const launch = { ...trackLaunch(manifest, 'python3', data), runner: 'python' as const, nproc: 1 };
    const workDir = await tempDir('node');
    const scriptPath = join(workDir, 'train_gpt.py');
    await writeFile(scriptPath, FILE_SCRIPT);
    const result = await executeNode({
      runId: 'modern',
      node: 1,
      parent: 0,
      operator: 'draft',
      scriptPath,
      scriptSha256: 'x',
      workDir,
      executor: new LocalExecutor(),
      launch,
      timing: { target: 3.28, rule: 'final' },
    });
    expect(await readFile(join(workDir, 'my_kernels.py'), 'utf8')).toBe(KERNEL_FILE);
    expect(result.status, result.stderr_tail ?? '').toBe('ok');
    expect(result.final?.val_loss).toBe(2.9);
  });

  it("puts the record's kernel files in the agent's workspace beside the script it edits", async () => {
    const { manifest, cache } = await testTrack();
    await writeShards(join(cache.data('nanogpt-modern'), 'data', 'fineweb10B'));
    const data = await trackEnvironment(manifest, cache, { records: [51] });
    const runDir = await tempDir('run');
    // Only what the workspace reads of a proposal's input.
    const input = {
      manifest,
      record: 50,
      node: 1,
      operator: 'draft',
      parent: { result: { node: 0 } },
      parentScript: FILE_SCRIPT,
      besideScript: trackLaunch(manifest, 'python3', data).besideScript,
      finished: [],
      runDir,
      hint: '',
      hintLevel: 'none',
      nodesLeft: 1,
      parentLogTail: null,
      times: { baselineMs: 1000, targetMs: 900 },
    } as unknown as ProposeInput;
    const workspace = await prepareWorkspace(input, { limits: {}, used: { llm_calls: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 } } as never, {
      experiments: false,
    });
    expect(await readFile(join(workspace.dir, 'my_kernels.py'), 'utf8')).toBe(KERNEL_FILE);
    expect(await readFile(join(workspace.dir, 'train_gpt.py'), 'utf8')).toBe(FILE_SCRIPT);
  });
});
