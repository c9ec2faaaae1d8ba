/**
 * `--agent exec --executor docker`: the agent's command runs in a container of its own, like a training. No
 * network at all, the node's workspace the only writable mount (HOME is inside it; the image is read-only, /tmp a
 * tmpfs), a non-root user, no capabilities, memory and process limits, and the harness's owner labels, so a
 * container left by a harness that died is removed by the next one's start-up cleanup. The model is reached through
 * the proxy's Unix socket, mounted into the container and relayed to 127.0.0.1 by python/agent_proxy_forward.py.
 */
import { basename, dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { packageRoot } from '../../paths.js';
import { removeContainer, removeOrphanContainers } from '../../exec/docker/cleanup.js';
import { DEFAULT_PIDS_LIMIT, memoryLimit, type ContainerLimits } from '../../exec/docker/container-config.js';
import { containerUser, grantAccess } from '../../exec/docker/container-user.js';
import { exitStatus, withTimeout } from '../../exec/docker/docker-executor.js';
import { toDockerError } from '../../exec/docker/docker-errors.js';
import { containerLabels, LABEL } from '../../exec/docker/labels.js';
import { NodeLogs } from '../../exec/docker/node-logs.js';
import { currentHarness, processStartToken, UNKNOWN_START, type HarnessIdentity } from '../../exec/process-identity.js';
import type { AgentCommandResult } from './agent-command.js';
import type { AgentPlaces, AgentSandbox, ProxyEndpoint, SandboxedCommand } from './sandbox.js';
import { WORKSPACE_FILES } from './workspace.js';

/** The forwarder shipped with the package, mounted read-only into each agent container. */
export const PROXY_FORWARDER = join(packageRoot, 'python', 'agent_proxy_forward.py');

/** Where things are inside an agent container. */
export const AGENT_CONTAINER = {
  workspace: '/workspace',
  forwarder: '/speedrun/forward.py',
  socket: '/run/speedrun/proxy.sock',
  /** The forwarder's port on the container's own loopback (the only interface it has). */
  port: 8377,
  path: '/usr/local/bin:/usr/bin:/bin',
} as const;

/** The container's label LABEL.role, so tests and people can tell agent containers from trainings. */
export const AGENT_ROLE = 'exec-agent';

const DRAIN_TIMEOUT_MS = 5_000;
/** /tmp is a tmpfs (the image is read-only): room for a CLI's temporary files, counted against the memory limit. */
const TMP_BYTES = 2 * 1024 ** 3;

export interface DockerAgentSandboxOptions extends ContainerLimits {
  image: string;
  /** The pid written into the containers' owner labels; default this process. Tests use it to fake a dead harness. */
  harnessPid?: number;
}

export class DockerAgentSandbox implements AgentSandbox {
  readonly description: string;
  private startupCleanup: Promise<void> | undefined;
  private user: Promise<string> | undefined;
  private readonly harness: HarnessIdentity;

  constructor(
    private readonly docker: Docker,
    private readonly options: DockerAgentSandboxOptions,
  ) {
    this.description = `docker (${options.image}, no network)`;
    const self = currentHarness();
    const pid = options.harnessPid;
    this.harness = pid === undefined || pid === self.pid ? self : { host: self.host, pid, start: processStartToken(pid) ?? UNKNOWN_START };
  }

  places(_workspace: string, model: ProxyEndpoint | null): AgentPlaces {
    const ws = AGENT_CONTAINER.workspace;
    const baseUrl = model ? `http://127.0.0.1:${AGENT_CONTAINER.port}/v1` : null;
    return { workspace: ws, home: `${ws}/${WORKSPACE_FILES.home}`, path: AGENT_CONTAINER.path, baseUrl };
  }

  async run(cmd: SandboxedCommand): Promise<AgentCommandResult> {
    // A harness bug, not Docker's: the proxy must listen on a socket for a container to reach it.
    if (cmd.model && !cmd.model.socketPath) throw new Error('the model proxy has no Unix socket: a containerised agent cannot reach it');
    const logs = new NodeLogs(dirname(cmd.stdoutPath), undefined, { stdout: basename(cmd.stdoutPath), stderr: basename(cmd.stderrPath) });
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
    const timer = setTimeout(() => stop('timeout'), cmd.timeoutMs);
    const onAbort = () => stop('abort');
    cmd.signal?.addEventListener('abort', onAbort, { once: true });
    if (cmd.signal?.aborted) onAbort();

    let state: { ExitCode: number; OOMKilled: boolean } | undefined;
    try {
      await this.cleanUpOnce();
      this.user ??= containerUser(this.docker, this.options.image);
      const user = await this.user;
      // Written by the harness a moment ago: the container's user must own the workspace to edit in it.
      await grantAccess(cmd.workspace, user, { recursive: true });
      if (stopReason === undefined) {
        container = await this.docker.createContainer(this.createOptions(cmd, user));
        const stream = await container.attach({ stream: true, stdout: true, stderr: true });
        const drained = logs.follow(stream, (source, out, err) => this.docker.modem.demuxStream(source, out, err));
        if (stopReason === undefined) {
          await container.start();
          running = true;
          if (stopReason !== undefined) kill();
          const waited = (await container.wait()) as { StatusCode?: number };
          state = { ExitCode: waited.StatusCode ?? -1, OOMKilled: false };
        }
        if (running) await withTimeout(drained, DRAIN_TIMEOUT_MS);
        stream.removeAllListeners();
        (stream as { destroy?: () => void }).destroy?.();
        const info = running ? await container.inspect().catch(() => undefined) : undefined;
        if (info) state = { ExitCode: info.State.ExitCode, OOMKilled: info.State.OOMKilled };
      }
    } catch (error) {
      // No image hint: the agent image is not built by `speedrun containers build` (prepareExecAgent checks it first).
      throw toDockerError(error);
    } finally {
      clearTimeout(timer);
      cmd.signal?.removeEventListener('abort', onAbort);
      if (container) await removeContainer(this.docker, container.id).catch(() => undefined);
      if (state?.OOMKilled) logs.note('speedrun: the agent container exceeded its memory limit and was killed (OOM)');
      await logs.close();
    }
    const { exitCode, signal } = exitStatus(state?.ExitCode);
    return { exitCode, signal, timedOut: stopReason === 'timeout', aborted: stopReason === 'abort', stderrTail: logs.stderrTail() };
  }

  private createOptions(cmd: SandboxedCommand, user: string): Docker.ContainerCreateOptions {
    const socket = cmd.model?.socketPath ?? null;
    const mounts: { Type: 'bind'; Source: string; Target: string; ReadOnly: boolean }[] = [
      { Type: 'bind', Source: cmd.workspace, Target: AGENT_CONTAINER.workspace, ReadOnly: false },
    ];
    if (socket) {
      mounts.push(
        { Type: 'bind', Source: PROXY_FORWARDER, Target: AGENT_CONTAINER.forwarder, ReadOnly: true },
        { Type: 'bind', Source: socket, Target: AGENT_CONTAINER.socket, ReadOnly: true },
      );
    }
    const memory = memoryLimit(this.options);
    return {
      Image: this.options.image,
      Cmd: ['sh', '-c', entrypoint(socket !== null), 'speedrun-agent', cmd.command],
      // Exactly the environment the exec agent built (on top of the image's own ENV): nothing of the harness's.
      Env: Object.entries(cmd.env).map(([key, value]) => `${key}=${value}`),
      User: user,
      WorkingDir: AGENT_CONTAINER.workspace,
      Labels: { ...containerLabels(cmd.runId, cmd.node, this.harness), [LABEL.role]: AGENT_ROLE },
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      NetworkDisabled: true,
      HostConfig: {
        AutoRemove: false,
        NetworkMode: 'none',
        Mounts: mounts,
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${TMP_BYTES}` },
        Init: true,
        Memory: memory,
        MemorySwap: memory,
        PidsLimit: this.options.pidsLimit ?? DEFAULT_PIDS_LIMIT,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
      },
    };
  }

  /** Start-up cleanup, once: containers (agents' or trainings') that dead harnesses left behind. */
  private cleanUpOnce(): Promise<void> {
    this.startupCleanup ??= removeOrphanContainers(this.docker).then(
      () => undefined,
      () => undefined,
    );
    return this.startupCleanup;
  }
}

/**
 * The container's shell script; the agent's command is its $1, so it is never re-quoted. With a model, the forwarder
 * starts first and returns once it listens; without python3 in the image the container ends saying why.
 */
function entrypoint(withModel: boolean): string {
  if (!withModel) return 'exec sh -c "$1"';
  const { forwarder, port, socket } = AGENT_CONTAINER;
  return (
    `command -v python3 >/dev/null || { echo "speedrun: the agent image has no python3 to run the model-proxy forwarder" >&2; exit 127; }; ` +
    `python3 ${forwarder} ${port} ${socket} || { echo "speedrun: the model-proxy forwarder did not start" >&2; exit 126; }; ` +
    'exec sh -c "$1"'
  );
}
