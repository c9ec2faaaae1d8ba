// Is the claimed FSR load-proof? The reference agent (applies record i+1: FSR ≈ 1) and the null agent (changes
// nothing: FSR exactly 0) on tiny tasks 1 and 5, run through the built binary with a fresh cache (no calibration
// of this machine), in two conditions:
//   quiet  nothing of ours beside the run;
//   load   for the whole run, a spinner (a busy loop) and two processes streaming 256 MB tensor copies (memory
//          bandwidth is what inflates a CPU-time clock most), started before and killed after.
// Each agent runs with the track's default scoring (tiny: --retime both, times measured in the run's scoring
// round) and, for contrast, the reference agent with --retime none (t_i, t_i+1 from the record table, another
// moment on another machine state). Target: reference within [0.9, 1.1] and null exactly 0, in both conditions.
// Settings (environment): LOAD_FSR_TASKS (default "1,5"), LOAD_FSR_CASES ("quiet,load"), LOAD_FSR_REPEATS (the
// scoring round's repeats; default the track's), SPEEDRUN_PYTHON. It takes tens of minutes on 2 cores.
// BENCH_SMOKE=1: task 1 under load, the reference agent only, every training cut to 5 steps (--smoke: never scored,
// so its FSR is null): the same commands, load and bookkeeping in well under a minute.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { findPythonWithTorch } from '../dist/core/exec/python.js';
import { packageRoot } from '../dist/core/paths.js';
import { report, size, SMOKE } from './bench-mode.mjs';

const TASKS = (process.env.LOAD_FSR_TASKS ?? size('1,5', '1')).split(',').map(Number);
const CASES = (process.env.LOAD_FSR_CASES ?? size('quiet,load', 'load')).split(',');
const REPEATS = process.env.LOAD_FSR_REPEATS;
const RUNS = size(
  [
    { agent: 'reference', retime: null },
    { agent: 'null', retime: null },
    { agent: 'reference', retime: 'none' },
  ],
  [{ agent: 'reference', retime: null }],
);

const python = await findPythonWithTorch(process.env.SPEEDRUN_PYTHON);
const bin = join(packageRoot, 'bin', 'speedrun.js');

/** The load: one busy loop and two tensor-copy streams, each in its own process group so all of it can be stopped. */
function startLoad() {
  const copier = [
    'import torch',
    'torch.set_num_threads(1)',
    'a = torch.ones(64 * 1024 * 1024)  # 256 MB of float32',
    'b = torch.empty_like(a)',
    'while True:',
    '    b.copy_(a)',
    '    a.copy_(b)',
  ].join('\n');
  const spawnOne = (args) => spawn(python.python, args, { stdio: 'ignore', detached: true });
  return [spawnOne(['-c', 'while True: pass']), spawnOne(['-c', copier]), spawnOne(['-c', copier])];
}

function stopLoad(processes) {
  for (const child of processes) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function runOnce(cache, out, task, run) {
  const args = ['run', '--track', 'tiny', '--record', String(task), '--agent', run.agent, '--python', python.python, '--cache', cache, '--out', out, '--json'];
  if (run.retime) args.push('--retime', run.retime);
  if (REPEATS) args.push('--retime-repeats', REPEATS);
  if (SMOKE) args.push('--smoke', '5');
  const started = Date.now();
  const result = await execa('node', [bin, ...args], { reject: false });
  if (result.exitCode !== 0) throw new Error(`speedrun ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.stderr.slice(-2000)}`);
  return { summary: JSON.parse(result.stdout), wallS: (Date.now() - started) / 1000 };
}

const rows = [];
const seconds = (ms) => (ms === null || ms === undefined ? '—' : (ms / 1000).toFixed(2));
console.log(
  `python ${python.python} (torch ${python.torchVersion}); tasks ${TASKS.join(', ')}; cases ${CASES.join(', ')}; load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const condition of CASES) {
  // A fresh cache per condition: no calibration of this machine, the data made anew.
  const cache = await mkdtemp(join(tmpdir(), 'speedrun-load-fsr-'));
  const load = condition === 'load' ? startLoad() : [];
  try {
    if (load.length) await new Promise((resolve) => setTimeout(resolve, size(3000, 200))); // let the load settle in
    for (const task of TASKS) {
      for (const run of RUNS) {
        const { summary, wallS } = await runOnce(cache, join(cache, 'results'), task, run);
        const row = {
          condition,
          task,
          agent: run.agent,
          retime: summary.scoring?.retime ?? run.retime ?? 'default',
          fsr: summary.fsr,
          t_i: summary.baseline_ms,
          t_next: summary.target_ms,
          t_best: summary.best?.train_time_ms ?? null,
          from: summary.times_from,
          repeats: summary.scoring?.repeats ?? 0,
          wallS,
          load: loadavg()[0],
        };
        rows.push(row);
        console.log(
          `${condition.padEnd(5)} task ${task} ${row.agent.padEnd(9)} retime ${row.retime.padEnd(4)} FSR ${row.fsr === null ? '—' : row.fsr.toFixed(3)}  t_i ${seconds(row.t_i)} s  t_i+1 ${seconds(row.t_next)} s  t* ${seconds(row.t_best)} s  (${row.from}, ${row.repeats} repeats)  wall ${row.wallS.toFixed(0)} s  load ${row.load.toFixed(2)}`,
        );
      }
    }
  } finally {
    stopLoad(load);
    await rm(cache, { recursive: true, force: true });
  }
}

console.log('\n| condition | task | agent | retime | FSR | t_i | t_i+1 | t* | times from | wall |');
console.log('| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.condition} | ${r.task} | ${r.agent} | ${r.retime} | ${r.fsr === null ? '—' : r.fsr.toFixed(3)} | ${seconds(r.t_i)} s | ${seconds(r.t_next)} s | ${seconds(r.t_best)} s | ${r.from} | ${r.wallS.toFixed(0)} s |`,
  );
}
// The target applies to the default scoring; the --retime none rows show what it replaced.
const misses = rows.filter((r) => r.retime !== 'none' && (r.agent === 'null' ? r.fsr !== 0 : !(r.fsr >= 0.9 && r.fsr <= 1.1)));
if (SMOKE) console.log('smoke run: trainings cut to 5 steps are never scored, so no target is checked');
else console.log(misses.length === 0 ? 'target met: reference within [0.9, 1.1], null exactly 0' : `target missed by ${misses.length} run(s)`);
report('load-fsr', { rows }, misses.length === 0);
