import type { TrackManifest } from '../catalog/schema.js';
import type { TrackData } from '../data/track-env.js';
import type { ExecSpec } from './types.js';

/** How a track's scripts are started: the part of an ExecSpec that is the same for every node of a run. */
export type Launch = Pick<ExecSpec, 'runner' | 'nproc' | 'timeoutMs' | 'python' | 'env' | 'readOnlyDirs' | 'links'> & {
  /** Files copied beside the script before each training (a record's kernel files); not part of the executor's spec. */
  besideScript?: readonly string[];
};

/** The track's launcher and timeout (unless overridden), the interpreter with torch, and the data environment. */
export function trackLaunch(manifest: TrackManifest, python: string, data: TrackData, timeoutMs?: number): Launch {
  const { runner, nproc, timeout_s } = manifest.launch;
  return {
    runner,
    nproc,
    timeoutMs: timeoutMs ?? timeout_s * 1000,
    python,
    env: data.env,
    readOnlyDirs: data.dirs,
    ...(data.links ? { links: data.links } : {}),
    ...(data.besideScript ? { besideScript: data.besideScript } : {}),
  };
}

/** One training of one script: which run and node it belongs to, where it works, and the slot's GPUs. */
export interface NodeJob {
  runId: string;
  node: number;
  workDir: string;
  scriptPath: string;
  launch: Launch;
  /** The GPUs of the slot the node trains in (empty on CPU). */
  gpus: readonly number[];
}

/** What an executor is asked to start, less the live parts (signal, line callback). */
export type NodeJobSpec = Omit<ExecSpec, 'signal' | 'onLine'>;

/**
 * The spec an executor receives for a node. The run engine and `run --dry-run` both build it here, so the dry run
 * shows exactly what a real run starts.
 */
export function nodeJobSpec(job: NodeJob): NodeJobSpec {
  const gpus = [...job.gpus];
  const { besideScript: _files, ...launch } = job.launch;
  return {
    runId: job.runId,
    node: job.node,
    gpus,
    workDir: job.workDir,
    scriptPath: job.scriptPath,
    ...launch,
    // torchrun starts one process per GPU of the slot (processCount has checked the record allows that count).
    nproc: job.launch.runner === 'torchrun' && gpus.length > 0 ? gpus.length : job.launch.nproc,
  };
}
