import { randomUUID } from 'node:crypto';
import { makeWorkDirLinks } from './work-dir-links.js';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { gpuEnvironment } from './gpus.js';
import { launchCommand, PARENT_PID_VAR } from './launch-command.js';
import { closeStream, pipeLines } from './line-splitter.js';
import { LAUNCH_ID_VAR, removeNodePidFile, writeNodePidFile } from './node-pid-file.js';
import { killProcessGroup } from './process-group.js';
import { killStaleNodeProcess } from './stale-process.js';
import type { ExecPlan, ExecResult, ExecSpec, Executor } from './types.js';
import { NODE_FILES } from '../store/layout.js';

export { killStaleNodeProcess } from './stale-process.js';

const STDERR_TAIL_LINES = 40;

/**
 * Runs a script directly on this machine. The script runs in its own process group so a timeout or an
 * abort kills everything it started (dataloader workers, torchrun's children), not only the direct child.
 * Being detached, it would outlive a harness killed with SIGKILL; so on Linux it is started through a
 * launcher that makes the kernel kill it when the harness dies, and a pid file in the node's folder lets a
 * resumed bench stop whatever escaped (killStaleNodeProcess). The kernel sends that signal when the
 * *thread* that spawned the process ends: run the executor on Node's main thread, not in a worker thread
 * that may end before the training does.
 */
export class LocalExecutor implements Executor {
  readonly name = 'local';
  /** Lines come straight from the child's pipes, unbuffered (PYTHONUNBUFFERED). */
  readonly liveLines = true;

  async reclaim(workDir: string): Promise<void> {
    await killStaleNodeProcess(workDir);
  }

  async describe(spec: ExecSpec): Promise<ExecPlan> {
    const [command, args] = launchCommand(spec);
    return {
      command: [command, ...args],
      env: this.environment(spec),
      // No sandbox: the process sees the whole filesystem; these are the folders it is meant to use.
      mounts: [{ host: spec.workDir, target: spec.workDir, readOnly: false }, ...spec.readOnlyDirs.map((dir) => ({ host: dir, target: dir, readOnly: true }))],
      details: ['runs on this machine as this user, with its environment inherited; read-only is not enforced'],
    };
  }

  /** What the process gets on top of the inherited environment (the parent-death variables aside). */
  private environment(spec: ExecSpec): Record<string, string> {
    // The slot's GPUs win over anything in spec.env: a node must not reach devices another slot holds.
    return { PYTHONUNBUFFERED: '1', ...spec.env, ...gpuEnvironment(spec.gpus) };
  }

  async run(spec: ExecSpec): Promise<ExecResult> {
    await mkdir(spec.workDir, { recursive: true });
    await makeWorkDirLinks(spec.workDir, spec.links);
    const stdoutPath = join(spec.workDir, NODE_FILES.stdout);
    const stderrPath = join(spec.workDir, NODE_FILES.stderr);
    const [command, args] = launchCommand(spec);
    const launchId = randomUUID();

    const started = performance.now();
    const child = execa(command, args, {
      cwd: spec.workDir,
      env: { ...this.environment(spec), [PARENT_PID_VAR]: String(process.pid), [LAUNCH_ID_VAR]: launchId },
      extendEnv: true,
      detached: true,
      reject: false,
      buffer: false,
      stdin: 'ignore',
    });

    // Written while the process runs; a failure to write it must not fail the run (it only aids cleanup).
    const pidFileWritten =
      child.pid === undefined
        ? Promise.resolve()
        : writeNodePidFile(spec.workDir, {
            pid: child.pid,
            pgid: child.pid,
            harnessPid: process.pid,
            startedAt: new Date().toISOString(),
            command: [command, ...args],
            scriptPath: spec.scriptPath,
            launchId,
          }).catch(() => undefined);

    const stdoutFile = createWriteStream(stdoutPath);
    const stderrFile = createWriteStream(stderrPath);
    const stderrTail: string[] = [];
    pipeLines(child.stdout, stdoutFile, (line) => spec.onLine?.('stdout', line));
    pipeLines(child.stderr, stderrFile, (line) => {
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      spec.onLine?.('stderr', line);
    });

    let timedOut = false;
    let aborted = false;
    const stopTree = () => killProcessGroup(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      stopTree();
    }, spec.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stopTree();
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();

    const result = await child;
    const wallMs = performance.now() - started;
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
    // Children that outlived the main process (e.g. a daemonised grandchild) go too.
    killProcessGroup(child.pid, 'SIGKILL');
    await pidFileWritten;
    await removeNodePidFile(spec.workDir).catch(() => undefined);
    await Promise.all([closeStream(stdoutFile), closeStream(stderrFile)]);

    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      timedOut,
      aborted,
      wallMs,
      stdoutPath,
      stderrPath,
      stderrTail: stderrTail.join('\n'),
    };
  }
}
