import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { DockerExecutor, type DockerExecutorOptions } from '../src/core/exec/docker/docker-executor.js';
import type { ExecSpec } from '../src/core/exec/types.js';
import { CPU_IMAGE, containersOfRun, dockerForTests, uniqueRunId } from './helpers/docker.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

let docker: Docker;
beforeAll(async () => {
  docker = await dockerForTests();
});
afterAll(removeTempDirs);

const HANG = 'import time\nprint("started", flush=True)\ntime.sleep(600)\n';

async function nodeSpec(source: string, overrides: Partial<ExecSpec>): Promise<ExecSpec> {
  const root = await tempDir('docker-stop');
  const workDir = join(root, 'node');
  await mkdir(workDir);
  const scriptPath = join(workDir, 'train.py');
  await writeFile(scriptPath, source);
  return {
    runId: uniqueRunId('stop'),
    node: 1,
    workDir,
    scriptPath,
    runner: 'python',
    nproc: 1,
    python: 'python3',
    gpus: [],
    env: {},
    readOnlyDirs: [],
    timeoutMs: 60_000,
    ...overrides,
  };
}

function executor(options: Partial<DockerExecutorOptions> = {}): DockerExecutor {
  return new DockerExecutor(docker, { image: CPU_IMAGE, ...options });
}

describe('docker executor stops', () => {
  it('kills a hanging script at the timeout and leaves no container behind', async () => {
    const spec = await nodeSpec(HANG, { timeoutMs: 3_000 });
    const lines: string[] = [];
    const started = Date.now();
    const result = await executor().run({ ...spec, onLine: (_s, line) => lines.push(line) });
    expect(result.timedOut).toBe(true);
    expect(result.aborted).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(result.signal).toBe('SIGKILL');
    expect(lines).toContain('started');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await containersOfRun(docker, spec.runId)).toEqual([]);
  });

  it('kills a running script when its signal aborts and leaves no container behind', async () => {
    const controller = new AbortController();
    const spec = await nodeSpec(HANG, { signal: controller.signal });
    const started = Date.now();
    const result = await executor().run({ ...spec, onLine: (_s, line) => line === 'started' && controller.abort() });
    expect(result.aborted).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await containersOfRun(docker, spec.runId)).toEqual([]);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const spec = await nodeSpec(HANG, { signal: controller.signal });
    const result = await executor().run(spec);
    expect(result.aborted).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(await containersOfRun(docker, spec.runId)).toEqual([]);
  });

  it('reports a crashing script with its exit code and the tail of stderr', async () => {
    const spec = await nodeSpec('import sys\nprint("step:0/10 val_loss:5.0 train_time:0ms", flush=True)\nraise RuntimeError("boom")\n', {});
    const result = await executor().run(spec);
    expect(result.exitCode).toBe(1);
    expect(result.signal).toBeNull();
    expect(result.stderrTail).toContain('RuntimeError: boom');
    expect(result.oomKilled).toBe(false);
  });

  it('reports a script that outgrows its memory limit as OOM-killed', async () => {
    // 64 MiB limit; the script fills 512 MiB (bytes multiplication touches every page, unlike a zeroed bytearray).
    const spec = await nodeSpec('print("allocating", flush=True)\nblob = b"x" * (512 << 20)\nprint("survived", flush=True)\n', {});
    const result = await executor({ memoryBytes: 64 * 1024 ** 2 }).run(spec);
    expect(result.oomKilled).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderrTail).toMatch(/memory limit/);
    expect(await containersOfRun(docker, spec.runId)).toEqual([]);
  });
});
