import type { WorkDirLink } from './work-dir-links.js';

/** Where nodes train: this machine, a sandboxed container, a Slurm cluster, or nowhere (sim: simulated trainings). */
export const EXECUTOR_NAMES = ['local', 'docker', 'slurm', 'sim'] as const;
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

/** What an executor needs to run one node's training script. */
export interface ExecSpec {
  /** Which run and node the process belongs to: labels for containers and jobs, and what cleanup looks for. */
  runId: string;
  node: number;
  /** The node's working folder; logs are written here. */
  workDir: string;
  /** The script to run, absolute. */
  scriptPath: string;
  runner: 'python' | 'torchrun';
  nproc: number;
  /** The Python interpreter that has torch. */
  python: string;
  /** The track's environment (data paths etc.), added to a minimal inherited environment. */
  env: Record<string, string>;
  /** Host folders the script only reads (the track's data): sandboxing executors mount them read-only. */
  readOnlyDirs: string[];
  /** Links the executor makes in workDir to paths inside readOnlyDirs (work-dir-links.ts), as the process sees them. */
  links?: WorkDirLink[];
  /** The GPU ids this node may use; empty on CPU. */
  gpus: number[];
  timeoutMs: number;
  signal?: AbortSignal;
  /** Each complete output line as it arrives. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface ExecResult {
  exitCode: number | null;
  /** The signal that ended the process, if any (e.g. SIGKILL after a timeout or an OOM kill). */
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** The harness's own wall clock for the whole process, start to exit. */
  wallMs: number;
  stdoutPath: string;
  stderrPath: string;
  /** Last lines of stderr, for error messages and the agent's debug prompt. */
  stderrTail: string;
  /** True when the kernel killed the process for exceeding its memory limit (known to sandboxing executors). */
  oomKilled?: boolean;
}

/** What an executor would start for a spec, for `speedrun run --dry-run`: nothing is created or started. */
export interface ExecPlan {
  /** The command line as the executor starts it (inside the container, or in the batch job). */
  command: string[];
  /** The environment it sets beyond what it inherits (sandboxes inherit nothing). */
  env: Record<string, string>;
  /** Host folders the process sees: where, and whether it may write. */
  mounts: Array<{ host: string; target: string; readOnly: boolean }>;
  /** Anything else that decides what runs (the image and limits, the batch script). */
  details: string[];
}

export interface Executor {
  readonly name: string;
  /** The plan for a spec, without creating or starting anything. */
  describe?(spec: ExecSpec): Promise<ExecPlan>;
  /**
   * True when onLine sees each line as the process prints it (not read back from a file later): only then do
   * the lines' arrival times measure the run, for the clock cross-check.
   */
  readonly liveLines?: boolean;
  run(spec: ExecSpec): Promise<ExecResult>;
  /**
   * Before a node that was in flight when its harness died is run again: stop whatever of it may still run
   * (a process, a Slurm job). Containers are reclaimed by the Docker executor's own start-up cleanup.
   */
  reclaim?(workDir: string): Promise<void>;
}
