import type { ExecResult } from '../types.js';
import { jobPhase, type JobInfo } from './job-state.js';

/** Why the harness itself cancelled the job, if it did. */
export type StopReason = 'timeout' | 'abort' | 'queue-timeout';

export type Outcome = Pick<ExecResult, 'exitCode' | 'signal' | 'timedOut' | 'aborted' | 'oomKilled'> & {
  /** A line for stderrTail explaining what Slurm did, when the exit status alone does not say it. */
  note: string | null;
};

/**
 * Turns a job's final state into the executor's result. `info` is null when the job left the queue and
 * neither scontrol nor sacct still knows it.
 */
export function jobOutcome(jobId: string, info: JobInfo | null, stop: StopReason | null): Outcome {
  const base = { exitCode: info?.exitCode ?? null, signal: info?.signal ?? null, timedOut: false, aborted: false };
  if (stop) {
    // Whatever the job did as it was being cancelled, the harness ended it: report that, like the local executor.
    const note = stop === 'queue-timeout' ? `slurm: job ${jobId} was still waiting in the queue at the harness's limit; cancelled` : null;
    return {
      exitCode: info?.state && jobPhase(info.state) === 'completed' ? base.exitCode : null,
      signal: info?.signal ?? 'SIGTERM',
      timedOut: stop !== 'abort',
      aborted: stop === 'abort',
      note,
    };
  }
  if (!info) {
    return { ...base, note: `slurm: job ${jobId} left the queue and its final state is unknown (no scontrol record, no accounting)` };
  }
  const why = info.reason ? ` (${info.reason})` : '';
  switch (jobPhase(info.state)) {
    case 'completed':
      return { ...base, exitCode: info.exitCode ?? 0, note: null };
    case 'failed': {
      const oom = info.state.startsWith('OUT_OF_MEMORY');
      return { ...base, ...(oom && { oomKilled: true }), note: oom ? `slurm: job ${jobId} ran out of memory (OUT_OF_MEMORY)` : null };
    }
    case 'timeout':
      return { ...base, exitCode: null, signal: info.signal ?? 'SIGTERM', timedOut: true, note: `slurm: job ${jobId} reached Slurm's time limit (TIMEOUT)` };
    case 'cancelled':
      return {
        ...base,
        exitCode: null,
        signal: info.signal ?? 'SIGTERM',
        note: `slurm: job ${jobId} was cancelled outside the harness (${info.state}${why}): by its owner, an admin or a policy`,
      };
    case 'lost':
      return { ...base, exitCode: null, note: `slurm: job ${jobId} ended with ${info.state}${why} and was not resubmitted again` };
    default:
      return { ...base, exitCode: base.exitCode === 0 ? null : base.exitCode, note: `slurm: job ${jobId} ended with state ${info.state}${why}` };
  }
}
