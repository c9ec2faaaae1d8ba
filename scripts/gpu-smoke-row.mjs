#!/usr/bin/env node
// One row of scripts/gpu-smoke.sh's markdown table, from a smoke run's folder: node 1's result.json (with the
// wall time to the first step, which on a GPU is mostly compile, and per later step), or, when the run never got
// that far, the last line speedrun printed on stderr.
//
//   node scripts/gpu-smoke-row.mjs TRACK RECORD RESULTS_DIR STDERR_LOG WALL_SECONDS   (WALL_SECONDS - : unknown)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [track, record, resultsDir, stderrLog, wallSeconds] = process.argv.slice(2);
const cell = (text) =>
  String(text ?? '')
    .replace(/[\n|]+/g, ' ')
    .trim()
    .slice(0, 160);
// The last line, with the error line before it when the last is speedrun's "fix: ..." advice.
const lastLine = (text) => {
  const lines = String(text ?? '')
    .trim()
    .split('\n')
    .filter(Boolean);
  return cell(lines.at(-1)?.startsWith('fix:') ? lines.slice(-2).join(' — ') : lines.at(-1));
};

const runs = existsSync(resultsDir) ? readdirSync(resultsDir) : [];
const resultPath = runs.length === 1 ? join(resultsDir, runs[0], 'nodes', '1', 'result.json') : null;
let row;
if (resultPath && existsSync(resultPath)) {
  const r = JSON.parse(readFileSync(resultPath, 'utf8'));
  const f = r.final;
  const nodeDir = dirname(resultPath);
  const stdout = existsSync(join(nodeDir, 'stdout.log')) ? readFileSync(join(nodeDir, 'stdout.log'), 'utf8') : '';
  // A timeout's stderr ends in torchrun's own shutdown trace; where the script had got to is on stdout.
  const note =
    r.status === 'timeout'
      ? `killed at the run timeout; last output: ${lastLine(stdout) || 'none'}`
      : r.status === 'crashed'
        ? lastLine(r.stderr_tail)
        : cell(r.warnings?.[0]);
  const seconds = (ms) => (ms == null ? '' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
  row = [
    r.status,
    f ? `${f.step}/${f.total_steps ?? '?'}` : '',
    seconds(r.pace?.first_step_ms),
    seconds(r.pace?.per_step_ms),
    f ? f.val_loss.toFixed(4) : '',
    f?.train_time_ms != null ? `${(f.train_time_ms / 1000).toFixed(1)} s` : '',
    note,
  ];
} else {
  row = ['not run', '', '', '', '', '', existsSync(stderrLog) ? lastLine(readFileSync(stderrLog, 'utf8')) : 'no output'];
}
const [status, steps, firstStep, stepTime, loss, train, note] = row;
const wall = wallSeconds === '-' ? '' : `${wallSeconds} s`;
console.log(`| ${[track, record, status, steps, firstStep, stepTime, loss, train, wall, note].join(' | ')} |`);
