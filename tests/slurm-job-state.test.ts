/** The Slurm executor's parsing and state logic, against recorded output and a scripted fake cluster. */
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../src/core/exec/command-runner.js';
import { jobPhase, parseJobId, parseSacctJob, parseScontrolJob } from '../src/core/exec/slurm/job-state.js';
import { LogTail } from '../src/core/exec/slurm/log-tail.js';
import { SlurmExecutor } from '../src/core/exec/slurm/slurm-executor.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const SCONTROL = (state: string, exit: string) => `JobId=12 JobName=speedrun-r-n1
   UserId=root(0) GroupId=root(0) MCS_label=N/A
   JobState=${state} Reason=None Dependency=(null)
   Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=${exit}
   StartTime=2026-01-02T03:04:05 EndTime=2026-01-02T03:04:15 Deadline=N/A
   Command=/tmp/my dir/slurm-job.sh
   WorkDir=/tmp/my dir`;

describe('job state parsing', () => {
  it('maps every state Slurm reports to what the executor does', () => {
    const table: Record<string, string> = {
      PENDING: 'waiting',
      CONFIGURING: 'waiting',
      REQUEUED: 'waiting',
      SUSPENDED: 'waiting',
      RUNNING: 'running',
      COMPLETING: 'running',
      COMPLETED: 'completed',
      FAILED: 'failed',
      OUT_OF_MEMORY: 'failed',
      TIMEOUT: 'timeout',
      NODE_FAIL: 'lost',
      PREEMPTED: 'lost',
      BOOT_FAIL: 'lost',
      CANCELLED: 'cancelled',
      'CANCELLED by 1000': 'cancelled',
      DEADLINE: 'ended',
    };
    for (const [state, phase] of Object.entries(table)) expect(jobPhase(state), state).toBe(phase);
  });

  it('reads state, exit code, signal and times from scontrol', () => {
    expect(parseScontrolJob(SCONTROL('FAILED', '7:0'))).toEqual({
      state: 'FAILED',
      exitCode: 7,
      signal: null,
      reason: null,
      startTime: new Date('2026-01-02T03:04:05').getTime(),
      endTime: new Date('2026-01-02T03:04:15').getTime(),
    });
    expect(parseScontrolJob(SCONTROL('CANCELLED', '0:15'))).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(parseScontrolJob(SCONTROL('OUT_OF_MEMORY', '0:9'))).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(parseScontrolJob('slurm_load_jobs error: Invalid job id specified')).toBeNull();
  });

  it('reads sacct and sbatch --parsable', () => {
    expect(parseSacctJob('CANCELLED by 0|0:15|2026-01-02T03:04:05|Unknown\n')).toMatchObject({ state: 'CANCELLED by 0', signal: 'SIGTERM', endTime: null });
    expect(parseJobId('1234\n')).toBe('1234');
    expect(parseJobId('1234;cluster\n')).toBe('1234');
    expect(parseJobId('sbatch: error')).toBeNull();
  });
});

describe('log tail', () => {
  it('delivers complete lines only, across partial lines and split characters', async () => {
    const path = join(await tempDir('slurm-tail'), 'stdout.log');
    const lines: string[] = [];
    const tail = new LogTail(path, (line) => lines.push(line));
    await tail.read();
    expect(tail.seen).toBe(false);
    const euro = Buffer.from('€');
    await writeFile(path, Buffer.concat([Buffer.from('one\ntw'), euro.subarray(0, 1)]));
    await tail.read();
    expect(lines).toEqual(['one']);
    await appendFile(path, Buffer.concat([euro.subarray(1), Buffer.from('o\r\nthree')]));
    await tail.read();
    expect(lines).toEqual(['one', 'tw€o']);
    await tail.finish();
    expect(lines).toEqual(['one', 'tw€o', 'three']);
  });
});

/** A Slurm command that succeeded, printing `stdout`. */
const answered = (stdout: string) => ({ exitCode: 0, stdout, stderr: '', notFound: false, timedOut: false });

/** A cluster whose jobs go through the given squeue states, then end with the given scontrol state. */
function fakeCluster(jobs: { states: string[]; final: string; exit: string }[]) {
  const calls: string[] = [];
  let submitted = 0;
  const runner: CommandRunner = async (command, args) => {
    calls.push(`${command} ${args.join(' ')}`);
    switch (command) {
      case 'sbatch':
        return answered(`${++submitted}\n`);
      case 'squeue': {
        const j = jobs[Number(args[2]) - 1];
        return answered(j?.states.shift() ?? '');
      }
      case 'scontrol': {
        const j = jobs[Number(args[2]) - 1];
        return answered(j ? SCONTROL(j.final, j.exit) : '');
      }
      default:
        return answered('');
    }
  };
  return { runner, calls };
}

async function runOn(runner: CommandRunner, maxResubmits?: number) {
  const workDir = await tempDir('slurm-fake');
  const executor = new SlurmExecutor({ runCommand: runner, config: { poll_interval_s: 0.01 }, tailIntervalMs: 5, maxResubmits });
  return executor.run({
    runId: 'r',
    node: 1,
    workDir,
    scriptPath: join(workDir, 'train.py'),
    runner: 'python',
    nproc: 1,
    python: 'python3',
    env: {},
    readOnlyDirs: [],
    gpus: [],
    timeoutMs: 60_000,
  });
}

describe('slurm executor on a fake cluster', () => {
  it('resubmits a job lost to a node failure and says so', async () => {
    const { runner, calls } = fakeCluster([
      { states: ['PENDING', 'RUNNING', 'NODE_FAIL'], final: 'NODE_FAIL', exit: '0:0' },
      { states: ['RUNNING'], final: 'COMPLETED', exit: '0:0' },
    ]);
    const result = await runOn(runner);
    expect(result).toMatchObject({ exitCode: 0, resubmits: 1, jobId: '2', timedOut: false });
    expect(result.stderrTail).toMatch(/job 1 ended with NODE_FAIL .*resubmitted/);
    expect(calls.filter((c) => c.startsWith('sbatch'))).toHaveLength(2);
  });

  it('gives up after the allowed number of resubmits', async () => {
    const lost = () => ({ states: ['RUNNING'], final: 'PREEMPTED', exit: '0:0' });
    const { runner } = fakeCluster([lost(), lost()]);
    const result = await runOn(runner, 1);
    expect(result).toMatchObject({ exitCode: null, resubmits: 1 });
    expect(result.stderrTail).toMatch(/job 2 ended with PREEMPTED and was not resubmitted again/);
  });

  it("reports Slurm's own time limit as a timeout and an out-of-memory kill with a note", async () => {
    const timeout = await runOn(fakeCluster([{ states: ['RUNNING'], final: 'TIMEOUT', exit: '0:15' }]).runner);
    expect(timeout).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    expect(timeout.stderrTail).toMatch(/time limit/);
    const oom = await runOn(fakeCluster([{ states: ['RUNNING'], final: 'OUT_OF_MEMORY', exit: '0:9' }]).runner);
    expect(oom).toMatchObject({ timedOut: false, exitCode: null, signal: 'SIGKILL', oomKilled: true });
    expect(oom.stderrTail).toMatch(/ran out of memory/);
  });
});
