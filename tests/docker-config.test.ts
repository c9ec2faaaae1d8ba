import { describe, expect, it } from 'vitest';
import { containerCreateOptions } from '../src/core/exec/docker/container-config.js';
import { loadTrack } from '../src/core/catalog/catalog.js';
import { imageForRecord, imagesForTrack, imageTag } from '../src/core/exec/docker/images.js';
import { planMounts } from '../src/core/exec/docker/mounts.js';
import type { ExecSpec } from '../src/core/exec/types.js';

const spec: ExecSpec = {
  runId: 'r1',
  node: 4,
  workDir: '/runs/r1/nodes/4',
  scriptPath: '/runs/r1/nodes/4/train_gpt.py',
  runner: 'python',
  nproc: 1,
  python: '/usr/bin/python3',
  gpus: [],
  readOnlyDirs: ['/cache/data/tiny', '/cache/data/tiny-extra'],
  timeoutMs: 1000,
  env: {
    NANOGPT_TRAIN_FILES: '/cache/data/tiny/tiny_train_*.bin',
    EXTRA: '/cache/data/tiny-extra/x.bin',
    LIST: '/cache/data/tiny/a.bin:/runs/r1/nodes/4/b.bin',
    NEIGHBOUR: '/cache/data/tinyish/y.bin',
    NANOGPT_VAL_TOKENS: '32768',
  },
};
const harness = { host: 'h', pid: 42, start: 'boot:7' };

describe('docker container configuration', () => {
  it('maps host paths in the environment to their mounts, only at folder boundaries', () => {
    const plan = planMounts(spec, '/cache/compile/r1');
    expect(plan.scriptPath).toBe('/speedrun/node/train_gpt.py');
    expect(plan.toContainerPath(spec.env.NANOGPT_TRAIN_FILES!)).toBe('/speedrun/data/0/tiny_train_*.bin');
    expect(plan.toContainerPath(spec.env.EXTRA!)).toBe('/speedrun/data/1/x.bin');
    expect(plan.toContainerPath(spec.env.LIST!)).toBe('/speedrun/data/0/a.bin:/speedrun/node/b.bin');
    expect(plan.toContainerPath(spec.env.NEIGHBOUR!)).toBe('/cache/data/tinyish/y.bin');
    expect(plan.toContainerPath('32768')).toBe('32768');
    expect(plan.mounts).toEqual([
      { host: '/runs/r1/nodes/4', container: '/speedrun/node', readOnly: false },
      { host: '/cache/data/tiny', container: '/speedrun/data/0', readOnly: true },
      { host: '/cache/data/tiny-extra', container: '/speedrun/data/1', readOnly: true },
      { host: '/cache/compile/r1', container: '/speedrun/cache', readOnly: false },
    ]);
  });

  it('mounts a script kept outside the node folder read-only', () => {
    const plan = planMounts({ ...spec, scriptPath: '/elsewhere/s.py' }, undefined);
    expect(plan.scriptPath).toBe('/speedrun/script/s.py');
    expect(plan.mounts).toContainEqual({ host: '/elsewhere', container: '/speedrun/script', readOnly: true });
  });

  it('sandboxes a CPU node: no network, limits, labels, no GPUs and no memlock request', () => {
    const options = containerCreateOptions({
      spec,
      image: 'speedrun/cpu:1',
      user: '1000:1000',
      harness,
      mounts: planMounts(spec, undefined),
      limits: { memoryBytes: 1 << 30 },
    });
    expect(options.Cmd).toEqual(['python3', '/speedrun/node/train_gpt.py']);
    expect(options.User).toBe('1000:1000');
    expect(options.HostConfig?.NetworkMode).toBe('none');
    expect(options.HostConfig?.Memory).toBe(1 << 30);
    expect(options.HostConfig?.MemorySwap).toBe(1 << 30);
    expect(options.HostConfig?.DeviceRequests).toEqual([]);
    expect(options.HostConfig?.Ulimits?.map((u) => u.Name)).toEqual(['stack']);
    expect(options.Labels).toEqual({
      'speedrun.run': 'r1',
      'speedrun.node': '4',
      'speedrun.harness-pid': '42',
      'speedrun.harness-start': 'boot:7',
      'speedrun.harness-host': 'h',
    });
    expect(options.Env).toContain('PYTHONUNBUFFERED=1');
    expect(options.Env?.some((e) => e.startsWith('TORCHINDUCTOR_CACHE_DIR='))).toBe(false);
  });

  it('gives a torchrun node its GPUs by id, unlimited memlock for NCCL and the compile cache', () => {
    const gpuSpec: ExecSpec = { ...spec, runner: 'torchrun', nproc: 2, gpus: [2, 5] };
    const options = containerCreateOptions({ spec: gpuSpec, image: 'i', user: '1000:1000', harness, mounts: planMounts(gpuSpec, '/c'), limits: {} });
    expect(options.Cmd).toEqual(['python3', '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '/speedrun/node/train_gpt.py']);
    expect(options.HostConfig?.DeviceRequests).toEqual([{ Driver: 'nvidia', DeviceIDs: ['2', '5'], Capabilities: [['gpu']] }]);
    expect(options.HostConfig?.Ulimits).toContainEqual({ Name: 'memlock', Soft: -1, Hard: -1 });
    expect(options.HostConfig?.ShmSize).toBeGreaterThanOrEqual(1024 ** 3);
    expect(options.Env).toEqual(expect.arrayContaining(['TORCHINDUCTOR_CACHE_DIR=/speedrun/cache/inductor', 'TRITON_CACHE_DIR=/speedrun/cache/triton']));
  });
});

describe('record images', () => {
  it('maps each track and record to the image of its era, as the manifests name them', async () => {
    const [tiny, nanogpt] = await Promise.all([loadTrack('tiny'), loadTrack('nanogpt')]);
    expect(imageTag(imageForRecord(tiny, 5)!)).toBe('speedrun/cpu:1');
    expect(imageTag(imageForRecord(nanogpt, 18)!)).toBe('speedrun/cuda-torch2.7.1:1');
    expect(imageForRecord(nanogpt, 99)).toBeUndefined();
    expect(imagesForTrack(tiny).map((i) => i.name)).toEqual(['cpu']);
    expect(imagesForTrack(nanogpt, 3).map((i) => i.name)).toEqual(['cuda-torch2.7.1']);
  });

  it('knows the image every record of every track names', async () => {
    for (const manifest of await Promise.all([loadTrack('tiny'), loadTrack('nanogpt')])) {
      for (const record of manifest.records) expect(imageForRecord(manifest, record.number), `${manifest.track} ${record.number}`).toBeDefined();
    }
  });
});
