import { mkdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProbeScript } from './helpers/docker.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

describe('links in the node folder under docker', () => {
  it('a script that reads data/fineweb10B relative to its folder finds the read-only data in the container', async () => {
    const root = await tempDir('links-docker');
    const dataDir = join(root, 'modern-data');
    await mkdir(join(dataDir, 'data', 'fineweb10B'), { recursive: true });
    await writeFile(join(dataDir, 'data', 'fineweb10B', 'fineweb_val_000000.bin'), 'shard bytes');
    const workDir = join(root, 'node');
    await mkdir(workDir);
    const scriptPath = join(workDir, 'train_gpt.py');
    // The 2024 record scripts' way (written for this test): a path relative to the working folder.
    await writeFile(scriptPath, 'print("read=" + open("data/fineweb10B/fineweb_val_000000.bin").read(), flush=True)\n');
    const result = await runProbeScript({
      root,
      workDir,
      scriptPath,
      env: { DATA_PATH: dataDir },
      readOnlyDirs: [dataDir],
      links: [{ name: 'data', target: join(dataDir, 'data') }],
    });
    expect(result.exitCode, result.stderrTail).toBe(0);
    expect(result.lines).toContain('read=shard bytes');
    // The link names the data where the container mounts it, not the host path.
    expect(await readlink(join(workDir, 'data'))).toMatch(/^\/speedrun\/data\/0\/data$/);
  }, 180_000);
});
