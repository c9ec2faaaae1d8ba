import { totalmem } from 'node:os';
import type { ContainerCreateOptions } from 'dockerode';
import type { ExecSpec } from '../types.js';
import type { HarnessIdentity } from '../process-identity.js';
import { containerLabels } from './labels.js';
import { CONTAINER_PATHS, type MountPlan } from './mounts.js';

/** Limits for one node's container; every field has a default that keeps a runaway script from taking the host down. */
export interface ContainerLimits {
  /** Hard memory limit (no swap on top). Default: 90% of this machine's memory. */
  memoryBytes?: number;
  /** Most processes and threads at once (fork bombs). Default 4096: torch.compile's worker pool and dataloaders fit. */
  pidsLimit?: number;
  /** Size of /dev/shm; NCCL and dataloader workers pass tensors through it. Docker's default of 64 MiB is far too small. */
  shmSizeBytes?: number;
}

const DEFAULT_PIDS_LIMIT = 4096;
const DEFAULT_SHM_BYTES = 8 * 1024 ** 3;
const MEMLOCK_UNLIMITED = -1;
/** 64 MiB stack, as NVIDIA's PyTorch containers recommend. */
const STACK_BYTES = 67_108_864;

export interface ContainerInputs {
  spec: ExecSpec;
  image: string;
  /** "uid:gid" the script runs as: never root. */
  user: string;
  harness: HarnessIdentity;
  mounts: MountPlan;
  limits: ContainerLimits;
}

/** The python command inside the image; the host's interpreter path (spec.python) means nothing there. */
export function containerCommand(spec: ExecSpec, scriptPath: string): string[] {
  if (spec.runner === 'torchrun') {
    return ['python3', '-m', 'torch.distributed.run', '--standalone', `--nproc_per_node=${spec.nproc}`, scriptPath];
  }
  return ['python3', scriptPath];
}

/**
 * The environment inside the container: only what is set here, on top of the image's own (PATH etc.). Nothing is
 * inherited from the harness's environment, so API keys and tokens in it cannot reach agent code.
 */
export function containerEnv(spec: ExecSpec, mounts: MountPlan, hasCache: boolean): string[] {
  const env: Record<string, string> = {
    PYTHONUNBUFFERED: '1',
    // The container may run under a uid without a passwd entry (the host user's): give Python a writable home and a
    // user name, which getpass.getuser() (used by torch's default cache paths) would otherwise fail to find.
    HOME: '/tmp',
    USER: 'speedrun',
    LOGNAME: 'speedrun',
  };
  if (hasCache) {
    env.TORCHINDUCTOR_CACHE_DIR = `${CONTAINER_PATHS.cache}/inductor`;
    env.TRITON_CACHE_DIR = `${CONTAINER_PATHS.cache}/triton`;
  }
  for (const [key, value] of Object.entries(spec.env)) env[key] = mounts.toContainerPath(value);
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

export function containerCreateOptions(inputs: ContainerInputs): ContainerCreateOptions {
  const { spec, mounts, limits } = inputs;
  const hasCache = mounts.mounts.some((m) => m.container === CONTAINER_PATHS.cache);
  return confinedContainer(
    {
      Image: inputs.image,
      Cmd: containerCommand(spec, mounts.scriptPath),
      Env: containerEnv(spec, mounts, hasCache),
      User: inputs.user,
      WorkingDir: CONTAINER_PATHS.node,
      Labels: containerLabels(spec.runId, spec.node, inputs.harness),
    },
    mounts.mounts.map((m) => ({ host: m.host, container: m.container, readOnly: m.readOnly })),
    limits,
    {
      ShmSize: limits.shmSizeBytes ?? DEFAULT_SHM_BYTES,
      Ulimits: ulimits(spec.gpus.length > 0),
      DeviceRequests: spec.gpus.length > 0 ? [{ Driver: 'nvidia', DeviceIDs: spec.gpus.map(String), Capabilities: [['gpu']] }] : [],
    },
  );
}

/**
 * What every container the harness starts shares, trainings and exec agents alike: attached output and no stdin,
 * no network, no capabilities and no new privileges, an init, memory (no swap) and process limits, and removal by
 * the harness rather than by the engine. `host` adds to the host configuration (never to weaken these).
 */
export function confinedContainer(
  what: Pick<ContainerCreateOptions, 'Image' | 'Cmd' | 'Env' | 'User' | 'WorkingDir' | 'Labels'>,
  mounts: ReadonlyArray<{ host: string; container: string; readOnly: boolean }>,
  limits: ContainerLimits,
  host: NonNullable<ContainerCreateOptions['HostConfig']> = {},
): ContainerCreateOptions {
  const memory = memoryLimit(limits);
  return {
    ...what,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    NetworkDisabled: true,
    HostConfig: {
      ...host,
      // Removed explicitly after its exit status and OOM flag have been read.
      AutoRemove: false,
      NetworkMode: 'none',
      Mounts: mounts.map((m) => ({ Type: 'bind' as const, Source: m.host, Target: m.container, ReadOnly: m.readOnly })),
      // A tiny init as PID 1: forwards signals and reaps exited children (torchrun's, dataloaders', a CLI's tools).
      Init: true,
      Memory: memory,
      MemorySwap: memory,
      PidsLimit: limits.pidsLimit ?? DEFAULT_PIDS_LIMIT,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
    },
  };
}

/** The hard memory limit of a container: the one asked for, else 90% of this machine's memory. */
function memoryLimit(limits: ContainerLimits): number {
  return limits.memoryBytes ?? Math.floor(totalmem() * 0.9);
}

/**
 * NCCL pins host memory for GPU transfers and wants an unlimited memlock; CPU runs pin nothing. Raising memlock needs
 * privileges the engine lacks in some places (a rootless or nested dockerd fails the start with "error setting
 * rlimit type 8"), so it is asked for only where it matters: with GPUs.
 */
function ulimits(withGpus: boolean): { Name: string; Soft: number; Hard: number }[] {
  const stack = { Name: 'stack', Soft: STACK_BYTES, Hard: STACK_BYTES };
  return withGpus ? [{ Name: 'memlock', Soft: MEMLOCK_UNLIMITED, Hard: MEMLOCK_UNLIMITED }, stack] : [stack];
}
