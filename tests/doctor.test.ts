import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorConfig, DoctorDeps, DockerApi } from '../src/core/doctor/context.js';
import { judgeBlas } from '../src/core/doctor/python-checks.js';
import { runDoctor } from '../src/core/doctor/run-doctor.js';
import { cacheLayout } from '../src/core/paths.js';
import { check, doctorBinary } from './helpers/doctor-cli.js';
import { closedBaseUrl, startLlmStub, STUB_MODEL, type LlmStub } from './helpers/llm-stub.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

const { dirs, doctor, doctorJson } = doctorBinary({ standInPython: true });
afterAll(removeTempDirs);

async function executable(dir: string, name: string, body: string): Promise<void> {
  await writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(dir, name), 0o755);
}

describe('speedrun doctor (the binary)', () => {
  it('fails --agent llm without a key, naming the variable', async () => {
    const result = await doctor(['--agent', 'llm', '--model', 'x'], { OPENAI_API_KEY: '' });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/^✗ LLM model and key: .*\$OPENAI_API_KEY.*not set$/m);
    expect(String(result.stdout)).toMatch(/^ {4}fix: export OPENAI_API_KEY=/m);
  });

  describe('the LLM endpoint', () => {
    let stub: LlmStub;
    beforeAll(async () => {
      stub = await startLlmStub();
    });
    afterAll(() => stub.close());

    it('passes when the endpoint answers and lists the model', async () => {
      const { exitCode, report } = await doctorJson(['--agent', 'llm', '--model', STUB_MODEL, '--base-url', stub.baseUrl], { OPENAI_API_KEY: 'sk-test' });
      expect(check(report, 'llm-key')).toMatchObject({ status: 'ok', detail: expect.stringContaining('$OPENAI_API_KEY') });
      expect(check(report, 'llm-endpoint')).toMatchObject({ status: 'ok', detail: expect.stringContaining(stub.baseUrl) });
      expect(exitCode).toBe(0);
      expect(stub.requests.some((r) => r.method === 'GET' && r.path === '/v1/models' && r.headers.authorization === 'Bearer sk-test')).toBe(true);
    });

    it('warns when the endpoint does not list the model', async () => {
      const { exitCode, report } = await doctorJson(['--agent', 'llm', '--model', 'other-model', '--base-url', stub.baseUrl], { OPENAI_API_KEY: 'sk-test' });
      expect(check(report, 'llm-endpoint')).toMatchObject({ status: 'warn', detail: expect.stringContaining(STUB_MODEL) });
      expect(exitCode).toBe(0);
    });

    it('fails with a fix when nothing listens there', async () => {
      const closed = await closedBaseUrl();
      const { exitCode, report } = await doctorJson(['--agent', 'llm', '--model', STUB_MODEL, '--base-url', closed], { OPENAI_API_KEY: 'sk-test' });
      expect(check(report, 'llm-endpoint')).toMatchObject({ status: 'fail', fix: expect.stringContaining(closed) });
      expect(exitCode).toBe(1);
    });
  });

  it('fails --executor slurm when sbatch is not on PATH, and says how to fix it', async () => {
    const bin = await tempDir('fake-slurm');
    await executable(bin, 'sinfo', 'echo "sinfo: error: Unable to contact slurm controller (connect failure)" >&2; exit 1');
    await executable(bin, 'squeue', 'exit 0');
    await executable(bin, 'scancel', 'exit 0');
    const result = await doctor(['--executor', 'slurm'], { PATH: bin });
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout);
    expect(out).toMatch(/^✗ Slurm commands: sbatch not found on PATH\n {4}fix: install the Slurm client commands/m);
    expect(out).toMatch(/^✗ Slurm controller: sinfo -h failed \(exit 1\): .*Unable to contact slurm controller/m);
  });

  it('passes the Slurm checks when the commands are there and the controller answers', async () => {
    const bin = await tempDir('fake-slurm-ok');
    await executable(bin, 'sinfo', 'echo "gpu*  up  infinite  2  idle  node[1-2]"');
    for (const name of ['sbatch', 'squeue', 'scancel']) await executable(bin, name, 'exit 0');
    const { report } = await doctorJson(['--executor', 'slurm'], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    expect(check(report, 'slurm-commands')).toMatchObject({ status: 'ok', detail: expect.stringContaining(join(bin, 'sbatch')) });
    expect(check(report, 'slurm-controller')).toMatchObject({ status: 'ok', detail: 'sinfo answered: 1 partition (gpu)' });
    expect(check(report, 'python').status).toBe('skip');
  });

  it('shows the GPUs a fake nvidia-smi lists, and fails ids it does not', async () => {
    const dir = await tempDir('fake-smi');
    await executable(dir, 'nvidia-smi', "printf '0, GPU-aa, NVIDIA H100 80GB HBM3, 81559\\n1, GPU-bb, NVIDIA H100 80GB HBM3, 81559\\n'");
    const env = { SPEEDRUN_NVIDIA_SMI: join(dir, 'nvidia-smi') };
    const result = await doctor(['--gpus', '0-1'], env);
    expect(String(result.stdout)).toMatch(/^✓ GPUs: 2 GPUs \(0-1\): 2 × NVIDIA H100 80GB HBM3, 80 GiB$/m);
    expect(result.exitCode).toBe(0);
    const { exitCode, report } = await doctorJson(['--gpus', '0-3'], env);
    expect(check(report, 'gpus')).toMatchObject({ status: 'fail', detail: expect.stringContaining('GPU 2, 3 not found') });
    expect(exitCode).toBe(1);
  });

  it('fails --executor docker when the engine does not answer', async () => {
    const port = new URL(await closedBaseUrl()).port;
    const { exitCode, report } = await doctorJson(['--executor', 'docker'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    expect(check(report, 'docker')).toMatchObject({ status: 'fail', fix: expect.stringContaining('Docker engine') });
    expect(check(report, 'docker-image').status).toBe('skip');
    expect(exitCode).toBe(1);
  });

  it('refuses an unknown executor as bad input (exit 2)', async () => {
    const result = await doctor(['--executor', 'kubernetes']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('use one of: local, docker, slurm');
  });
});

describe('doctor checks with a faked system', () => {
  /** A Docker engine that answers, with the given runtimes and images. */
  function fakeDocker(runtimes: string[], images: string[]): DockerApi {
    return {
      ping: async () => 'OK',
      version: async () => ({ Version: '27.0.1', ApiVersion: '1.46' }),
      info: async () => ({ Runtimes: Object.fromEntries(runtimes.map((name) => [name, { path: name }])) }),
      getImage: (name) => ({
        inspect: async () => {
          if (images.includes(name)) return { Id: name };
          throw Object.assign(new Error(`No such image: ${name}`), { statusCode: 404 });
        },
      }),
    };
  }

  function deps(overrides: Partial<DoctorDeps> = {}): DoctorDeps {
    return {
      env: { PATH: process.env.PATH },
      cache: cacheLayout(dirs.cache),
      run: async (file) => {
        if (file === 'nvidia-smi')
          return {
            exitCode: 0,
            stdout: Array.from({ length: 8 }, (_, i) => `${i}, GPU-${i}, NVIDIA H100 80GB HBM3, 81559`).join('\n'),
            stderr: '',
            notFound: false,
            timedOut: false,
          };
        return { exitCode: 0, stdout: 'git version 2.45.0', stderr: '', notFound: false, timedOut: false };
      },
      nodeVersion: '20.19.0',
      docker: () => fakeDocker(['runc'], []),
      loadModelConfig: async () => null,
      ...overrides,
    };
  }

  const dockerNanogpt: DoctorConfig = { executor: 'docker', track: 'nanogpt', agent: 'reference', cleanup: false };

  it('asks for the NVIDIA runtime and the track image under docker, with the command that builds it', async () => {
    const report = await runDoctor(dockerNanogpt, deps());
    expect(check(report, 'docker')).toMatchObject({ status: 'ok', detail: 'Docker 27.0.1 (API 1.46)' });
    expect(check(report, 'docker-nvidia')).toMatchObject({ status: 'fail', fix: expect.stringContaining('NVIDIA Container Toolkit') });
    expect(check(report, 'docker-image')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/^speedrun containers build --track nanogpt, or: docker build -t speedrun\/cuda-torch2\.7\.1:1 .*containers\/cuda$/),
    });
    expect(check(report, 'gpus')).toMatchObject({ status: 'ok', detail: expect.stringContaining('8 GPUs (0-7)') });
    expect(report.ok).toBe(false);
  });

  it('passes docker with the runtime and image; the CPU track needs neither GPUs nor the runtime', async () => {
    const ready = deps({ docker: () => fakeDocker(['runc', 'nvidia'], ['speedrun/cuda-torch2.7.1:1', 'speedrun/cpu:1']) });
    const gpu = await runDoctor(dockerNanogpt, ready);
    expect(check(gpu, 'docker-nvidia').status).toBe('ok');
    expect(check(gpu, 'docker-image').status).toBe('ok');
    const cpu = await runDoctor({ ...dockerNanogpt, track: 'tiny' }, deps({ docker: () => fakeDocker(['runc'], ['speedrun/cpu:1']) }));
    expect(check(cpu, 'docker-nvidia').status).toBe('skip');
    expect(check(cpu, 'gpus').status).toBe('skip');
    expect(check(cpu, 'docker-image')).toMatchObject({ status: 'ok', detail: 'speedrun/cpu:1 present' });
    expect(cpu.ok).toBe(true);
  });

  it('checks the agent image only for an exec agent under docker', async () => {
    const tinyExec: DoctorConfig = { ...dockerNanogpt, track: 'tiny', agent: 'exec' };
    const missing = await runDoctor(tinyExec, deps({ docker: () => fakeDocker(['runc'], ['speedrun/cpu:1']) }));
    expect(check(missing, 'docker-agent-image')).toMatchObject({ status: 'fail', fix: expect.stringContaining('scripts/ci/docker-setup.sh') });
    expect(missing.ok).toBe(false);
    const present = await runDoctor(tinyExec, deps({ docker: () => fakeDocker(['runc'], ['speedrun/cpu:1', 'speedrun/agent:1']) }));
    expect(check(present, 'docker-agent-image')).toMatchObject({ status: 'ok', detail: 'speedrun/agent:1 present' });
    const reference = await runDoctor({ ...tinyExec, agent: 'reference' }, deps({ docker: () => fakeDocker(['runc'], ['speedrun/cpu:1']) }));
    expect(check(reference, 'docker-agent-image').status).toBe('skip');
  });

  it('warns when fewer GPUs are selected than the nanogpt records launch processes', async () => {
    const report = await runDoctor({ ...dockerNanogpt, gpus: '0-3' }, deps({ docker: () => fakeDocker(['nvidia'], ['speedrun/cuda-torch2.7.1:1']) }));
    expect(check(report, 'gpus')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('records 1-3, 15, 19-21 train only with 8 GPUs (torchrun --nproc_per_node=8)'),
    });
  });

  it('names the modern records that need 8 GPUs or more memory than one GPU here has', async () => {
    const smallGpu = deps({
      docker: () => fakeDocker(['nvidia'], []),
      run: async (file) =>
        file === 'nvidia-smi'
          ? { exitCode: 0, stdout: '0, GPU-0, NVIDIA L4, 23034', stderr: '', notFound: false, timedOut: false }
          : { exitCode: 0, stdout: 'git version 2.45.0', stderr: '', notFound: false, timedOut: false },
    });
    const report = await runDoctor({ ...dockerNanogpt, track: 'nanogpt-modern', gpus: '0' }, smallGpu);
    const gpus = check(report, 'gpus');
    expect(gpus.status).toBe('warn');
    // From the manifest's figures: records 4-26 assert 8 processes; every record with a logged peak needs over 22 GiB.
    expect(gpus.detail).toMatch(/records 4-26 train only with 8 GPUs/);
    expect(gpus.detail).toMatch(/records [\d, -]+ peaked above 22 GiB per GPU in their logs \(up to \d+ GiB\)/);
    expect(gpus.fix).toMatch(/speedrun records show N gives each record's GPU counts and memory/);
  });

  it('names exactly what a nanogpt run lacks on a machine without GPUs', async () => {
    const cpuOnly = deps({
      findPython: async () => ({ python: '/fake/python3', torchVersion: '2.7.1+cpu' }),
      run: async (file, args) => {
        if (file === 'nvidia-smi') return { exitCode: null, stdout: '', stderr: '', notFound: true, timedOut: false };
        if (file === '/fake/python3' && args.join(' ').includes('torch.version.cuda')) {
          return { exitCode: 0, stdout: '{"version": "2.7.1+cpu", "cuda": null, "devices": 0}\n', stderr: '', notFound: false, timedOut: false };
        }
        if (file === '/fake/python3') return { exitCode: 0, stdout: '{"blas_info": "mkl", "libs": []}\n', stderr: '', notFound: false, timedOut: false };
        return { exitCode: 0, stdout: 'git version 2.45.0', stderr: '', notFound: false, timedOut: false };
      },
    });
    const report = await runDoctor({ executor: 'local', track: 'nanogpt', agent: 'reference', cleanup: false }, cpuOnly);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['torch-cuda', 'records', 'data', 'gpus']);
    expect(check(report, 'torch-cuda')).toMatchObject({
      detail: 'torch 2.7.1+cpu is a CPU-only build: the nanogpt records train on CUDA GPUs',
      fix: expect.stringContaining('CUDA build of PyTorch 2.5'),
    });
    expect(check(report, 'records')).toMatchObject({
      detail: expect.stringContaining('21 of 21 record scripts unusable — not synced: records 1, 2,'),
      fix: 'speedrun records sync --track nanogpt',
    });
  });

  it('passes torch with CUDA, and warns when it is too old for FlexAttention', async () => {
    const withTorch = (version: string) =>
      deps({
        findPython: async () => ({ python: '/fake/python3', torchVersion: version }),
        run: async (file) =>
          file === '/fake/python3'
            ? { exitCode: 0, stdout: `{"version": "${version}", "cuda": "12.4", "devices": 8}\n`, stderr: '', notFound: false, timedOut: false }
            : { exitCode: 0, stdout: '', stderr: '', notFound: true, timedOut: false },
      });
    const config: DoctorConfig = { executor: 'local', track: 'nanogpt', agent: 'reference', cleanup: false };
    expect(check(await runDoctor(config, withTorch('2.7.1+cu124')), 'torch-cuda')).toMatchObject({
      status: 'ok',
      detail: 'torch 2.7.1+cu124 with CUDA 12.4, 8 GPUs visible',
    });
    expect(check(await runDoctor(config, withTorch('2.4.0+cu124')), 'torch-cuda')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('records 12 onwards need FlexAttention'),
    });
    expect(check(await runDoctor({ ...config, track: 'tiny' }, withTorch('2.7.1')), 'torch-cuda').status).toBe('skip');
  });

  it('fails an old Node.js and a missing git', async () => {
    const report = await runDoctor(
      { executor: 'slurm', track: 'tiny', agent: 'null', cleanup: false },
      deps({ nodeVersion: '20.11.1', run: async () => ({ exitCode: null, stdout: '', stderr: '', notFound: true, timedOut: false }), env: { PATH: '' } }),
    );
    expect(check(report, 'node')).toMatchObject({ status: 'fail', detail: 'v20.11.1 is older than v20.19' });
    expect(check(report, 'git')).toMatchObject({ status: 'fail', fix: expect.stringContaining('install git') });
  });

  it('runs --cleanup through the injected hook, and fails it when there is none', async () => {
    const config: DoctorConfig = { executor: 'local', track: 'tiny', agent: 'reference', cleanup: true, python: '/no/such/python' };
    const cleaned = await runDoctor(config, deps({ removeOrphanContainers: async () => ['abc123', 'def456'] }));
    expect(check(cleaned, 'docker-cleanup')).toMatchObject({ status: 'ok', detail: 'removed 2: abc123, def456' });
    const unwired = await runDoctor(config, deps());
    expect(check(unwired, 'docker-cleanup').status).toBe('fail');
  });

  it('warns about the reference BLAS only', () => {
    expect(judgeBlas({ blas_info: 'generic', libs: ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3'] })).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('libopenblas0-pthread'),
    });
    expect(judgeBlas({ blas_info: 'generic', libs: ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3'] }).status).toBe('ok');
    expect(judgeBlas({ blas_info: 'mkl', libs: [] })).toMatchObject({ status: 'ok', detail: 'mkl (built into torch)' });
  });
});
