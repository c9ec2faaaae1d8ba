// The paper's matrix, simulated: tasks × hint settings × scaffolds × models × seeds, up to 20 nodes a run, on
// 64 simulated GPUs (8 nodes × 8) in 8-GPU (or 1-GPU) slots. Trainings and LLM calls are simulated
// (--executor sim, the simulated model behind the real LlmAgent); the bench loop, engine, scaffolds, store,
// journal and run history are the real code. Measures harness wall time and peak memory for the matrix, then
// `speedrun bench --resume` and `speedrun report` on the finished folder (as child processes), and in a
// second, time-scaled pass how busy the GPUs are while work is queued.
//
//   PAPER_MATRIX=smoke | 114 | 684 | 6840 (default 684)   the tier; see TIERS below
//   PAPER_MATRIX_GPUS_PER_SLOT=8 | 1 (default 8)    the slot size on 64 GPUs
//   PAPER_MATRIX_OUT=DIR                            keep the bench folder there (default: a temp folder, removed)
//
// Prints one line per figure, then a JSON line `{"paper_matrix": {...}}` the bench smoke test reads.
//
// The nanogpt track's record scripts are upstream files that are not shipped; the simulation never runs them,
// so it uses stand-in scripts (one short file per record) in a throwaway cache, with the manifest's times.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LlmAgent } from '../dist/core/agent/llm-agent.js';
import { LlmBudget } from '../dist/core/agent/budget.js';
import { editFormat } from '../dist/core/agent/edits/index.js';
import { SimChatClient } from '../dist/core/agent/llm/sim-client.js';
import { simModel } from '../dist/core/agent/llm/sim-model.js';
import { loadPromptSet } from '../dist/core/agent/prompts.js';
import { BenchSpec } from '../dist/core/bench/bench-spec.js';
import { claimBenchFolder } from '../dist/core/bench/bench-manifest.js';
import { planBench, agentLabel } from '../dist/core/bench/bench-plan.js';
import { runBench } from '../dist/core/bench/run-bench.js';
import { loadTrack } from '../dist/core/catalog/catalog.js';
import { upstreamPaths } from '../dist/core/catalog/files.js';
import { planGpuSets } from '../dist/core/exec/gpus.js';
import { SimExecutor } from '../dist/core/exec/sim/sim-executor.js';
import { SlotPool } from '../dist/core/exec/slot-pool.js';
import { cacheLayout } from '../dist/core/paths.js';
import { runSearch } from '../dist/core/search/run-engine.js';
import { makeScaffold } from '../dist/core/search/scaffolds/index.js';
import { taskTimes } from '../dist/core/calibrate/task-times.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const HINTS = ['none', 'L1', 'L2', 'L3', 'L1+L2', 'L1+L2+L3'];
const SCAFFOLDS = ['flat', 'tree', 'forest', 'aide', 'multi-aide'];
const MODELS = ['sim/m1', 'sim/m2', 'sim/m3', 'sim/m4'];
// Each tier is a whole sub-matrix (so `bench --resume` plans exactly the runs that were made).
const TIERS = {
  smoke: { records: '1', hints: HINTS.slice(0, 1), scaffolds: ['flat', 'aide'], models: MODELS.slice(0, 1), seeds: 3, nodes: 5 },
  114: { records: '1-5,7-20', hints: HINTS, scaffolds: ['aide'], models: MODELS.slice(0, 1), seeds: 1, nodes: 20 },
  684: { records: '1-5,7-20', hints: HINTS, scaffolds: ['flat', 'aide'], models: MODELS.slice(0, 1), seeds: 3, nodes: 20 },
  6840: { records: '1-5,7-20', hints: HINTS, scaffolds: SCAFFOLDS, models: MODELS, seeds: 3, nodes: 20 },
};
const tierName = process.env.PAPER_MATRIX ?? '684';
const tier = TIERS[tierName];
if (!tier) throw new Error(`PAPER_MATRIX=${tierName}: use one of ${Object.keys(TIERS).join(', ')}`);
const gpusPerSlot = Number(process.env.PAPER_MATRIX_GPUS_PER_SLOT ?? 8);
const GPUS = 64;
// Enough runs in progress that every slot has a node to train while the others' agents write theirs.
const parallel = Math.max(16, 2 * (GPUS / gpusPerSlot));

const work = await mkdtemp(join(tmpdir(), 'speedrun-paper-matrix-'));
const dir = process.env.PAPER_MATRIX_OUT ?? join(work, 'bench');
const cache = cacheLayout(join(work, 'cache'));
const manifest = await standInTrack(await loadTrack('nanogpt'), cache);
const prompts = await loadPromptSet();
const spec = BenchSpec.parse({
  tracks: ['nanogpt'],
  records: tier.records,
  hints: tier.hints,
  agents: tier.models.map((model) => ({ name: 'llm', model })),
  scaffolds: tier.scaffolds,
  seeds: tier.seeds,
  nodes: tier.nodes,
  executor: 'sim',
  gpus: `0-${GPUS - 1}`,
  gpus_per_run: gpusPerSlot,
  parallel,
  retime: 'none',
  integrity_check: false,
});
const runs = planBench(spec, new Map([['nanogpt', manifest]]));
console.log(
  `paper matrix (${tierName}): ${runs.length} runs × up to ${tier.nodes} nodes, ${GPUS} simulated GPUs in ${GPUS / gpusPerSlot} slots of ${gpusPerSlot}, ${parallel} runs at once`,
);

// 1. The whole matrix with trainings and LLM calls of ~0 s: what the harness itself costs.
await mkdir(dir, { recursive: true });
await claimBenchFolder(
  dir,
  spec,
  runs.map((r) => r.run_id),
  new Date(),
);
const cpuBefore = process.cpuUsage();
const matrix = await runMatrix(runs, dir, { timeScale: 0, latencyMs: 0, timeTrainings: false });
// CPU time says what the harness costs even where other work shares the machine (wall time does not).
const cpu = process.cpuUsage(cpuBefore);
const cpuS = (cpu.user + cpu.system) / 1e6;
const failed = matrix.entries.filter((e) => e.status !== 'finished' && e.status !== 'budget-exhausted');
if (failed.length) throw new Error(`${failed.length} runs did not finish, e.g. ${failed[0].run_id}: ${failed[0].error}`);
const rssMiB = process.resourceUsage().maxRSS / 1024;
console.log(
  `matrix: ${matrix.nodes} nodes in ${matrix.wallS.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU (${((matrix.wallS * 1000) / runs.length).toFixed(0)} ms wall a run, ${((cpuS * 1000) / matrix.nodes).toFixed(1)} ms CPU a node; target < 600 s for 6,840 runs); peak RSS ${rssMiB.toFixed(0)} MiB (target < 1024)`,
);

// 2. The CLI on the finished folder: resume finds nothing to do, report reads every run.
const env = { ...process.env, SPEEDRUN_CACHE: join(work, 'cli-cache') };
const resume = timedCli(['bench', '--resume', dir, '--json'], env);
console.log(`bench --resume: ${resume.wallS.toFixed(1)} s, peak RSS ${resume.rssMiB ?? '?'} MiB (target < 10 s)`);
const report = timedCli(['report', dir], env);
console.log(`report: ${report.wallS.toFixed(1)} s, peak RSS ${report.rssMiB ?? '?'} MiB (target < 30 s)`);

// 3. GPU busy fraction: a slice of the matrix with trainings and LLM calls at 1/5000 of paper time (a 3-minute
//    record trains in 40 ms, a 1-minute LLM call answers in 12 ms), where the harness's own work between
//    trainings weighs 5000 times more than on real GPUs: a pessimistic bound.
const busyRuns = runs.slice(0, 4 * parallel);
const busyDir = join(work, 'busy');
const busy = await runMatrix(busyRuns, busyDir, { timeScale: 1 / 5000, latencyMs: 12, timeTrainings: true });
const fraction = busyFraction(busy.trainings, busy.lastRunStart, GPUS);
console.log(
  `GPU busy while runs are queued: ${Number.isNaN(fraction) ? 'n/a (no run waited)' : fraction.toFixed(3)} over ${busy.trainings.length} trainings of ${busyRuns.length} runs at 1/5000 time (target ≥ 0.95)`,
);

const figures = {
  tier: tierName,
  runs: runs.length,
  nodes: matrix.nodes,
  gpus_per_slot: gpusPerSlot,
  parallel,
  wall_s: round(matrix.wallS),
  ms_per_run: round((matrix.wallS * 1000) / runs.length),
  ms_per_node: round((matrix.wallS * 1000) / matrix.nodes),
  cpu_s: round(cpuS),
  cpu_ms_per_node: round((cpuS * 1000) / matrix.nodes),
  peak_rss_mib: Math.round(rssMiB),
  kib_per_run: round((rssMiB * 1024) / runs.length),
  resume_s: round(resume.wallS),
  resume_ok: resume.status === 0,
  resume_rss_mib: resume.rssMiB,
  report_s: round(report.wallS),
  report_ok: report.status === 0,
  report_rss_mib: report.rssMiB,
  busy_fraction: Number.isNaN(fraction) ? null : round(fraction, 3),
  busy_runs: busyRuns.length,
};
console.log(JSON.stringify({ paper_matrix: figures }));
if (!process.env.PAPER_MATRIX_OUT) await rm(work, { recursive: true, force: true });
if (!figures.resume_ok || !figures.report_ok) process.exitCode = 1;

/** Runs `list` through the real bench loop, each cell through the real engine; times every training. */
async function runMatrix(list, into, { timeScale, latencyMs, timeTrainings }) {
  const slots = new SlotPool(
    planGpuSets(
      Array.from({ length: GPUS }, (_, i) => i),
      gpusPerSlot,
    ).sets,
  );
  const trainings = [];
  let nodes = 0;
  let lastRunStart = 0;
  const started = performance.now();
  const entries = await runBench({
    dir: into,
    runs: list,
    parallel,
    runOne: async (run, runDir) => {
      lastRunStart = performance.now();
      // Noting every training would hold 136,800 entries in the bench's own memory; only the busy pass needs them.
      const sim = new SimExecutor({ manifest, record: run.record, timeScale });
      const executor = timeTrainings ? timed(sim, trainings) : sim;
      const model = simModel(run.agent.model);
      const agent = new LlmAgent({
        name: 'llm',
        client: new SimChatClient({ latencyMs, seed: `${agentLabel(run.agent)}:${run.run_id}` }),
        model,
        editFormat: editFormat('whole'),
        prompts,
        budget: new LlmBudget({}),
      });
      const summary = await runSearch({
        runId: run.run_id,
        runDir,
        manifest,
        record: run.record,
        hintSpec: run.hint,
        hintText: `(simulated hint ${run.hint})`,
        agent,
        model: model.name,
        budget: {},
        scaffold: makeScaffold(run.scaffold, { nodes: tier.nodes }),
        seed: run.seed,
        executor,
        slots,
        python: { python: 'python3', torchVersion: 'none (simulated)' },
        hardware: `${GPUS} simulated GPUs`,
        cache,
        trackData: { env: {}, dirs: [] },
        times: taskTimes(manifest, run.record, null),
        // The per-node Python audit and script-meaning processes are measured by the engine's own tests; here a
        // hash stands for the meaning and the audit is off (as --no-integrity-check), so the harness is measured.
        checkScript: null,
        scriptMeaning: async (script) => createHash('sha256').update(script).digest('hex'),
        retime: { mode: 'none', repeats: 3 },
      });
      nodes += summary.nodes;
      return summary;
    },
  });
  return { entries, nodes, trainings, lastRunStart, wallS: (performance.now() - started) / 1000 };
}

/** An executor that notes when each training starts and ends, and on how many GPUs. */
function timed(executor, trainings) {
  return {
    name: executor.name,
    liveLines: executor.liveLines,
    run: async (spec) => {
      const start = performance.now();
      const result = await executor.run(spec);
      trainings.push({ start, end: performance.now(), gpus: spec.gpus.length });
      return result;
    },
  };
}

/**
 * GPU-time used over GPU-time available, from the first training's start until the bench starts its last run:
 * while runs are still queued the harness has work for every GPU; the tail, when the last runs finish on fewer
 * GPUs than there are, is the matrix's shape, not the scheduler's to fill.
 */
function busyFraction(trainings, until, gpus) {
  const from = Math.min(...trainings.map((t) => t.start));
  if (!(until > from)) return NaN;
  const used = trainings.reduce((sum, t) => sum + Math.max(0, Math.min(t.end, until) - Math.max(t.start, from)) * t.gpus, 0);
  return used / ((until - from) * gpus);
}

/** A copy of the track whose record scripts are short stand-ins in `cache`, hashes and all. */
async function standInTrack(real, layout) {
  const source = { kind: 'upstream', repo: 'https://example.invalid/speedrun-sim-stand-ins', commit: '5'.repeat(40), license: 'none' };
  const files = upstreamPaths(layout, source).filesDir;
  const records = [];
  for (const record of real.records) {
    const text = `# stand-in for ${real.track} record ${record.number} (speedrun --executor sim never runs it)\nlr = ${record.number}\n`;
    const path = `records/r${record.number}/train_gpt.py`;
    await mkdir(dirname(join(files, path)), { recursive: true });
    await writeFile(join(files, path), text);
    const sha256 = createHash('sha256').update(text).digest('hex');
    // The simulated scripts train on any GPU count, so 1-GPU slots are allowed too.
    records.push({ ...record, script: { path, sha256, bytes: Buffer.byteLength(text) }, gpu_counts: [1, 8] });
  }
  return { ...real, source, records };
}

function timedCli(args, env) {
  const started = performance.now();
  const child = spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', process.execPath, join(root, 'bin', 'speedrun.js'), ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const wallS = (performance.now() - started) / 1000;
  if (child.error) throw child.error;
  const rss = /MAXRSS_KB=(\d+)/.exec(child.stderr ?? '');
  if (child.status !== 0) console.log(`speedrun ${args.join(' ')} exited ${child.status}: ${(child.stderr ?? '').trim().split('\n').slice(-5).join(' | ')}`);
  return { wallS, status: child.status, rssMiB: rss ? Math.round(Number(rss[1]) / 1024) : null };
}

function round(x, digits = 2) {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}
