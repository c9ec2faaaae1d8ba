import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LocalExecutor } from '../src/core/exec/local.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// The executor needs only a Python, not torch: any python3 on PATH does.
const PYTHON = 'python3';

async function scriptIn(dir: string, source: string): Promise<string> {
  const path = join(dir, 'train.py');
  await writeFile(path, source);
  return path;
}

/** Alive means running: a killed process that nobody has reaped yet (a zombie) counts as dead. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('local executor', () => {
  it('streams output lines, saves logs and passes the track environment', async () => {
    const dir = await tempDir('exec-ok');
    const script = await scriptIn(
      dir,
      'import os, sys\nprint("step:0/2 val_loss:1.0 train_time:0ms")\nprint("data", os.environ["NANOGPT_VAL_TOKENS"])\nprint("warn", file=sys.stderr)\n',
    );
    const lines: string[] = [];
    const result = await new LocalExecutor().run({
      runId: 'test',
      node: 1,
      gpus: [],
      readOnlyDirs: [],
      workDir: dir,
      scriptPath: script,
      runner: 'python',
      nproc: 1,
      python: PYTHON,
      env: { NANOGPT_VAL_TOKENS: '4096' },
      timeoutMs: 30_000,
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
    });
    expect(result.exitCode).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(lines).toEqual(expect.arrayContaining(['stdout:step:0/2 val_loss:1.0 train_time:0ms', 'stdout:data 4096', 'stderr:warn']));
    expect(await readFile(result.stdoutPath, 'utf8')).toContain('data 4096');
    expect(result.stderrTail).toBe('warn');
  });

  it('reports a crashing script with its exit code and the tail of stderr', async () => {
    const dir = await tempDir('exec-crash');
    const script = await scriptIn(dir, 'print("step:0/10 val_loss:5.0 train_time:0ms", flush=True)\nraise RuntimeError("CUDA out of memory (simulated)")\n');
    const result = await new LocalExecutor().run({
      runId: 'test',
      node: 1,
      gpus: [],
      readOnlyDirs: [],
      workDir: dir,
      scriptPath: script,
      runner: 'python',
      nproc: 1,
      python: PYTHON,
      env: {},
      timeoutMs: 30_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderrTail).toContain('RuntimeError: CUDA out of memory (simulated)');
    expect(await readFile(result.stdoutPath, 'utf8')).toContain('step:0/10');
  });

  it("kills a hanging script's whole process tree at the timeout", async () => {
    const dir = await tempDir('exec-hang');
    // The script starts a grandchild that would outlive it, reports both pids, then hangs.
    const script = await scriptIn(
      dir,
      [
        'import os, subprocess, time',
        'child = subprocess.Popen(["sleep", "600"])',
        'print("pids", os.getpid(), child.pid, flush=True)',
        'time.sleep(600)',
      ].join('\n'),
    );
    let pids: number[] = [];
    const started = Date.now();
    const result = await new LocalExecutor().run({
      runId: 'test',
      node: 1,
      gpus: [],
      readOnlyDirs: [],
      workDir: dir,
      scriptPath: script,
      runner: 'python',
      nproc: 1,
      python: PYTHON,
      env: {},
      timeoutMs: 1_500,
      onLine: (_stream, line) => {
        if (line.startsWith('pids ')) pids = line.split(' ').slice(1).map(Number);
      },
    });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(pids).toHaveLength(2);
    // Killed processes are reaped asynchronously: wait for them to go rather than for a fixed time.
    await vi.waitFor(
      () => {
        for (const pid of pids) expect(isAlive(pid), `pid ${pid} still alive`).toBe(false);
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it('stops the process tree when aborted', async () => {
    const dir = await tempDir('exec-abort');
    const script = await scriptIn(dir, 'import time\nprint("started", flush=True)\ntime.sleep(600)\n');
    const controller = new AbortController();
    const result = await new LocalExecutor().run({
      runId: 'test',
      node: 1,
      gpus: [],
      readOnlyDirs: [],
      workDir: dir,
      scriptPath: script,
      runner: 'python',
      nproc: 1,
      python: PYTHON,
      env: {},
      timeoutMs: 60_000,
      signal: controller.signal,
      onLine: (_s, line) => {
        if (line === 'started') controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.signal).toBe('SIGTERM');
  });
});
