// Cost of the docker sandbox: the tiny track's fastest rung (record 6, ~5 s of training) run with the local executor
// and with the docker executor (CPU image), interleaved so drift on the machine hits both alike, 3 times each.
// Reports the median wall-time ratio docker/local (goal ≤ 1.10) and the median container start latency
// (create + attach + start). Needs a running Docker engine and speedrun/cpu:1 (scripts/ci/docker-setup.sh).
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
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

const RECORD = 6;
const REPEATS = 3;
const GOAL = 1.1;
const image = imageTag(imageByName('cpu'));

const docker = new Docker();
try {
  await docker.ping();
  await docker.getImage(image).inspect();
} catch (error) {
  console.log(`skipped: no Docker engine or no ${image} (${error.message}); run scripts/ci/docker-setup.sh`);
  process.exit(0);
}

const root = await mkdtemp(join(tmpdir(), 'speedrun-docker-bench-'));
const data = await prepareTinyData(join(root, 'data'));
const python = await findPythonWithTorch(undefined);
const executors = { local: new LocalExecutor(), docker: new DockerExecutor(docker, { image, compileCacheDir: join(root, 'cache') }) };
const samples = { local: [], docker: [] };
const starts = [];

let node = 0;
async function runOnce(kind) {
  const workDir = join(root, 'nodes', String(++node));
  await mkdir(workDir, { recursive: true });
  const scriptPath = join(workDir, 'train_gpt.py');
  await copyFile(join(packageRoot, 'records', 'tiny', `r${String(RECORD).padStart(2, '0')}`, 'train_gpt.py'), scriptPath);
  const result = await executors[kind].run({
    runId: 'docker-bench', node, workDir, scriptPath, runner: 'python', nproc: 1, python: python.python, gpus: [],
    env: { NANOGPT_TRAIN_FILES: data.trainFiles, NANOGPT_VAL_FILES: data.valFiles, NANOGPT_VAL_TOKENS: String(data.valTokens) },
    readOnlyDirs: [data.dir], timeoutMs: 300_000,
  });
  const final = parseLog(await readFile(result.stdoutPath, 'utf8')).final;
  if (result.exitCode !== 0 || !final) throw new Error(`${kind} run failed (exit ${result.exitCode}): ${result.stderrTail}`);
  samples[kind].push({ wallMs: result.wallMs, trainMs: final.train_time_ms });
  if (kind === 'docker') starts.push(result.startMs);
  console.log(`${kind.padEnd(6)} wall ${(result.wallMs / 1000).toFixed(2)} s   train_time ${(final.train_time_ms / 1000).toFixed(2)} s${kind === 'docker' ? `   start ${result.startMs.toFixed(0)} ms` : ''}`);
}

try {
  // One untimed docker run first: the first container after an engine start pays for loading the image's layers.
  await runOnce('docker');
  samples.docker.length = 0;
  starts.length = 0;
  for (let i = 0; i < REPEATS; i++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    for (const kind of i % 2 === 0 ? ['local', 'docker'] : ['docker', 'local']) await runOnce(kind);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wall = { local: median(samples.local.map((s) => s.wallMs)), docker: median(samples.docker.map((s) => s.wallMs)) };
const train = { local: median(samples.local.map((s) => s.trainMs)), docker: median(samples.docker.map((s) => s.trainMs)) };
const ratio = wall.docker / wall.local;
console.log(`tiny record ${RECORD}, ${REPEATS} runs each, interleaved; medians:`);
console.log(`wall time   local ${(wall.local / 1000).toFixed(2)} s   docker ${(wall.docker / 1000).toFixed(2)} s   ratio ${ratio.toFixed(3)}   (goal ≤ ${GOAL.toFixed(2)})`);
console.log(`train_time  local ${(train.local / 1000).toFixed(2)} s   docker ${(train.docker / 1000).toFixed(2)} s   ratio ${(train.docker / train.local).toFixed(3)}`);
console.log(`container start latency (create + attach + start): median ${median(starts).toFixed(0)} ms`);
if (ratio > GOAL) process.exitCode = 1;
