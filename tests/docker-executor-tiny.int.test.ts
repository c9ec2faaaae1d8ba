import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { prepareTinyData } from '../src/core/data/prepare.js';
import { DockerExecutor } from '../src/core/exec/docker/docker-executor.js';
import { parseLog } from '../src/core/measure/log-parser.js';
import { packageRoot } from '../src/core/paths.js';
import { CPU_IMAGE, containersOfRun, dockerForTests, uniqueRunId } from './helpers/docker.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

let docker: Docker;
beforeAll(async () => {
  docker = await dockerForTests();
});
afterAll(removeTempDirs);

describe('docker executor on the tiny track', () => {
  it('trains record 5 in the CPU image on read-only tiny data and logs a final val line with train_time', async () => {
    const root = await tempDir('docker-tiny');
    // A subfolder: mkdtemp's own folder is private to its owner, and the container's user must read the shards.
    const data = await prepareTinyData(join(root, 'data'));
    const workDir = join(root, 'node');
    await mkdir(workDir);
    const scriptPath = join(workDir, 'train_gpt.py');
    await copyFile(join(packageRoot, 'records', 'tiny', 'r05', 'train_gpt.py'), scriptPath);

    const runId = uniqueRunId('tiny');
    const lines: string[] = [];
    const result = await new DockerExecutor(docker, { image: CPU_IMAGE, compileCacheDir: join(root, 'cache') }).run({
      runId,
      node: 1,
      workDir,
      scriptPath,
      runner: 'python',
      nproc: 1,
      python: 'python3',
      gpus: [],
      env: { NANOGPT_TRAIN_FILES: data.trainFiles, NANOGPT_VAL_FILES: data.valFiles, NANOGPT_VAL_TOKENS: String(data.valTokens) },
      readOnlyDirs: [data.dir],
      timeoutMs: 300_000,
      onLine: (stream, line) => stream === 'stdout' && lines.push(line),
    });

    expect(result.stderrTail).not.toMatch(/Traceback/);
    expect(result.exitCode).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.oomKilled).toBe(false);
    expect(result.startMs).toBeGreaterThan(0);
    expect(result.startMs!).toBeLessThan(result.wallMs);

    const log = await readFile(join(workDir, 'stdout.log'), 'utf8');
    const parsed = parseLog(log);
    expect(parsed.final).not.toBeNull();
    expect(parsed.final!.step).toBe(parsed.final!.total_steps);
    expect(parsed.final!.val_loss).toBeGreaterThan(0);
    expect(parsed.final!.train_time_ms).toBeGreaterThan(0);
    // The script's clock never runs ahead of the harness's.
    expect(parsed.final!.train_time_ms!).toBeLessThan(result.wallMs);
    // The live line callbacks saw the same output the file holds.
    expect(lines.join('\n')).toBe(log.trimEnd());
    expect(await containersOfRun(docker, runId)).toEqual([]);
  }, 300_000);
});
