import { constants } from 'node:os';

/**
 * What a Slurm job state means to the executor:
 *   waiting   PENDING, CONFIGURING, REQUEUED, SUSPENDED, …: keep polling, the job has not (re)started
 *   running   RUNNING, COMPLETING, …: keep polling and tailing the logs
 *   completed COMPLETED: the script exited (with ExitCode's number, 0 in practice)
 *   failed    FAILED, OUT_OF_MEMORY: the script exited non-zero or was killed; ExitCode=N:S says how
 *   timeout   TIMEOUT: Slurm's own time limit ended it
 *   lost      NODE_FAIL, PREEMPTED, BOOT_FAIL: not the script's fault; resubmit (a bounded number of times)
 *   cancelled CANCELLED: scancel, by the harness or by someone else
 *   ended     any other final state (DEADLINE, REVOKED, SPECIAL_EXIT, …): report as a crash
 */
export type JobPhase = 'waiting' | 'running' | 'completed' | 'failed' | 'timeout' | 'lost' | 'cancelled' | 'ended';

const PHASES: Record<string, JobPhase> = {
  PENDING: 'waiting',
  CONFIGURING: 'waiting',
  REQUEUED: 'waiting',
  REQUEUE_FED: 'waiting',
  REQUEUE_HOLD: 'waiting',
  RESV_DEL_HOLD: 'waiting',
  SUSPENDED: 'waiting',
  RESIZING: 'waiting',
  RUNNING: 'running',
  COMPLETING: 'running',
  SIGNALING: 'running',
  STAGE_OUT: 'running',
  STOPPED: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  OUT_OF_MEMORY: 'failed',
  TIMEOUT: 'timeout',
  NODE_FAIL: 'lost',
  PREEMPTED: 'lost',
  BOOT_FAIL: 'lost',
  CANCELLED: 'cancelled',
};

/** A state name from squeue, scontrol or sacct ("CANCELLED by 0", "RUNNING+" included). */
export function jobPhase(state: string): JobPhase {
  const name = state.trim().split(/[\s+]/)[0]?.toUpperCase() ?? '';
  return PHASES[name] ?? (name === '' ? 'waiting' : 'ended');
}

export function isFinal(phase: JobPhase): boolean {
  return phase !== 'waiting' && phase !== 'running';
}

/** What the executor needs from `scontrol show job` (or sacct) about a job. */
export interface JobInfo {
  state: string;
  /** The script's exit status, from ExitCode=N:S. */
  exitCode: number | null;
  /** The signal that ended it, from the S of ExitCode=N:S; null when none. */
  signal: string | null;
  reason: string | null;
  /** Epoch ms, second resolution; null while unknown. */
  startTime: number | null;
  endTime: number | null;
}

/**
 * Parses `scontrol show job ID` (multi-line or -o). Only fixed keys are read, by name: values such as
 * Command= or WorkDir= may hold blanks, so the text is not split into pairs.
 */
export function parseScontrolJob(text: string): JobInfo | null {
  const state = field(text, 'JobState');
  if (!state) return null;
  const exit = /\bExitCode=(\d+):(\d+)/.exec(text);
  const [code, sig] = exit ? [Number(exit[1]), Number(exit[2])] : [null, 0];
  const reason = field(text, 'Reason');
  return {
    state,
    exitCode: sig ? null : code,
    signal: sig ? signalName(sig) : null,
    reason: reason && reason !== 'None' ? reason : null,
    startTime: slurmTime(field(text, 'StartTime')),
    endTime: slurmTime(field(text, 'EndTime')),
  };
}

/** Parses `sacct -j ID -X -n -P -o State,ExitCode,Start,End`: one line, fields separated by '|'. */
export function parseSacctJob(text: string): JobInfo | null {
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (!line) return null;
  const [state, exit, start, end] = line.split('|');
  if (!state) return null;
  const m = /^(\d+):(\d+)$/.exec(exit?.trim() ?? '');
  const sig = m ? Number(m[2]) : 0;
  return {
    state: state.trim(),
    exitCode: m && !sig ? Number(m[1]) : null,
    signal: sig ? signalName(sig) : null,
    reason: null,
    startTime: slurmTime(start?.trim()),
    endTime: slurmTime(end?.trim()),
  };
}

/** squeue's error for a job id it does not know: the job has left the controller's memory. */
export function isUnknownJobError(stderr: string): boolean {
  return /Invalid job id/i.test(stderr);
}

/** `sbatch --parsable` prints "ID" or "ID;cluster". */
export function parseJobId(stdout: string): string | null {
  const id = stdout.trim().split(';')[0]?.trim() ?? '';
  return /^\d+$/.test(id) ? id : null;
}

function field(text: string, key: string): string | undefined {
  return new RegExp(`(?:^|\\s)${key}=(\\S+)`).exec(text)?.[1];
}

function signalName(number: number): string {
  const entry = Object.entries(constants.signals).find(([, n]) => n === number);
  return entry ? entry[0] : `signal ${number}`;
}

/** Slurm prints local times without a zone, e.g. 2026-01-02T03:04:05; "Unknown" and "None" mean not yet. */
function slurmTime(text: string | undefined): number | null {
  if (!text || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) return null;
  const ms = new Date(text).getTime();
  return Number.isNaN(ms) ? null : ms;
}
