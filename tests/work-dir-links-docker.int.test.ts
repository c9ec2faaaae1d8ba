import { mkdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { DockerExecutor } from '../src/core/exec/docker/docker-executor.js';
import { CPU_IMAGE, dockerForTests, uniqueRunId } from './helpers/docker.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

let docker: Docker;
beforeAll(async () => {
  docker = await dockerForTests();
});
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
    const lines: string[] = [];
    const result = await new DockerExecutor(docker, { image: CPU_IMAGE, compileCacheDir: join(root, 'compile') }).run({
      runId: uniqueRunId('links'),
      node: 1,
      workDir,
      scriptPath,
      runner: 'python',
      nproc: 1,
      python: 'python3',
      gpus: [],
      env: { DATA_PATH: dataDir },
      readOnlyDirs: [dataDir],
      links: [{ name: 'data', target: join(dataDir, 'data') }],
      timeoutMs: 120_000,
      onLine: (stream, line) => {
        if (stream === 'stdout') lines.push(line);
      },
    });
    expect(result.exitCode, result.stderrTail).toBe(0);
    expect(lines).toContain('read=shard bytes');
    // The link names the data where the container mounts it, not the host path.
    expect(await readlink(join(workDir, 'data'))).toMatch(/^\/speedrun\/data\/0\/data$/);
  }, 180_000);
});
