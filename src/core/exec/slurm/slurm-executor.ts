import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { makeWorkDirLinks } from '../work-dir-links.js';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ExternalError } from '../../errors.js';
import type { ExecPlan, ExecResult, ExecSpec, Executor } from '../types.js';
import { runCommand as runProcess, type CommandRunner } from '../command-runner.js';
import { DEFAULT_POLL_INTERVAL_S, parseSlurmConfig, type SlurmConfig, type SlurmConfigInput } from './config.js';
import { jobOutcome, type StopReason } from './job-outcome.js';
import { isFinal, isUnknownJobError, jobPhase, parseJobId, parseSacctJob, parseScontrolJob, type JobInfo } from './job-state.js';
import { LogTail } from './log-tail.js';
import { launch, sbatchScript, STDERR_LOG, STDOUT_LOG } from './sbatch-script.js';
import { slurmCommand } from './slurm-client.js';

const STDERR_TAIL_LINES = 40;
/** The batch script as submitted, kept in the node's folder to reproduce or debug the job by hand. */
export const JOB_SCRIPT_NAME = 'slurm-job.sh';
/** The current job's id, for whoever must clean up after a harness that died (scancel it). */
export const JOB_RECORD_NAME = 'slurm-job.json';

export interface SlurmExecutorOptions {
  config?: SlurmConfigInput;
  runCommand?: CommandRunner;
  /** How often the log files are read while the job runs; squeue is asked only every poll interval. */
  tailIntervalMs?: number;
  /** Jobs lost to NODE_FAIL, PREEMPTED or BOOT_FAIL are resubmitted at most this many times. */
  maxResubmits?: number;
  /** How long to wait after scancel for the job to leave the queue before sending SIGKILL, then giving up. */
  cancelWaitMs?: number;
  /** Give up on a job still pending after this long; by default it may wait as long as the queue takes. */
  queueTimeoutMs?: number;
  /** Consecutive failed squeue calls (controller unreachable) tolerated before the run fails. */
  maxQueryFailures?: number;
}

export interface SlurmExecResult extends ExecResult {
  /** The last job submitted for this node. */
  jobId: string | null;
  /** From submission to the start of the last attempt, as the harness saw it; null if it never started. */
  queueWaitMs: number | null;
  resubmits: number;
}

/**
 * Runs a node's script as a Slurm batch job. The harness and the job share a filesystem: the job writes
 * stdout.log and stderr.log into the node's folder, and the harness follows those files to deliver lines
 * while the job runs. The harness's timeout counts from the job's start, so time spent in the queue does not
 * eat into training time (a resubmitted job gets the full timeout again). wallMs likewise runs from the
 * start (first seen RUNNING, or its log file appearing) to the poll that sees the job gone, so it is
 * precise to about one poll interval.
 */
export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  readonly config: SlurmConfig;
  private readonly runCommand: CommandRunner;
  private readonly pollMs: number;
  private readonly tailMs: number;

  constructor(private readonly options: SlurmExecutorOptions = {}) {
    this.config = parseSlurmConfig(options.config ?? {});
    this.runCommand = options.runCommand ?? runProcess;
    this.pollMs = (this.config.poll_interval_s ?? DEFAULT_POLL_INTERVAL_S) * 1000;
    this.tailMs = options.tailIntervalMs ?? Math.min(this.pollMs, 500);
  }

  async describe(spec: ExecSpec): Promise<ExecPlan> {
    return {
      command: launch(spec, this.config.container, spec.gpus.length > 0),
      env: { ...spec.env },
      // The job sees the cluster's shared filesystem; these are the folders it is meant to use.
      mounts: [{ host: spec.workDir, target: spec.workDir, readOnly: false }, ...spec.readOnlyDirs.map((dir) => ({ host: dir, target: dir, readOnly: true }))],
      details: [
        'submitted with sbatch as:',
        ...sbatchScript(spec, this.config)
          .trimEnd()
          .split('\n')
          .map((line) => `  ${line}`),
      ],
    };
  }

  async run(spec: ExecSpec): Promise<SlurmExecResult> {
    await mkdir(spec.workDir, { recursive: true });
    // The cluster shares this filesystem (the job reads workDir here), so host paths are the job's paths too.
    await makeWorkDirLinks(spec.workDir, spec.links);
    const stdoutPath = join(spec.workDir, STDOUT_LOG);
    const stderrPath = join(spec.workDir, STDERR_LOG);
    const scriptPath = join(spec.workDir, JOB_SCRIPT_NAME);
    await writeFile(scriptPath, sbatchScript(spec, this.config), { mode: 0o755 });

    const stderrTail: string[] = [];
    const notes: string[] = [];
    const tails = [
      new LogTail(stdoutPath, (line) => spec.onLine?.('stdout', line)),
      new LogTail(stderrPath, (line) => {
        stderrTail.push(line);
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        spec.onLine?.('stderr', line);
      }),
    ];
    const result = (fields: Partial<SlurmExecResult>): SlurmExecResult => ({
      exitCode: null,
      signal: null,
      timedOut: false,
      aborted: false,
      wallMs: 0,
      jobId: null,
      queueWaitMs: null,
      resubmits: 0,
      ...fields,
      stdoutPath,
      stderrPath,
      stderrTail: [...stderrTail, ...notes].join('\n'),
    });
    if (spec.signal?.aborted) return result({ aborted: true });

    // The stop request, set by the timers or the abort signal, and a way to wake the loop out of its sleep.
    let stop = null as StopReason | null;
    let wake = new AbortController();
    const requestStop = (reason: StopReason) => {
      stop ??= reason;
      wake.abort();
    };
    const onAbort = () => requestStop('abort');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    let runTimer: NodeJS.Timeout | undefined;
    const queueTimer = this.options.queueTimeoutMs === undefined ? undefined : setTimeout(() => requestStop('queue-timeout'), this.options.queueTimeoutMs);

    const submit = async (): Promise<string> => {
      // Old logs would be streamed as if they were this job's, and a resubmitted job starts them afresh.
      await Promise.all([rm(stdoutPath, { force: true }), rm(stderrPath, { force: true })]);
      for (const tail of tails) tail.restart();
      const id = await this.sbatch(scriptPath);
      await writeFile(
        join(spec.workDir, JOB_RECORD_NAME),
        JSON.stringify({ jobId: id, runId: spec.runId, node: spec.node, submittedAt: new Date().toISOString() }) + '\n',
      );
      return id;
    };

    try {
      let jobId = await submit();
      let submittedAt = performance.now();
      let startedAt: number | null = null;
      let queueWaitMs: number | null = null;
      let resubmits = 0;
      let cancelledAt: number | null = null;
      let killed = false;
      let failures = 0;
      let nextPoll = 0;

      const markStarted = () => {
        if (startedAt !== null) return;
        startedAt = performance.now();
        queueWaitMs = startedAt - submittedAt;
        clearTimeout(queueTimer);
        runTimer = setTimeout(() => requestStop('timeout'), spec.timeoutMs);
      };

      for (;;) {
        if (stop && cancelledAt === null) {
          await this.cancel(jobId);
          cancelledAt = performance.now();
          nextPoll = 0;
        }
        await Promise.all(tails.map((tail) => tail.read()));
        // Slurm creates the log files when the job starts on its node: often seen before squeue says RUNNING.
        if (tails.some((tail) => tail.seen)) markStarted();

        if (performance.now() >= nextPoll) {
          nextPoll = performance.now() + this.pollMs;
          const state = await this.queueState(jobId);
          if (state === 'error') {
            if (++failures >= (this.options.maxQueryFailures ?? 10)) {
              await this.cancel(jobId).catch(() => undefined);
              throw new ExternalError(
                'slurm',
                `lost contact with the controller while job ${jobId} ran; it was cancelled`,
                'check `sinfo` and the controller (slurmctld) and rerun',
              );
            }
          } else {
            failures = 0;
            if (state !== 'gone' && jobPhase(state) === 'running') markStarted();
            if (state === 'gone' || isFinal(jobPhase(state))) {
              const endedAt = performance.now();
              const info = await this.finalInfo(jobId);
              const phase = info ? jobPhase(info.state) : null;
              if (phase === 'lost' && stop === null && resubmits < (this.options.maxResubmits ?? 2)) {
                resubmits++;
                notes.push(`slurm: job ${jobId} ended with ${info?.state} (not the script's fault); resubmitted (${resubmits})`);
                clearTimeout(runTimer);
                startedAt = null;
                jobId = await submit();
                submittedAt = performance.now();
                continue;
              }
              await Promise.all(tails.map((tail) => tail.finish()));
              const outcome = jobOutcome(jobId, info, stop);
              if (outcome.note) notes.push(outcome.note);
              return result({
                ...outcome,
                wallMs: wallClock(startedAt, endedAt, info, submittedAt),
                jobId,
                queueWaitMs,
                resubmits,
              });
            }
          }
        }

        if (cancelledAt !== null) {
          const waited = performance.now() - cancelledAt;
          const limit = this.options.cancelWaitMs ?? 120_000;
          if (!killed && waited > limit / 2) {
            killed = true;
            await this.cancel(jobId, 'KILL');
          } else if (waited > limit) {
            throw new ExternalError(
              'slurm',
              `job ${jobId} did not leave the queue ${Math.round(limit / 1000)} s after scancel`,
              `check it with \`scontrol show job ${jobId}\` and its node's slurmd log`,
            );
          }
        }
        await delay(this.tailMs, undefined, { signal: wake.signal }).catch(() => undefined);
        if (wake.signal.aborted) wake = new AbortController();
      }
    } finally {
      clearTimeout(runTimer);
      clearTimeout(queueTimer);
      spec.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Cancels the job a dead harness left for this node (slurm-job.json), if Slurm still has it. */
  async reclaim(workDir: string): Promise<void> {
    let jobId: string;
    try {
      jobId = String((JSON.parse(await readFile(join(workDir, JOB_RECORD_NAME), 'utf8')) as { jobId: unknown }).jobId);
    } catch {
      return; // never submitted
    }
    if ((await this.queueState(jobId)) !== 'gone') await this.cancel(jobId, 'KILL');
  }

  private command(command: string, args: string[]) {
    return slurmCommand(this.runCommand, command, args);
  }

  private async sbatch(scriptPath: string): Promise<string> {
    const { exitCode, stdout, stderr } = await this.command('sbatch', ['--parsable', scriptPath]);
    const id = exitCode === 0 ? parseJobId(stdout) : null;
    if (id === null) {
      throw new ExternalError(
        'slurm',
        `sbatch failed: ${(stderr || stdout).trim() || `exit code ${exitCode}`}`,
        'check the partition, account, qos and gres in the Slurm settings against `sinfo` and `sacctmgr show assoc`',
      );
    }
    return id;
  }

  /** The job's state from squeue; 'gone' once it has left the queue, 'error' when squeue could not answer. */
  private async queueState(jobId: string): Promise<string> {
    const { exitCode, stdout, stderr } = await this.command('squeue', ['-h', '-j', jobId, '-o', '%T']);
    if (exitCode !== 0) return isUnknownJobError(stderr) ? 'gone' : 'error';
    return stdout.trim().split('\n')[0]?.trim() || 'gone';
  }

  /** The final state and exit code: scontrol while the controller remembers the job, then accounting. */
  private async finalInfo(jobId: string): Promise<JobInfo | null> {
    const shown = await this.command('scontrol', ['show', 'job', jobId]);
    const info = shown.exitCode === 0 ? parseScontrolJob(shown.stdout) : null;
    if (info) return info;
    const sacct = await this.command('sacct', ['-j', jobId, '-X', '-n', '-P', '-o', 'State,ExitCode,Start,End']);
    return sacct.exitCode === 0 ? parseSacctJob(sacct.stdout) : null;
  }

  private async cancel(jobId: string, signal?: 'KILL'): Promise<void> {
    // A job that already ended makes scancel fail; the poll that follows sees it gone either way.
    await this.command('scancel', [...(signal ? ['--signal=KILL', '--full'] : []), jobId]);
  }
}

/** The harness's view when it saw the start; Slurm's whole-second times when the job was too quick for that. */
function wallClock(startedAt: number | null, endedAt: number, info: JobInfo | null, submittedAt: number): number {
  if (startedAt !== null) return endedAt - startedAt;
  if (info?.startTime != null && info.endTime != null) return Math.max(0, info.endTime - info.startTime);
  return endedAt - submittedAt;
}
