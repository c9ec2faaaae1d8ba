/**
 * What the doctor is asked about (the configuration a run would use) and what it may touch (injected, so tests
 * fake the system tools). Probes several checks share — the Python, the Docker engine, the GPUs — run once.
 */
import type { SpeedrunConfig } from '../agent/llm/config-file.js';
import type { TrackName } from '../catalog/schema.js';
import { trainsOnGpus } from '../catalog/track-kind.js';
import { findPythonWithTorch, type PythonWithTorch } from '../exec/python.js';
import type { CommandRunner } from '../exec/command-runner.js';
import { detectGpus, type GpuInfo } from '../exec/gpus.js';
import type { CacheLayout } from '../paths.js';
import { EXECUTOR_NAMES, type ExecutorName } from '../exec/types.js';
import { withTimeout, type Verdict } from './check.js';

export { EXECUTOR_NAMES as EXECUTORS, type ExecutorName };

export interface DoctorConfig {
  executor: ExecutorName;
  track: TrackName;
  agent: string;
  /** --model, --base-url: the LLM agent's model and endpoint. */
  model?: string;
  baseUrl?: string;
  /** --python, else $SPEEDRUN_PYTHON (resolved by the CLI). */
  python?: string;
  /** --gpus as written. */
  gpus?: string;
  /** --cleanup: remove containers that runs left behind. */
  cleanup: boolean;
}

/** The part of the Docker engine API the doctor uses; dockerode's client has it. */
export interface DockerApi {
  ping(): Promise<unknown>;
  version(): Promise<{ Version?: string; ApiVersion?: string }>;
  info(): Promise<{ Runtimes?: Record<string, unknown> | null }>;
  getImage(name: string): { inspect(): Promise<unknown> };
}

export interface DoctorDeps {
  /** The environment a run would see (PATH for Slurm's tools, API keys, NANOGPT_* data paths). */
  env: Record<string, string | undefined>;
  cache: CacheLayout;
  run: CommandRunner;
  nodeVersion: string;
  /** Another nvidia-smi (SPEEDRUN_NVIDIA_SMI). */
  nvidiaSmi?: string;
  /** Made on first use, so no socket is opened unless a Docker check runs. */
  docker: () => DockerApi;
  /** speedrun.config.yaml as `run` would find it; throws a UserError for a broken file. */
  loadModelConfig: () => Promise<SpeedrunConfig | null>;
  /** --cleanup's work: removes orphan containers and names them. Absent where this build cannot do it. */
  removeOrphanContainers?: () => Promise<string[]>;
  findPython?: (named?: string) => Promise<PythonWithTorch>;
}

export interface DoctorContext {
  config: DoctorConfig;
  deps: DoctorDeps;
  /** True when the configuration trains on GPUs: the nanogpt track, or --gpus. */
  gpusWanted: boolean;
  python(): Promise<PythonWithTorch>;
  /** The engine's version once it answered a ping; rejects when it is unreachable. */
  dockerVersion(): Promise<string>;
  gpus(): Promise<GpuInfo[]>;
}

const DOCKER_TIMEOUT_MS = 10_000;

export function makeDoctorContext(config: DoctorConfig, deps: DoctorDeps): DoctorContext {
  const python = once(() => (deps.findPython ?? findPythonWithTorch)(config.python));
  const dockerVersion = once(async () => {
    const docker = deps.docker();
    await withTimeout(docker.ping(), DOCKER_TIMEOUT_MS, 'the Docker engine');
    const version = await withTimeout(docker.version(), DOCKER_TIMEOUT_MS, 'the Docker engine');
    return `${version.Version ?? 'unknown version'}${version.ApiVersion ? ` (API ${version.ApiVersion})` : ''}`;
  });
  const gpus = once(() => detectGpus(deps.run, { nvidiaSmi: deps.nvidiaSmi }));
  return { config, deps, gpusWanted: trainsOnGpus(config.track) || config.gpus !== undefined, python, dockerVersion, gpus };
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}

/** One check: whether it matters for the configuration, and how to run it. */
export interface DoctorCheck {
  id: string;
  title: string;
  /** null when the check matters for this configuration; otherwise why not (it is shown as skipped). */
  irrelevant(ctx: DoctorContext): string | null;
  run(ctx: DoctorContext): Promise<Verdict>;
}
