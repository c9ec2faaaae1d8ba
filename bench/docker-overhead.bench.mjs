// Cost of the docker sandbox: the tiny track's fastest rung (record 6, ~5 s of training) run with the local executor
// and with the docker executor (CPU image), side by side: REPEATS pairs, each pair run back to back with the order
// alternating, so drift on the machine (other jobs, thermal, page cache) hits both alike. Reports the median of the
// per-pair ratios docker/local, for the wall time (the goal, ≤ 1.10) and for the script's own train_time (what a
// score is made of), the time each spends outside training (interpreter start, imports, data load, container start),
// and the median container start latency (create + attach + start). Needs a running Docker engine and
// speedrun/cpu:1 (scripts/ci/docker-setup.sh); without them it says so and reports `skipped`.
// DOCKER_BENCH_REPEATS sets the pairs (default 5). BENCH_SMOKE=1: one pair of 5-step trainings (the --smoke rewrite).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { prepareTinyData } from '../dist/core/data/prepare.js';
import { DockerExecutor } from '../dist/core/exec/docker/docker-executor.js';
import { imageByName, imageTag } from '../dist/core/exec/docker/images.js';
import { LocalExecutor } from '../dist/core/exec/local.js';
import { findPythonWithTorch } from '../dist/core/exec/python.js';
import { parseLog } from '../dist/core/measure/log-parser.js';
import { packageRoot } from '../dist/core/paths.js';
import { smokeRewrite } from '../dist/core/smoke/smoke-rewrite.js';
import { report, size, SMOKE } from './bench-mode.mjs';

const RECORD = 6;
const REPEATS = Number(process.env.DOCKER_BENCH_REPEATS ?? size(5, 1));
const GOAL = 1.1;
const image = imageTag(imageByName('cpu'));

const docker = new Docker();
const missing = await Promise.all([docker.ping(), docker.getImage(image).inspect()]).then(
  () => null,
  (error) => error.message,
);
// Not process.exit: bench/run.mjs runs the other benchmarks in this same process.
if (missing) {
  console.log(`skipped: no Docker engine or no ${image} (${missing}); run scripts/ci/docker-setup.sh`);
  report('docker-overhead', { skipped: missing });
} else {
  await measure();
}

async function measure() {
  const root = await mkdtemp(join(tmpdir(), 'speedrun-docker-bench-'));
  const data = await prepareTinyData(join(root, 'data'));
  const python = await findPythonWithTorch(undefined);
  const executors = { local: new LocalExecutor(), docker: new DockerExecutor(docker, { image, compileCacheDir: join(root, 'cache') }) };
  const recordScript = await readFile(join(packageRoot, 'records', 'tiny', `r${String(RECORD).padStart(2, '0')}`, 'train_gpt.py'), 'utf8');
  const script = SMOKE ? smokeRewrite(recordScript, 5).script : recordScript;

  let node = 0;
  async function runOnce(kind) {
    const workDir = join(root, 'nodes', String(++node));
    await mkdir(workDir, { recursive: true });
    const scriptPath = join(workDir, 'train_gpt.py');
    await writeFile(scriptPath, script);
    const result = await executors[kind].run({
      runId: 'docker-bench',
      node,
      workDir,
      scriptPath,
      runner: 'python',
      nproc: 1,
      python: python.python,
      gpus: [],
      env: { NANOGPT_TRAIN_FILES: data.trainFiles, NANOGPT_VAL_FILES: data.valFiles, NANOGPT_VAL_TOKENS: String(data.valTokens) },
      readOnlyDirs: [data.dir],
      timeoutMs: 300_000,
    });
    const final = parseLog(await readFile(result.stdoutPath, 'utf8')).final;
    if (result.exitCode !== 0 || !final) throw new Error(`${kind} run failed (exit ${result.exitCode}): ${result.stderrTail}`);
    const sample = { wallMs: result.wallMs, trainMs: final.train_time_ms, startMs: result.startMs ?? null };
    console.log(
      `${kind.padEnd(6)} wall ${(sample.wallMs / 1000).toFixed(2)} s   train_time ${(sample.trainMs / 1000).toFixed(2)} s${kind === 'docker' ? `   start ${sample.startMs.toFixed(0)} ms` : ''}`,
    );
    return sample;
  }

  const pairs = [];
  try {
    // One untimed docker run first: the first container after an engine start pays for loading the image's layers.
    await runOnce('docker');
    for (let i = 0; i < REPEATS; i++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      const order = i % 2 === 0 ? ['local', 'docker'] : ['docker', 'local'];
      const pair = {};
      for (const kind of order) pair[kind] = await runOnce(kind);
      pairs.push(pair);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }

  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const of = (kind, field) => median(pairs.map((p) => p[kind][field]));
  const figures = {
    record: RECORD,
    pairs: pairs.length,
    wall_ratio: median(pairs.map((p) => p.docker.wallMs / p.local.wallMs)),
    train_time_ratio: median(pairs.map((p) => p.docker.trainMs / p.local.trainMs)),
    wall_ms: { local: of('local', 'wallMs'), docker: of('docker', 'wallMs') },
    train_time_ms: { local: of('local', 'trainMs'), docker: of('docker', 'trainMs') },
    outside_training_ms: {
      local: median(pairs.map((p) => p.local.wallMs - p.local.trainMs)),
      docker: median(pairs.map((p) => p.docker.wallMs - p.docker.trainMs)),
    },
    container_start_ms: median(pairs.map((p) => p.docker.startMs)),
  };
  const s = (ms) => (ms / 1000).toFixed(2);
  console.log(`tiny record ${RECORD}${SMOKE ? ' (5-step smoke rewrite)' : ''}, ${pairs.length} pairs run back to back, order alternating; medians:`);
  console.log(
    `wall time        local ${s(figures.wall_ms.local)} s   docker ${s(figures.wall_ms.docker)} s   docker/local per pair ${figures.wall_ratio.toFixed(3)}   (goal ≤ ${GOAL.toFixed(2)})`,
  );
  console.log(
    `train_time       local ${s(figures.train_time_ms.local)} s   docker ${s(figures.train_time_ms.docker)} s   docker/local per pair ${figures.train_time_ratio.toFixed(3)}`,
  );
  console.log(
    `outside training local ${s(figures.outside_training_ms.local)} s   docker ${s(figures.outside_training_ms.docker)} s   (start-up, imports, data load)`,
  );
  console.log(`container start latency (create + attach + start): median ${figures.container_start_ms.toFixed(0)} ms`);
  report('docker-overhead', figures, figures.wall_ratio <= GOAL);
}
