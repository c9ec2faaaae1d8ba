import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { removeContainer, removeOrphanContainers } from '../src/core/exec/docker/cleanup.js';
import { DockerExecutor } from '../src/core/exec/docker/docker-executor.js';
import { currentHarness, processStartToken, type HarnessIdentity } from '../src/core/exec/process-identity.js';
import { containerLabels } from '../src/core/exec/docker/labels.js';
import { CPU_IMAGE, dockerForTests, uniqueRunId } from './helpers/docker.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

let docker: Docker;
beforeAll(async () => {
  docker = await dockerForTests();
});
const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((id) => removeContainer(docker, id)));
});
afterAll(removeTempDirs);

/** A running container labelled as if `owner` had started it for `runId`. */
async function labelledContainer(runId: string, owner: HarnessIdentity): Promise<string> {
  const container = await docker.createContainer({
    Image: CPU_IMAGE,
    Cmd: ['sleep', '300'],
    Labels: containerLabels(runId, 1, owner),
    HostConfig: { NetworkMode: 'none', Init: true },
  });
  made.push(container.id);
  await container.start();
  return container.id;
}

async function exists(id: string): Promise<boolean> {
  return (await docker.listContainers({ all: true, filters: { id: [id] } })).length > 0;
}

/** A pid that was alive a moment ago and is not now (its process exited and was reaped). */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await once(child, 'exit');
  return child.pid!;
}

describe('orphan container cleanup', () => {
  it('removes containers of a dead harness and keeps those of a live one', async () => {
    const run = uniqueRunId('orphan');
    const orphan = await labelledContainer(run, { host: hostname(), pid: await deadPid(), start: 'boot:1' });
    const live = await labelledContainer(run, currentHarness());
    const removed = await removeOrphanContainers(docker);
    expect(removed).toContain(orphan);
    expect(removed).not.toContain(live);
    expect(await exists(orphan)).toBe(false);
    expect(await exists(live)).toBe(true);
  });

  it('removes the container of a harness killed with SIGKILL, which it kept while that harness lived', async () => {
    const harness = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
    const owner = { host: hostname(), pid: harness.pid!, start: processStartToken(harness.pid!)! };
    expect(owner.start).toBeTruthy();
    const id = await labelledContainer(uniqueRunId('killed'), owner);
    expect(await removeOrphanContainers(docker)).not.toContain(id);
    harness.kill('SIGKILL');
    await once(harness, 'exit');
    expect(await removeOrphanContainers(docker)).toContain(id);
    expect(await exists(id)).toBe(false);
  });

  it('does not let a reused pid protect an orphan: the start time must match too', async () => {
    const impostor = { ...currentHarness(), start: `${currentHarness().start}0` };
    const id = await labelledContainer(uniqueRunId('reused'), impostor);
    expect(await removeOrphanContainers(docker)).toContain(id);
  });

  it("leaves another host's containers alone, since their harness cannot be checked from here", async () => {
    const id = await labelledContainer(uniqueRunId('remote'), { host: `not-${hostname()}`, pid: await deadPid(), start: 'boot:1' });
    expect(await removeOrphanContainers(docker)).not.toContain(id);
    expect(await exists(id)).toBe(true);
  });

  it('removes every container of the given runs, live harness or not (the Ctrl-C path)', async () => {
    const run = uniqueRunId('ctrlc');
    const other = uniqueRunId('other');
    const mine = await labelledContainer(run, currentHarness());
    const kept = await labelledContainer(other, currentHarness());
    expect(await removeOrphanContainers(docker, { runIds: [run] })).toEqual([mine]);
    expect(await exists(kept)).toBe(true);
  });

  it('runs the cleanup when an executor starts its first container', async () => {
    const orphan = await labelledContainer(uniqueRunId('startup'), { host: hostname(), pid: await deadPid(), start: 'boot:1' });
    const workDir = join(await tempDir('docker-cleanup'), 'node');
    await mkdir(workDir);
    await writeFile(join(workDir, 'train.py'), 'print("hi")\n');
    const result = await new DockerExecutor(docker, { image: CPU_IMAGE }).run({
      runId: uniqueRunId('startup'),
      node: 1,
      workDir,
      scriptPath: join(workDir, 'train.py'),
      runner: 'python',
      nproc: 1,
      python: 'python3',
      gpus: [],
      env: {},
      readOnlyDirs: [],
      timeoutMs: 60_000,
    });
    expect(result.exitCode).toBe(0);
    expect(await exists(orphan)).toBe(false);
  });
});
