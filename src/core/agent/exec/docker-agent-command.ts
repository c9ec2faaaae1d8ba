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
import { confinedContainer, type ContainerLimits } from '../../exec/docker/container-config.js';
import { containerUser, grantAccess } from '../../exec/docker/container-user.js';
import { toDockerError } from '../../exec/docker/docker-errors.js';
import { containerLabels, LABEL } from '../../exec/docker/labels.js';
import { NodeLogs } from '../../exec/docker/node-logs.js';
import { OrphanCleanup, runContainer } from '../../exec/docker/run-container.js';
import { harnessIdentity, type HarnessIdentity } from '../../exec/process-identity.js';
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

/** /tmp is a tmpfs (the image is read-only): room for a CLI's temporary files, counted against the memory limit. */
const TMP_BYTES = 2 * 1024 ** 3;

export interface DockerAgentSandboxOptions extends ContainerLimits {
  image: string;
  /** Folders of this machine the agent reads, mounted read-only (a coding CLI's install: presets/cli-mount.ts). */
  readOnly?: ReadonlyArray<{ host: string; container: string }>;
  /** The pid written into the containers' owner labels; default this process. Tests use it to fake a dead harness. */
  harnessPid?: number;
}

export class DockerAgentSandbox implements AgentSandbox {
  readonly description: string;
  private readonly cleanup: OrphanCleanup;
  private user: Promise<string> | undefined;
  private readonly harness: HarnessIdentity;

  constructor(
    private readonly docker: Docker,
    private readonly options: DockerAgentSandboxOptions,
  ) {
    this.description = `docker (${options.image}, no network)`;
    this.harness = harnessIdentity(options.harnessPid);
    this.cleanup = new OrphanCleanup(docker);
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
    const ran = await runContainer(this.docker, logs, {
      timeoutMs: cmd.timeoutMs,
      signal: cmd.signal,
      prepare: async () => {
        await this.cleanup.once();
        this.user ??= containerUser(this.docker, this.options.image);
        const user = await this.user;
        // Written by the harness a moment ago: the container's user must own the workspace to edit in it.
        await grantAccess(cmd.workspace, user, { recursive: true });
        return this.createOptions(cmd, user);
      },
      // No image hint: the agent image is not built by `speedrun containers build` (prepareExecAgent checks it first).
      toError: (error) => toDockerError(error),
      oomNote: 'speedrun: the agent container exceeded its memory limit and was killed (OOM)',
    });
    return { exitCode: ran.exitCode, signal: ran.signal, timedOut: ran.timedOut, aborted: ran.aborted, stderrTail: logs.stderrTail() };
  }

  private createOptions(cmd: SandboxedCommand, user: string): Docker.ContainerCreateOptions {
    const socket = cmd.model?.socketPath ?? null;
    const mounts: Array<{ host: string; container: string; readOnly: boolean }> = [
      { host: cmd.workspace, container: AGENT_CONTAINER.workspace, readOnly: false },
      ...(this.options.readOnly ?? []).map((mount) => ({ ...mount, readOnly: true })),
    ];
    if (socket) {
      mounts.push(
        { host: PROXY_FORWARDER, container: AGENT_CONTAINER.forwarder, readOnly: true },
        { host: socket, container: AGENT_CONTAINER.socket, readOnly: true },
      );
    }
    return confinedContainer(
      {
        Image: this.options.image,
        Cmd: ['sh', '-c', entrypoint(socket !== null), 'speedrun-agent', cmd.command],
        // Exactly the environment the exec agent built (on top of the image's own ENV): nothing of the harness's.
        Env: Object.entries(cmd.env).map(([key, value]) => `${key}=${value}`),
        User: user,
        WorkingDir: AGENT_CONTAINER.workspace,
        Labels: { ...containerLabels(cmd.runId, cmd.node, this.harness), [LABEL.role]: AGENT_ROLE },
      },
      mounts,
      this.options,
      { ReadonlyRootfs: true, Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${TMP_BYTES}` } },
    );
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
