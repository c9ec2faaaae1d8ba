import { constants as osConstants } from 'node:os';
import type Docker from 'dockerode';
import { removeContainer, removeOrphanContainers } from './cleanup.js';
import type { NodeLogs } from './node-logs.js';

/** After the container exits, how long its output stream may take to drain. */
const DRAIN_TIMEOUT_MS = 5_000;

export interface ContainerRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** What the container is made from; runs under the timeout and abort, so a slow look-up can be stopped too. */
  prepare: () => Promise<Docker.ContainerCreateOptions>;
  /** Turns an engine failure into the error the caller reports. */
  toError: (error: unknown) => Error;
  /** The line written to stderr.log when the container was killed for memory. */
  oomNote: string;
}

export interface ContainerRun {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  oomKilled: boolean;
  /** Create + attach + start, in ms: the overhead before the command's first instruction; null when never started. */
  startMs: number | null;
  /** From create to exit. */
  wallMs: number;
}

/**
 * One container from creation to removal, as trainings (docker-executor.ts) and exec agents
 * (agent/exec/docker-agent-command.ts) run it: its output streamed into `logs`, killed at the timeout or on abort,
 * its exit status and OOM flag read, always removed, and the logs closed.
 */
export async function runContainer(docker: Docker, logs: NodeLogs, opts: ContainerRunOptions): Promise<ContainerRun> {
  let stopReason: 'timeout' | 'abort' | undefined;
  let container: Docker.Container | undefined;
  let running = false;
  const kill = () => {
    if (container && running) container.kill().catch(() => undefined);
  };
  const stop = (reason: 'timeout' | 'abort') => {
    stopReason ??= reason;
    kill();
  };
  const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
  const onAbort = () => stop('abort');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  let startMs: number | null = null;
  let wallMs = 0;
  let state: { ExitCode: number; OOMKilled: boolean } | undefined;
  try {
    const create = await opts.prepare();
    if (stopReason === undefined) {
      const t0 = performance.now();
      container = await docker.createContainer(create);
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const drained = logs.follow(stream, (source, out, err) => docker.modem.demuxStream(source, out, err));
      if (stopReason === undefined) {
        await container.start();
        running = true;
        startMs = performance.now() - t0;
        if (stopReason !== undefined) kill();
        const waited = (await container.wait()) as { StatusCode?: number };
        wallMs = performance.now() - t0;
        state = { ExitCode: waited.StatusCode ?? -1, OOMKilled: false };
      }
      // A container stopped before it started never ends its stream: nothing to wait for then.
      if (running) await withTimeout(drained, DRAIN_TIMEOUT_MS);
      stream.removeAllListeners();
      (stream as { destroy?: () => void }).destroy?.();
      // The OOM flag is only in the container's state. Someone else may have removed the container meanwhile
      // (the Ctrl-C cleanup of a whole run): then the exit status from wait() is all there is.
      const info = running ? await container.inspect().catch(() => undefined) : undefined;
      if (info) state = { ExitCode: info.State.ExitCode, OOMKilled: info.State.OOMKilled };
    }
  } catch (error) {
    throw opts.toError(error);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (container) await removeContainer(docker, container.id).catch(() => undefined);
    if (state?.OOMKilled) logs.note(opts.oomNote);
    await logs.close();
  }
  return {
    ...exitStatus(state?.ExitCode),
    timedOut: stopReason === 'timeout',
    aborted: stopReason === 'abort',
    oomKilled: state?.OOMKilled ?? false,
    startMs,
    wallMs,
  };
}

/** Start-up cleanup, once per runner: containers (trainings' or agents') that dead harnesses left behind. */
export class OrphanCleanup {
  private done: Promise<void> | undefined;

  constructor(private readonly docker: Docker) {}

  once(): Promise<void> {
    // An unreachable engine is reported by the create call that follows, with the right fix.
    this.done ??= removeOrphanContainers(this.docker).then(
      () => undefined,
      () => undefined,
    );
    return this.done;
  }
}

/** Docker reports a signal death as 128 + signal number (from the init process); the local executor reports the signal. */
export function exitStatus(code: number | undefined): { exitCode: number | null; signal: string | null } {
  if (code === undefined) return { exitCode: null, signal: null };
  if (code > 128 && code < 128 + 32) {
    const name = Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name !== undefined) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
