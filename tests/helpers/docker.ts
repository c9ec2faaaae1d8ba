import Docker from 'dockerode';
import { imageByName, imageTag } from '../../src/core/exec/docker/images.js';
import { LABEL } from '../../src/core/exec/docker/labels.js';

/** The image the docker tests run in. */
export const CPU_IMAGE = imageTag(imageByName('cpu')!);

let ready: Promise<Docker> | undefined;

/**
 * A client for a running engine with the CPU image present. The suite's global setup (tests/setup/services.ts) runs
 * scripts/ci/docker-setup.sh first; this checks its outcome. These tests exercise the sandbox for real: with no engine
 * they fail, they never skip.
 */
export function dockerForTests(): Promise<Docker> {
  ready ??= (async () => {
    const docker = new Docker();
    try {
      await docker.ping();
      await docker.getImage(CPU_IMAGE).inspect();
    } catch (error) {
      throw new Error(`the docker tests need a running engine with ${CPU_IMAGE} (run scripts/ci/docker-setup.sh): ${String(error)}`);
    }
    return docker;
  })();
  return ready;
}

/** Containers (running or not) that carry the run's label. */
export async function containersOfRun(docker: Docker, runId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL.run}=${runId}`] } });
}

/** A run id no other test (or earlier test run) uses, so label filters see only this test's containers. */
let runCounter = 0;
export function uniqueRunId(prefix: string): string {
  return `test-${prefix}-${process.pid}-${Date.now().toString(36)}-${++runCounter}`;
}

/**
 * Runs `scriptPath` (inside `workDir`) as one node in the CPU image, with the track-like data given; the stdout lines
 * `name=json` are collected into `out` (the probes' convention).
 */
export async function runProbeScript(opts: {
  root: string;
  workDir: string;
  scriptPath: string;
  env: Record<string, string>;
  readOnlyDirs: string[];
  links?: { name: string; target: string }[];
}): Promise<{ exitCode: number | null; stderrTail: string; out: Record<string, unknown>; lines: string[] }> {
  const { DockerExecutor } = await import('../../src/core/exec/docker/docker-executor.js');
  const out: Record<string, unknown> = {};
  const lines: string[] = [];
  const result = await new DockerExecutor(await dockerForTests(), { image: CPU_IMAGE, compileCacheDir: `${opts.root}/compile` }).run({
    runId: uniqueRunId('probe'),
    node: 1,
    workDir: opts.workDir,
    scriptPath: opts.scriptPath,
    runner: 'python',
    nproc: 1,
    python: 'python3',
    gpus: [],
    env: opts.env,
    readOnlyDirs: opts.readOnlyDirs,
    ...(opts.links ? { links: opts.links } : {}),
    timeoutMs: 120_000,
    onLine: (stream, line) => {
      if (stream !== 'stdout') return;
      lines.push(line);
      const m = /^(\w+)=(.*)$/.exec(line);
      if (!m) return;
      try {
        out[m[1]!] = JSON.parse(m[2]!);
      } catch {
        // Not a probe's JSON value: the line is still in `lines`.
      }
    },
  });
  return { exitCode: result.exitCode, stderrTail: result.stderrTail, out, lines };
}
