import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchHubKernels, hubKernelEnvironment } from '../src/core/data/hub-kernels.js';
import { runProbeScript } from './helpers/docker.js';
import { startFakeHub } from './helpers/fake-hub.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/**
 * Written for this test in the shape of the 2025–2026 record scripts, which load FlashAttention-3 with
 * `get_kernel(...)` from the `kernels` package. That package is not in the CPU image, so `get_kernel` here does what
 * it does offline: the snapshot LOCAL_KERNELS names for the repo, else the cache folder from KERNELS_CACHE (or
 * HF_HUB_CACHE) and the ref naming the snapshot; then the build variant's package imported from it.
 */
const MODERN_SHAPED_SCRIPT = `
import importlib.util, json, os, socket
from pathlib import Path

def get_kernel(repo_id, version=None):
    assert os.environ.get("HF_HUB_OFFLINE") == "1", "the hub must be offline in a training"
    overrides = dict(entry.split("=", 1) for entry in os.environ.get("LOCAL_KERNELS", "").split(":") if entry)
    if repo_id in overrides:
        snapshot = Path(overrides[repo_id])
    else:
        cache = Path(os.environ.get("KERNELS_CACHE") or os.environ["HF_HUB_CACHE"])
        repo = cache / ("models--" + repo_id.replace("/", "--"))
        snapshot = repo / "snapshots" / (repo / "refs" / (f"v{version}" if version else "main")).read_text().strip()
    print("snapshot=" + json.dumps(str(snapshot)), flush=True)
    variant = snapshot / "build" / "torch-universal" / "fast_attention"
    spec = importlib.util.spec_from_file_location("fast_attention", variant / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def attempt(fn):
    try:
        fn(); return "ok"
    except OSError as e:
        return type(e).__name__

flash_attn_interface = get_kernel("test-org/fast-attention", version=1).flash_attn_interface
print("kernel=" + json.dumps(flash_attn_interface(2, 3)), flush=True)
print("network=" + json.dumps(attempt(lambda: socket.create_connection(("1.1.1.1", 443), timeout=5).close())), flush=True)
cache = Path(os.environ["HF_HUB_CACHE"])
print("cache_write=" + json.dumps(attempt(lambda: (cache / "intruder").write_text("x"))), flush=True)
`;

describe('hub kernels in the docker sandbox', () => {
  it('a script that loads a hub kernel the way modern records do gets the fetched files, with the network off', async () => {
    const hub = await startFakeHub([
      {
        repo: 'test-org/fast-attention',
        revisions: ['v1'],
        commit: 'b'.repeat(40),
        files: { 'build/torch-universal/fast_attention/__init__.py': 'def flash_attn_interface(a, b):\n    return a * b\n' },
      },
    ]);
    const root = await tempDir('hub-kernels-docker');
    const kernels = join(root, 'kernels');
    try {
      await fetchHubKernels([{ repo: 'test-org/fast-attention', revision: 'v1' }], { endpoint: hub.endpoint, dir: kernels });
    } finally {
      await hub.close();
    }
    const workDir = await tempDir('hub-kernels-node');
    const scriptPath = join(workDir, 'train_gpt.py');
    await writeFile(scriptPath, MODERN_SHAPED_SCRIPT);
    const environment = await hubKernelEnvironment(kernels, [{ repo: 'test-org/fast-attention', revision: 'v1' }]);
    const result = await runProbeScript({ root, workDir, scriptPath, env: environment.env, readOnlyDirs: environment.dirs });
    const out = result.out;
    expect(result.exitCode, result.stderrTail).toBe(0);
    // The snapshot path is the container's: LOCAL_KERNELS was rewritten to the read-only mount.
    expect(out).toEqual({
      snapshot: expect.stringMatching(/^\/speedrun\/data\/\d+\/models--test-org--fast-attention\/snapshots\/b{40}$/),
      kernel: 6,
      network: expect.stringMatching(/Error/),
      cache_write: expect.stringMatching(/Error/),
    });
  }, 180_000);
});
