import { readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KERNELS_LOCK, fetchHubKernels, hubKernelEnvironment, hubKernelsUsed, repoFolder } from '../src/core/data/hub-kernels.js';
import { ExternalError, UserError } from '../src/core/errors.js';
import { startFakeHub, type FakeHubRepo } from './helpers/fake-hub.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const COMMIT = 'a'.repeat(40);
/** A kernel repository written for this test in the hub's build layout (one variant per torch build). */
const KERNEL: FakeHubRepo = {
  repo: 'test-org/fast-attention',
  revisions: ['main', 'v1'],
  commit: COMMIT,
  files: {
    'README.md': '# a kernel written for the test\n',
    'build/torch210-cxx11-cu128-x86_64-linux/fast_attention/__init__.py': 'def add(a, b):\n    return a + b\n',
    'build/torch29-cxx11-cu126-x86_64-linux/fast_attention/__init__.py': 'def add(a, b):\n    return a + b  # 2.9\n',
    'build/torch210-cxx11-cu128-aarch64-linux/fast_attention/__init__.py': 'raise ImportError("arm")\n',
  },
};

describe('hub kernels', () => {
  it('finds the kernels a script loads, the way modern record scripts call get_kernel', () => {
    const script = [
      'from kernels import get_kernel',
      "flash_attn_interface = get_kernel('test-org/fast-attention').flash_attn_interface",
      'other = get_kernel("test-org/paged", version=1).ops',
      '_mod = get_kernel("test-org/fast-attention", trust_remote_code=True)',
      "pinned = get_kernel('test-org/pinned', revision='release-2')",
    ].join('\n');
    expect(hubKernelsUsed(script)).toEqual([
      { repo: 'test-org/fast-attention', revision: 'main' },
      { repo: 'test-org/paged', revision: 'v1' },
      { repo: 'test-org/pinned', revision: 'release-2' },
    ]);
    expect(hubKernelsUsed('import torch\n')).toEqual([]);
  });

  it("fetches the wanted variants into the hub cache's layout, once, and again when a file changed", async () => {
    const hub = await startFakeHub([KERNEL]);
    try {
      const dir = await tempDir('kernels');
      const opts = { endpoint: hub.endpoint, dir, variantPrefixes: ['torch210-'] };
      const [first] = await fetchHubKernels([{ repo: KERNEL.repo, revision: 'v1' }], opts);
      expect(first).toMatchObject({ commit: COMMIT, status: 'fetched', files: 2 });
      const repoDir = repoFolder(dir, KERNEL.repo);
      expect(await readFile(join(repoDir, 'refs', 'v1'), 'utf8')).toBe(COMMIT);
      const module = join(repoDir, 'snapshots', COMMIT, 'build/torch210-cxx11-cu128-x86_64-linux/fast_attention/__init__.py');
      expect(await readFile(module, 'utf8')).toContain('return a + b');
      expect(await readlink(module)).toMatch(/^\.\.\/.*blobs\/[0-9a-f]{64}$/);
      const lock = JSON.parse(await readFile(join(dir, KERNELS_LOCK), 'utf8'));
      expect(lock.kernels[0].files.map((f: { path: string }) => f.path).sort()).toEqual([
        'README.md',
        'build/torch210-cxx11-cu128-x86_64-linux/fast_attention/__init__.py',
      ]);

      const requests = hub.requests.length;
      const [again] = await fetchHubKernels([{ repo: KERNEL.repo, revision: 'v1' }], opts);
      expect(again!.status).toBe('present');
      expect(hub.requests.length).toBe(requests);

      await writeFile(module, 'tampered');
      const [refetched] = await fetchHubKernels([{ repo: KERNEL.repo, revision: 'v1' }], opts);
      expect(refetched!.status).toBe('fetched');
      expect(await readFile(module, 'utf8')).toContain('return a + b');
    } finally {
      await hub.close();
    }
  });

  it('says what to do when the hub cannot help', async () => {
    const hub = await startFakeHub([KERNEL]);
    try {
      const dir = await tempDir('kernels');
      await expect(fetchHubKernels([{ repo: 'test-org/missing', revision: 'main' }], { endpoint: hub.endpoint, dir })).rejects.toThrow(ExternalError);
      await expect(fetchHubKernels([{ repo: 'test-org/missing', revision: 'main' }], { endpoint: hub.endpoint, dir })).rejects.toThrow(/answered 404/);
      await expect(fetchHubKernels([{ repo: KERNEL.repo, revision: 'main' }], { endpoint: hub.endpoint, dir, variantPrefixes: ['torch27-'] })).rejects.toThrow(
        UserError,
      );
      await expect(fetchHubKernels([{ repo: KERNEL.repo, revision: 'main' }], { endpoint: 'http://127.0.0.1:9', dir })).rejects.toThrow(
        /cannot reach the Hugging Face hub/,
      );
    } finally {
      await hub.close();
    }
  });
});

describe('hub kernels for a training', () => {
  it('names each fetched snapshot in LOCAL_KERNELS, sets the hub offline, and refuses a kernel not fetched', async () => {
    const hub = await startFakeHub([KERNEL]);
    try {
      const dir = await tempDir('kernels');
      await fetchHubKernels([{ repo: KERNEL.repo, revision: 'v1' }], { endpoint: hub.endpoint, dir });
      const environment = await hubKernelEnvironment(dir, [{ repo: KERNEL.repo, revision: 'v1' }]);
      expect(environment).toEqual({
        env: {
          LOCAL_KERNELS: `${KERNEL.repo}=${join(repoFolder(dir, KERNEL.repo), 'snapshots', COMMIT)}`,
          HF_HUB_CACHE: dir,
          KERNELS_CACHE: dir,
          HF_HUB_OFFLINE: '1',
          HF_HUB_DISABLE_TELEMETRY: '1',
        },
        dirs: [dir],
      });
      await expect(hubKernelEnvironment(dir, [{ repo: KERNEL.repo, revision: 'main' }])).rejects.toThrow(/has not been fetched/);
      expect(await hubKernelEnvironment(dir, [])).toEqual({ env: {}, dirs: [] });
    } finally {
      await hub.close();
    }
  });
});
