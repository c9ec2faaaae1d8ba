// Report building at paper scale: 10,000 synthetic runs (20 tasks × 5 hints × 4 models × 5 scaffolds × 5 seeds,
// 20 nodes each) through every statistic (bootstrap CIs with 2,000 resamples for 4 tables, SCO over 100
// configurations) and every format (markdown, HTML with three vega charts, JSON, CSV). Goal: under 5 s here.
// Set REPORT_BENCH_OUT=<dir> to keep the files and look at them. BENCH_SMOKE=1: 2 tasks × 1 seed (200 runs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from '../dist/core/report/build.js';
import { writeReport } from '../dist/core/report/write.js';
import { fsr } from '../dist/core/score/fsr.js';
import { seededRandom } from '../dist/core/score/stats.js';
import { report as benchReport, size } from './bench-mode.mjs';

const HINTS = ['none', 'L1', 'L2', 'L3', 'L1+L2+L3'];
const MODELS = ['model-a', 'model-b', 'model-c', 'model-d'];
const SCAFFOLDS = ['flat', 'tree', 'forest', 'aide', 'greedy'];
const TASKS = size(20, 2);
const SEEDS = size(5, 1);
const NODES = 20;
const random = seededRandom(1);

function node(n, status, time) {
  return {
    node: n,
    parent: n === 0 ? null : 0,
    operator: n === 0 ? 'baseline' : 'improve',
    second_parent: null,
    status,
    measured_by: n === 0 ? 'calibration' : 'executed',
    duplicate_of: null,
    script_sha256: null,
    note: null,
    error: null,
    llm: n === 0 ? null : { llm_calls: 1, prompt_tokens: 4000, completion_tokens: 800, cost_usd: 0.02 },
    time_to_target_ms: time,
    val_loss_at_target: null,
    final: null,
    wall_ms: n === 0 ? null : 180_000 + random() * 60_000,
    exit_code: 0,
    stderr_tail: '',
    warnings: [],
  };
}

/** A run whose nodes get faster with more hint and a better model, with crashes and misses along the way. */
function syntheticRun(task, h, m, s, seed) {
  const baseline = 200_000 + task * 10_000;
  const target = baseline * 0.8;
  const skill = 0.1 + 0.15 * h + 0.05 * m + 0.02 * s;
  const nodes = [node(0, 'ok', baseline)];
  let best = baseline;
  for (let n = 1; n < NODES; n++) {
    const roll = random();
    if (roll < 0.3) nodes.push(node(n, 'crashed', null));
    else if (roll < 0.4) nodes.push(node(n, 'missed-target', null));
    else {
      const time = baseline - (baseline - target) * skill * (0.5 + random()) * Math.min(1, n / 8);
      nodes.push(node(n, 'ok', time));
      best = Math.min(best, time);
    }
  }
  const bestNode = nodes.find((x) => x.time_to_target_ms === best);
  const status = random() < 0.02 ? 'aborted' : 'finished';
  const summary = {
    run_id: `t${task}-h${h}-m${m}-s${s}-${seed}`,
    track: 'nanogpt',
    record: task + 1,
    hint: HINTS[h],
    agent: 'llm',
    model: MODELS[m],
    scaffold: SCAFFOLDS[s],
    seed,
    status,
    stop_reason: null,
    baseline_ms: baseline,
    target_ms: target,
    times_from: 'calibration',
    best: { node: bestNode.node, train_time_ms: best, val_loss: 3.27 },
    fsr: fsr(baseline, target, best),
    fsr_flags: [],
    nodes: NODES,
    usage: { llm_calls: NODES - 1, prompt_tokens: 4000 * (NODES - 1), completion_tokens: 800 * (NODES - 1), cost_usd: 0.02 * (NODES - 1) },
    results_dir: '.',
  };
  const integrity = { status: random() < 0.1 ? 'verified' : 'unverified', notes: [] };
  return { summary, nodes, integrity, gpusPerNode: 8 };
}

const runs = [];
for (let task = 0; task < TASKS; task++)
  for (let h = 0; h < HINTS.length; h++)
    for (let m = 0; m < MODELS.length; m++)
      for (let s = 0; s < SCAFFOLDS.length; s++) for (let seed = 1; seed <= SEEDS; seed++) runs.push(syntheticRun(task, h, m, s, seed));

const out = process.env.REPORT_BENCH_OUT ?? (await mkdtemp(join(tmpdir(), 'speedrun-report-bench-')));
const t0 = performance.now();
const report = buildReport(runs, { sources: ['synthetic'] });
const t1 = performance.now();
const files = await writeReport(report, out, ['md', 'html', 'json', 'csv']);
const t2 = performance.now();
const total = (t2 - t0) / 1000;

console.log(`runs: ${runs.length}, nodes: ${runs.length * NODES}, configurations: ${report.totals.configurations}, tasks: ${report.totals.tasks}`);
console.log(`statistics (tables, bootstrap ×2000, SCO, steps, costs): ${((t1 - t0) / 1000).toFixed(2)} s`);
console.log(`formats (md, html with 3 SVG charts, json, csv):          ${((t2 - t1) / 1000).toFixed(2)} s`);
console.log(`total: ${total.toFixed(2)} s (goal < 5 s) ${total < 5 ? 'OK' : 'SLOW'}`);
if (process.env.REPORT_BENCH_OUT) console.log(files.join('\n'));
else await rm(out, { recursive: true, force: true });
benchReport(
  'report',
  { runs: runs.length, nodes: runs.length * NODES, files: files.length, statistics_s: (t1 - t0) / 1000, formats_s: (t2 - t1) / 1000, total_s: total },
  total < 5,
);
