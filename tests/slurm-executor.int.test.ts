/**
 * The Slurm executor against a real single-node cluster (scripts/ci/slurm-setup.sh starts one). These tests
 * fail, never skip, when Slurm cannot be brought up: a CI machine without it is a broken CI machine.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTinyData, type TinyData } from '../src/core/data/prepare.js';
import { ExternalError } from '../src/core/errors.js';
import { parseLog } from '../src/core/measure/log-parser.js';
import { slurmJobName } from '../src/core/exec/slurm/sbatch-script.js';
import { SlurmExecutor } from '../src/core/exec/slurm/slurm-executor.js';
import type { ExecSpec } from '../src/core/exec/types.js';
import { packageRoot } from '../src/core/paths.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

const PYTHON = '/usr/bin/python3';
const executor = new SlurmExecutor({ config: { poll_interval_s: 0.5 }, tailIntervalMs: 200 });
let data: TinyData;
let runCount = 0;

beforeAll(async () => {
  await execa('bash', [join(packageRoot, 'scripts', 'ci', 'slurm-setup.sh')], { stdio: 'inherit' });
  data = await prepareTinyData(join(await tempDir('slurm-data'), 'tiny'));
}, 600_000);
afterAll(removeTempDirs);

async function nodeSpec(source: string, fields: Partial<ExecSpec> = {}, dirPrefix = 'slurm-node'): Promise<ExecSpec> {
  const workDir = await tempDir(dirPrefix);
  const scriptPath = join(workDir, 'train.py');
  await writeFile(scriptPath, source);
  return {
    runId: `test${process.pid}-${++runCount}`,
    node: 1,
    workDir,
    scriptPath,
    runner: 'python',
    nproc: 1,
    python: PYTHON,
    env: {},
    readOnlyDirs: [],
    gpus: [],
    timeoutMs: 120_000,
    ...fields,
  };
}

/** What squeue says about a job right now: '' once it has left the queue. */
function squeueState(args: string[]): string {
  return execFileSync('squeue', ['-h', ...args, '-o', '%T'], { encoding: 'utf8' }).trim();
}

const HANG = 'import time\nprint("ready", flush=True)\ntime.sleep(600)\n';

describe('slurm executor', () => {
  it('trains tiny record 6 as a batch job, streaming its lines while it runs', async () => {
    const source = await readFile(join(packageRoot, 'records', 'tiny', 'r06', 'train_gpt.py'), 'utf8');
    const spec = await nodeSpec(source, {
      env: { NANOGPT_TRAIN_FILES: data.trainFiles, NANOGPT_VAL_FILES: data.valFiles, NANOGPT_VAL_TOKENS: String(data.valTokens) },
      readOnlyDirs: [data.dir],
    });
    const stdout: string[] = [];
    let stateAtFirstLine: string | undefined;
    const result = await executor.run({
      ...spec,
      onLine: (stream, line) => {
        if (stream !== 'stdout') return;
        // The job must still be in the queue when its first line reaches the harness.
        stateAtFirstLine ??= squeueState(['-n', slurmJobName(spec)]);
        stdout.push(line);
      },
    });
    expect(result.stderrTail).not.toMatch(/slurm:/);
    expect(result.exitCode).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(stateAtFirstLine).toMatch(/^(RUNNING|COMPLETING)$/);
    expect(result.wallMs).toBeGreaterThan(0);
    expect(result.queueWaitMs).not.toBeNull();

    const log = await readFile(result.stdoutPath, 'utf8');
    expect(stdout.join('\n')).toBe(log.trimEnd());
    const parsed = parseLog(log);
    expect(parsed.final).not.toBeNull();
    expect(parsed.final?.step).toBe(parsed.final?.total_steps);
    expect(parsed.final?.val_loss).toBeGreaterThan(0);
    expect(squeueState(['-j', result.jobId ?? ''])).toBe('');
  }, 180_000);

  it('scancels a hanging script at the harness timeout', async () => {
    const spec = await nodeSpec(HANG, { timeoutMs: 2_000 });
    const lines: string[] = [];
    const started = Date.now();
    const result = await executor.run({ ...spec, onLine: (_s, line) => lines.push(line) });
    expect(result.timedOut).toBe(true);
    expect(result.aborted).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(lines).toContain('ready');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(squeueState(['-j', result.jobId ?? ''])).toBe('');
  }, 120_000);

  it('scancels the job when the run is aborted', async () => {
    const spec = await nodeSpec(HANG);
    const controller = new AbortController();
    const result = await executor.run({
      ...spec,
      signal: controller.signal,
      onLine: (_s, line) => {
        if (line === 'ready') controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(squeueState(['-j', result.jobId ?? ''])).toBe('');
  }, 120_000);

  it("reports a failing script's exit code and the tail of its stderr", async () => {
    const spec = await nodeSpec(
      'import sys\nprint("step:0/10 val_loss:5.0 train_time:0ms", flush=True)\nprint("boom: simulated failure", file=sys.stderr)\nsys.exit(3)\n',
      {},
      'slurm node "%j"',
    );
    const result = await executor.run(spec);
    expect(result.exitCode).toBe(3);
    expect(result.timedOut).toBe(false);
    expect(result.stderrTail).toContain('boom: simulated failure');
    // The folder's blank, quotes and % survive sbatch's #SBATCH parsing and its %-patterns.
    expect(result.stdoutPath).toContain('slurm node "%j"');
    expect(await readFile(result.stdoutPath, 'utf8')).toContain('step:0/10');
  }, 120_000);

  it('reports a job cancelled by someone else as a crash that says so', async () => {
    const spec = await nodeSpec(HANG);
    const result = await executor.run({
      ...spec,
      onLine: (_s, line) => {
        if (line === 'ready') execFileSync('scancel', ['-n', slurmJobName(spec)]);
      },
    });
    expect(result.exitCode).toBeNull();
    expect(result.timedOut).toBe(false);
    expect(result.aborted).toBe(false);
    expect(result.stderrTail).toMatch(/cancelled outside the harness/);
  }, 120_000);

  it("passes the track environment, quoted, and none of the harness's secrets", async () => {
    const previous = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-test-must-not-leak';
    try {
      const tricky = `a b 'single' "double" $HOME \`id\` \\ ; $(echo no)`;
      const spec = await nodeSpec('import os\nprint("key=" + repr(os.environ.get("OPENAI_API_KEY")))\nprint("tricky=" + os.environ["TRICKY"])\n', {
        env: { TRICKY: tricky },
      });
      const lines: string[] = [];
      const result = await executor.run({ ...spec, onLine: (_s, line) => lines.push(line) });
      expect(result.exitCode).toBe(0);
      expect(lines).toContain('key=None');
      expect(lines).toContain(`tricky=${tricky}`);
    } finally {
      if (previous === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = previous;
    }
  }, 120_000);

  it('says how to fix a missing sbatch', async () => {
    const missing = new SlurmExecutor({
      runCommand: async () => ({ exitCode: null, stdout: '', stderr: '', notFound: true, timedOut: false }),
    });
    const error = await missing.run(await nodeSpec('print(1)\n')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).system).toBe('slurm');
    expect((error as ExternalError).message).toBe('slurm: sbatch not found');
    expect((error as ExternalError).fix).toMatch(/slurm-setup\.sh/);
  });
});
