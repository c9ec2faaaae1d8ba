import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSlurmConfig, type SlurmConfigInput } from '../src/core/exec/slurm/config.js';
import { sbatchPath, sbatchQuote, shellQuote } from '../src/core/exec/slurm/quoting.js';
import { sbatchScript, TIME_LIMIT_MARGIN_MIN, type SbatchSpec } from '../src/core/exec/slurm/sbatch-script.js';

const spec: SbatchSpec = {
  runId: 'run-42',
  node: 3,
  workDir: '/shared/runs/run-42/node-3',
  scriptPath: '/shared/runs/run-42/node-3/train_gpt.py',
  runner: 'python',
  nproc: 1,
  python: '/opt/venv/bin/python',
  env: { NANOGPT_TRAIN_FILES: '/data/tiny/tiny_train_*.bin', NANOGPT_VAL_TOKENS: '32768' },
  readOnlyDirs: ['/data/tiny'],
  gpus: [],
  timeoutMs: 30 * 60_000,
};

function script(config: SlurmConfigInput = {}, overrides: Partial<SbatchSpec> = {}): string {
  return sbatchScript({ ...spec, ...overrides }, parseSlurmConfig(config));
}

function directives(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('#SBATCH '))
    .map((l) => l.slice('#SBATCH '.length));
}

function execLine(text: string): string {
  return text.split('\n').find((l) => l.startsWith('exec ')) ?? '';
}

/** Runs the script's body (not sbatch) with bash, the command replaced by `printf` of its words and a variable. */
function bashWords(text: string, variable?: string): string[] {
  const body = text.replace(/^exec /m, variable ? `printf '%s\\n' "$${variable}"; : ` : `printf '%s\\n' `).replace(/^cd .*$/m, '');
  return execFileSync('bash', ['--norc', '--noprofile', '-c', body], { encoding: 'utf8', env: {} }).split('\n').slice(0, -1);
}

describe('sbatch script', () => {
  it('labels, places and limits the job, and runs the script as the local executor would', () => {
    const text = script();
    expect(text.startsWith('#!/bin/bash\n')).toBe(true);
    expect(directives(text)).toEqual([
      '--job-name=speedrun-run-42-n3',
      '--comment=speedrun:run=run-42:node=3',
      '--chdir=/shared/runs/run-42/node-3',
      '--output=/shared/runs/run-42/node-3/stdout.log',
      '--error=/shared/runs/run-42/node-3/stderr.log',
      '--export=NONE',
      '--nodes=1',
      '--ntasks=1',
      '--no-requeue',
      `--time=${30 + TIME_LIMIT_MARGIN_MIN}`,
    ]);
    expect(execLine(text)).toBe('exec /opt/venv/bin/python /shared/runs/run-42/node-3/train_gpt.py');
    expect(text).toContain('export PYTHONUNBUFFERED=1\n');
    expect(text).toContain("export NANOGPT_TRAIN_FILES='/data/tiny/tiny_train_*.bin'\n");
  });

  it('launches torchrun through python -m with one process per GPU', () => {
    expect(execLine(script({}, { runner: 'torchrun', nproc: 8 }))).toBe(
      'exec /opt/venv/bin/python -m torch.distributed.run --standalone --nproc_per_node=8 /shared/runs/run-42/node-3/train_gpt.py',
    );
  });

  it('rounds the derived time limit up to whole minutes and takes a configured one as is', () => {
    expect(directives(script({}, { timeoutMs: 61_000 }))).toContain(`--time=${2 + TIME_LIMIT_MARGIN_MIN}`);
    expect(directives(script({ time_limit: '1-02:00:00' }))).toContain('--time=1-02:00:00');
    expect(() => parseSlurmConfig({ time_limit: 'two hours' })).toThrow();
  });

  it('adds partition, account, qos, cpus, memory and extra options', () => {
    const lines = directives(
      script({ partition: 'gpu', account: 'lab', qos: 'high', cpus_per_task: 16, mem: '64G', extra_args: ['--constraint=h100 & ib', '--exclusive'] }),
    );
    expect(lines).toEqual(
      expect.arrayContaining(['--partition=gpu', '--account=lab', '--qos=high', '--cpus-per-task=16', '--mem=64G', '--constraint="h100 & ib"', '--exclusive']),
    );
    expect(() => parseSlurmConfig({ extra_args: ['rm -rf /'] })).toThrow();
    expect(() => parseSlurmConfig({ partition: 'gpu', surprise: 1 })).toThrow();
  });

  it('asks for as many GPUs as the node has, or as configured, and none on CPU', () => {
    expect(directives(script()).some((l) => l.startsWith('--gres'))).toBe(false);
    expect(directives(script({}, { gpus: [0, 1, 2, 3] }))).toContain('--gres=gpu:4');
    expect(directives(script({ gres_gpus: 8 }, { gpus: [0] }))).toContain('--gres=gpu:8');
  });

  it('runs inside pyxis with the node folder, script folder and read-only data mounted', () => {
    const text = script({ container: { mode: 'pyxis', image: 'registry.example#team/pytorch:24.05-py3', mounts: ['/scratch:/scratch'], python: 'python' } });
    expect(execLine(text)).toBe(
      "exec srun --export=ALL --ntasks=1 '--container-image=registry.example#team/pytorch:24.05-py3' " +
        '--container-mounts=/shared/runs/run-42/node-3:/shared/runs/run-42/node-3,/data/tiny:/data/tiny:ro,/scratch:/scratch ' +
        '--container-workdir=/shared/runs/run-42/node-3 python /shared/runs/run-42/node-3/train_gpt.py',
    );
  });

  it('runs inside apptainer, with --nv only when the job has GPUs', () => {
    const cpu = execLine(script({ container: { mode: 'apptainer', image: '/images/torch.sif', bind: ['/scratch'] } }));
    expect(cpu).toBe(
      'exec apptainer exec --bind /shared/runs/run-42/node-3:/shared/runs/run-42/node-3,/data/tiny:/data/tiny:ro,/scratch ' +
        '--pwd /shared/runs/run-42/node-3 /images/torch.sif /opt/venv/bin/python /shared/runs/run-42/node-3/train_gpt.py',
    );
    const gpu = execLine(script({ container: { mode: 'apptainer', image: '/images/torch.sif' } }, { gpus: [0] }));
    expect(gpu).toMatch(/^exec apptainer exec --nv --bind /);
  });

  it('refuses container mounts that the runtimes cannot express', () => {
    expect(() => script({ container: { mode: 'apptainer', image: 'x.sif' } }, { readOnlyDirs: ['/data/a,b'] })).toThrow(/mount/);
  });

  it('quotes environment values so bash gives them back byte for byte', () => {
    const tricky = `a b 'single' "double" $HOME \`id\` \\ ; $(echo no) * \n second line`;
    const text = script({}, { env: { TRICKY: tricky, EMPTY: '' } });
    expect(bashWords(text, 'TRICKY').join('\n')).toBe(tricky);
    expect(bashWords(text, 'EMPTY')).toEqual(['']);
    expect(() => script({}, { env: { 'BAD;rm -rf /': 'x' } })).toThrow(/environment variable name/);
  });

  it('quotes paths with blanks and quotes in the command and in #SBATCH lines', () => {
    const workDir = `/shared/my runs/it's "100%"`;
    const text = script({}, { workDir, scriptPath: `${workDir}/train.py` });
    expect(bashWords(text)).toEqual(['/opt/venv/bin/python', `${workDir}/train.py`]);
    expect(directives(text)).toContain(`--chdir="/shared/my runs/it's \\"100%\\""`);
    expect(directives(text)).toContain(`--output="/shared/my runs/it's \\"100%%\\"/stdout.log"`);
    expect(() => script({}, { workDir: '/a\nb' })).toThrow(/line break/);
  });
});

describe('quoting helpers', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('/usr/bin/python3')).toBe('/usr/bin/python3');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(sbatchQuote('gpu')).toBe('gpu');
    expect(sbatchQuote('a "b"')).toBe('"a \\"b\\""');
    expect(sbatchPath('/x/%j')).toBe('/x/%%j');
  });
});
