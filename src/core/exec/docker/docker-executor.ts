import { mkdir } from 'node:fs/promises';
import { makeWorkDirLinks } from '../work-dir-links.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { ExecPlan, ExecResult, ExecSpec, Executor } from '../types.js';
import { containerCreateOptions, type ContainerLimits } from './container-config.js';
import { containerUser, grantAccess } from './container-user.js';
import { toDockerError } from './docker-errors.js';
import { harnessIdentity, type HarnessIdentity } from '../process-identity.js';
import { planMounts } from './mounts.js';
import { NodeLogs } from './node-logs.js';
import { OrphanCleanup, runContainer } from './run-container.js';

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
  private readonly cleanup: OrphanCleanup;
  private user: Promise<string> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly options: DockerExecutorOptions,
  ) {
    this.harness = harnessIdentity(options.harnessPid);
    this.cleanup = new OrphanCleanup(docker);
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
    const ran = await runContainer(this.docker, logs, {
      timeoutMs: spec.timeoutMs,
      signal: spec.signal,
      prepare: async () => {
        await this.cleanup.once();
        const user = await this.containerUser();
        const cacheDir = await this.cacheDir(spec.runId, user);
        await grantAccess(spec.workDir, user);
        const mounts = planMounts(spec, cacheDir);
        await makeWorkDirLinks(spec.workDir, spec.links, mounts.toContainerPath);
        return containerCreateOptions({ spec, image: this.options.image, user, harness: this.harness, mounts, limits: this.options });
      },
      toError: (error) => toDockerError(error, this.options.image),
      oomNote: 'speedrun: the container exceeded its memory limit and was killed (OOM)',
    });
    return { ...ran, stdoutPath: logs.stdoutPath, stderrPath: logs.stderrPath, stderrTail: logs.stderrTail() };
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

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function gib(bytes: number | undefined): string {
  return bytes === undefined ? 'unlimited' : `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
