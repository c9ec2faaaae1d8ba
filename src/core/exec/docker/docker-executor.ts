import { mkdir } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { ExecPlan, ExecResult, ExecSpec, Executor } from '../types.js';
import { removeContainer, removeOrphanContainers } from './cleanup.js';
import { containerCreateOptions, type ContainerLimits } from './container-config.js';
import { containerUser, grantAccess } from './container-user.js';
import { toDockerError } from './docker-errors.js';
import { currentHarness, processStartToken, UNKNOWN_START, type HarnessIdentity } from '../process-identity.js';
import { planMounts } from './mounts.js';
import { NodeLogs } from './node-logs.js';

export interface DockerExecutorOptions extends ContainerLimits {
  /** Image tag, e.g. speedrun/cpu:1 (see images.ts). */
  image: string;
  /** The pid written into the containers' owner labels; default this process. Tests use it to fake a dead harness. */
  harnessPid?: number;
  /** Host folder for torch.compile and Triton caches; each image and run gets a subfolder. Default: <tmp>/speedrun-compile-cache. */
  compileCacheDir?: string;
}

export interface DockerExecResult extends ExecResult {
  /** Container create + attach + start, in ms: the executor's overhead before the script's first instruction. */
  startMs: number | null;
}

/** After the container exits, how long its output stream may take to drain. */
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * Runs each node in a fresh container: no network, the node folder the only writable host folder, the track data
 * read-only, a non-root user, memory and process limits, and only the environment the track defines. Output is
 * streamed live into stdout.log/stderr.log in the node folder, as the local executor does. The container is always
 * removed at the end; one left behind by a harness that died is removed by the next harness's start-up cleanup.
 */
export class DockerExecutor implements Executor {
  readonly name = 'docker';
  /** Lines come from the attached container stream as the script prints them (PYTHONUNBUFFERED inside). */
  readonly liveLines = true;
  private readonly harness: HarnessIdentity;
  private startupCleanup: Promise<void> | undefined;
  private user: Promise<string> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly options: DockerExecutorOptions,
  ) {
    const self = currentHarness();
    const pid = options.harnessPid;
    this.harness = pid === undefined || pid === self.pid ? self : { host: self.host, pid, start: processStartToken(pid) ?? UNKNOWN_START };
  }

  async describe(spec: ExecSpec): Promise<ExecPlan> {
    const user = await this.containerUser().catch((error: unknown) => {
      throw toDockerError(error);
    });
    const mounts = planMounts(spec, this.cacheDirPath(spec.runId));
    const create = containerCreateOptions({ spec, image: this.options.image, user, harness: this.harness, mounts, limits: this.options });
    const host = create.HostConfig ?? {};
    const gpus = spec.gpus.length > 0 ? `GPUs ${spec.gpus.join(',')}` : 'no GPUs';
    return {
      command: create.Cmd as string[],
      env: Object.fromEntries((create.Env ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)])),
      mounts: mounts.mounts.map((m) => ({ host: m.host, target: m.container, readOnly: m.readOnly })),
      details: [
        `image ${this.options.image}, user ${user}, working folder ${create.WorkingDir}`,
        `network none, capabilities dropped, no-new-privileges, ${gpus}`,
        `memory ${gib(host.Memory)}, shared memory ${gib(host.ShmSize)}, at most ${host.PidsLimit} processes`,
      ],
    };
  }

  async run(spec: ExecSpec): Promise<DockerExecResult> {
    await mkdir(spec.workDir, { recursive: true });
    const logs = new NodeLogs(spec.workDir, spec.onLine);
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
    const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
    const onAbort = () => stop('abort');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();

    let startMs: number | null = null;
    let wallMs = 0;
    let state: { ExitCode: number; OOMKilled: boolean } | undefined;
    try {
      await this.cleanUpOnce();
      const user = await this.containerUser();
      const cacheDir = await this.cacheDir(spec.runId, user);
      await grantAccess(spec.workDir, user);
      const mounts = planMounts(spec, cacheDir);
      const create = containerCreateOptions({ spec, image: this.options.image, user, harness: this.harness, mounts, limits: this.options });

      if (stopReason === undefined) {
        const t0 = performance.now();
        container = await this.docker.createContainer(create);
        const stream = await container.attach({ stream: true, stdout: true, stderr: true });
        const drained = logs.follow(stream, (source, out, err) => this.docker.modem.demuxStream(source, out, err));
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
      throw toDockerError(error, this.options.image);
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      if (container) await removeContainer(this.docker, container.id).catch(() => undefined);
      if (state?.OOMKilled) logs.note(`speedrun: the container exceeded its memory limit and was killed (OOM)`);
      await logs.close();
    }

    const { exitCode, signal } = exitStatus(state?.ExitCode);
    return {
      exitCode,
      signal,
      timedOut: stopReason === 'timeout',
      aborted: stopReason === 'abort',
      wallMs,
      startMs,
      stdoutPath: logs.stdoutPath,
      stderrPath: logs.stderrPath,
      stderrTail: logs.stderrTail(),
      oomKilled: state?.OOMKilled ?? false,
    };
  }

  /** Start-up cleanup: once per executor, before its first container, remove what dead harnesses left behind. */
  private cleanUpOnce(): Promise<void> {
    this.startupCleanup ??= removeOrphanContainers(this.docker).then(
      () => undefined,
      // An unreachable engine is reported by the create call that follows, with the right fix.
      () => undefined,
    );
    return this.startupCleanup;
  }

  /** The image's non-root user (container-user.ts), looked up once. */
  private containerUser(): Promise<string> {
    this.user ??= containerUser(this.docker, this.options.image);
    return this.user;
  }

  /** One cache folder per image and run: compiled kernels are reused across a run's nodes, never across runs. */
  private cacheDirPath(runId: string): string {
    const root = this.options.compileCacheDir ?? join(tmpdir(), 'speedrun-compile-cache');
    return join(root, slug(this.options.image), slug(runId));
  }

  private async cacheDir(runId: string, user: string): Promise<string> {
    const dir = this.cacheDirPath(runId);
    await mkdir(dir, { recursive: true });
    await grantAccess(dir, user);
    return dir;
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

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function gib(bytes: number | undefined): string {
  return bytes === undefined ? 'unlimited' : `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
