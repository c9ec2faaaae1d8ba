// `speedrun view` at the paper's scale: a bench of 3,000 runs (20 tasks × 5 hints × 6 agents × 5 seeds, 5 nodes
// each, with logs and diffs) written through the store's writers, then timed: the server's start (the catalog), the
// index (GET /api/index, the page a user opens first: cold, then again), one run page, and the whole static bundle.
// Goal (issue 18): the index in under 2 s. Set VIEW_BENCH_OUT=<dir> to keep the folder. BENCH_SMOKE=1: 40 runs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimBenchFolder } from '../dist/core/bench/bench-manifest.js';
import { fsr } from '../dist/core/score/fsr.js';
import { seededRandom } from '../dist/core/score/stats.js';
import { nodeResult } from '../dist/core/store/node-result.js';
import { RunStore } from '../dist/core/store/run-store.js';
import { NodeResult, RunConfig, RunSummary } from '../dist/core/store/schema.js';
import { writeViewBundle } from '../dist/core/view/view-bundle.js';
import { startViewServer } from '../dist/core/view/view-server.js';
import { report, size } from './bench-mode.mjs';

const TASKS = size(20, 2);
const HINTS = ['none', 'L1', 'L2', 'L3', 'L1+L2+L3'];
const AGENTS = size(['model-a', 'model-b', 'model-c', 'model-d', 'model-e', 'model-f'], ['model-a', 'model-b']);
const SEEDS = size(5, 2);
const NODES = 5;
const GOAL_MS = 2000;
const random = seededRandom(7);

const out = process.env.VIEW_BENCH_OUT ?? (await mkdtemp(join(tmpdir(), 'speedrun-view-bench-')));
const benchDir = join(out, 'bench');
const spec = {
  tracks: ['tiny'],
  records: `1-${TASKS}`,
  hints: HINTS,
  agents: AGENTS.map((model) => ({ name: 'llm', model })),
  scaffolds: ['flat'],
  seeds: SEEDS,
};
await claimBenchFolder(benchDir, { ...spec, executor: 'sim', slots: 1, parallel: 1 }, [], new Date(0));

const LOG = Array.from({ length: 200 }, (_, i) =>
  i % 50 === 49 ? `step:${i + 1}/200 val_loss:3.${900 - i} train_time:${i * 100}ms step_avg:100ms` : `line ${i}`,
).join('\n');
const DIFF = '--- a/train_gpt.py\n+++ b/train_gpt.py\n@@ -1 +1 @@\n-lr = 0.1\n+lr = 0.2\n';

async function writeRun(task, hint, model, seed) {
  const runId = `tiny-r${task}-${hint}-llm_${model}-flat-s${seed}`;
  const store = await RunStore.open(join(benchDir, runId));
  const baseline = 100_000;
  const nodes = [nodeResult({ node: 0, parent: null, operator: 'baseline', status: 'ok', measured_by: 'record-table', time_to_target_ms: baseline })];
  for (let n = 1; n < NODES; n++) {
    const ok = random() > 0.25;
    nodes.push(
      nodeResult({
        node: n,
        parent: n - 1,
        operator: 'improve',
        status: ok ? 'ok' : 'crashed',
        measured_by: 'executed',
        time_to_target_ms: ok ? Math.round(baseline * (0.8 + 0.25 * random())) : null,
        wall_ms: 200_000,
        llm: { llm_calls: 1, prompt_tokens: 4000, completion_tokens: 800, cost_usd: 0.02 },
      }),
    );
  }
  const best = nodes.filter((n) => n.time_to_target_ms !== null).sort((a, b) => a.time_to_target_ms - b.time_to_target_ms)[0];
  const summary = RunSummary.parse({
    run_id: runId,
    track: 'tiny',
    record: task,
    hint,
    agent: 'llm',
    model,
    scaffold: 'flat',
    seed,
    status: 'finished',
    stop_reason: null,
    baseline_ms: baseline,
    target_ms: 80_000,
    times_from: 'calibration',
    best: { node: best.node, train_time_ms: best.time_to_target_ms, val_loss: null },
    fsr: fsr(baseline, 80_000, best.time_to_target_ms),
    fsr_flags: [],
    nodes: NODES,
    usage: { llm_calls: NODES - 1, prompt_tokens: 4000 * (NODES - 1), completion_tokens: 800 * (NODES - 1), cost_usd: 0.02 * (NODES - 1) },
    results_dir: store.dir,
  });
  const config = RunConfig.parse({
    run_id: runId,
    track: 'tiny',
    record: task,
    hint,
    agent: 'llm',
    executor: 'sim',
    python: null,
    torch_version: null,
    agent_config: { model },
    budget: {},
    scaffold: { name: 'flat' },
    seed,
    created_at: '2025-01-01T00:00:00.000Z',
  });
  await store.writeRun(config, summary);
  for (const node of nodes) {
    await store.writeNodeResult(NodeResult.parse(node));
    await writeFile(join(store.nodeDir(node.node), 'stdout.log'), LOG);
    if (node.node > 0) await writeFile(join(store.nodeDir(node.node), 'edit.diff'), DIFF);
  }
}

const tWrite = performance.now();
const jobs = [];
for (let task = 1; task <= TASKS; task++)
  for (const hint of HINTS) for (const model of AGENTS) for (let seed = 1; seed <= SEEDS; seed++) jobs.push([task, hint, model, seed]);
for (let i = 0; i < jobs.length; i += 16) await Promise.all(jobs.slice(i, i + 16).map((job) => writeRun(...job)));
const runs = jobs.length;
console.log(`wrote ${runs} runs (${runs * NODES} nodes) in ${((performance.now() - tWrite) / 1000).toFixed(1)} s`);

const ms = (t) => Math.round(performance.now() - t);
let t = performance.now();
const server = await startViewServer([benchDir], '127.0.0.1', 0);
const startMs = ms(t);
const get = async (path) => {
  const res = await fetch(new URL(path, server.url));
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.text();
};
t = performance.now();
const index = await get('api/index');
const indexColdMs = ms(t);
t = performance.now();
await get('api/index');
const indexWarmMs = ms(t);
const parsed = JSON.parse(index);
const rows = parsed.benches.reduce((n, b) => n + b.runs.length, 0);
const first = parsed.benches[0].runs[0];
t = performance.now();
await get(`api/run/${first.bench}/${first.id}`);
const runMs = ms(t);
await server.close();

t = performance.now();
const bundle = await writeViewBundle([benchDir], join(out, 'site'));
const bundleMs = ms(t);

console.log(`server start (catalog of ${rows} runs):  ${startMs} ms`);
console.log(`GET /api/index, first:                ${indexColdMs} ms (${(index.length / 1e6).toFixed(1)} MB)`);
console.log(`GET /api/index, again:                ${indexWarmMs} ms`);
console.log(`GET /api/run/… (one run page):        ${runMs} ms`);
console.log(`--bundle (${bundle.runs} runs, ${bundle.nodes} nodes):      ${(bundleMs / 1000).toFixed(1)} s`);
const open = startMs + indexColdMs;
console.log(`open (start + first index): ${open} ms (goal < ${GOAL_MS} ms) ${open < GOAL_MS ? 'OK' : 'SLOW'}`);
if (!process.env.VIEW_BENCH_OUT) await rm(out, { recursive: true, force: true });
report(
  'view-index',
  { runs: rows, start_ms: startMs, index_cold_ms: indexColdMs, index_warm_ms: indexWarmMs, index_mb: index.length / 1e6, run_ms: runMs, bundle_ms: bundleMs },
  open < GOAL_MS,
);
