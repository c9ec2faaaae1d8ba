// Log parser throughput: the parser runs on every line of every live training log, so it must stay far
// faster than any script can print. Compares, in one run, whole-text parsing with streaming in 4 KiB
// chunks and line by line (as the executor feeds it), and reports ratios and heap growth.
// BENCH_SMOKE=1: a 2,000-step log, parsed once each way.
import { LogParser, parseLog } from '../dist/core/measure/log-parser.js';
import { report, size } from './bench-mode.mjs';

/** A long synthetic log in the latest upstream format: source, separator, 200k train lines, periodic val lines. */
function syntheticLog(steps) {
  const lines = ['import torch  # script source precedes the separator', '='.repeat(100)];
  for (let step = 0; step <= steps; step++) {
    const t = step * 57;
    if (step % 125 === 0)
      lines.push(`step:${step}/${steps} val_loss:${(10 - (step / steps) * 6.7).toFixed(4)} train_time:${t}ms step_avg:${(t / Math.max(step, 1)).toFixed(2)}ms`);
    else lines.push(`step:${step}/${steps} train_time:${t}ms step_avg:${(t / step).toFixed(2)}ms`);
  }
  return `${lines.join('\n')}\n`;
}

function time(label, fn, repeats = size(5, 1)) {
  const samples = [];
  let result;
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    result = fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { label, ms: samples[Math.floor(repeats / 2)], result };
}

const text = syntheticLog(size(200_000, 2_000));
const lines = text.split('\n').map((l) => `${l}\n`);
const mb = Buffer.byteLength(text) / 1e6;

const whole = time('whole text (parseLog)', () => parseLog(text));
const chunked = time('4 KiB chunks', () => {
  const p = new LogParser();
  for (let i = 0; i < text.length; i += 4096) p.push(text.slice(i, i + 4096));
  p.end();
  return p.result();
});
const byLine = time('line by line (live)', () => {
  const p = new LogParser();
  for (const line of lines) p.push(line);
  p.end();
  return p.result();
});

for (const r of [chunked, byLine]) {
  if (r.result.points.length !== whole.result.points.length || r.result.final?.train_time_ms !== whole.result.final?.train_time_ms) {
    throw new Error(`${r.label} disagrees with whole-text parsing`);
  }
}

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const kept = parseLog(text);
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed;

console.log(`log: ${lines.length - 1} lines, ${mb.toFixed(1)} MB, ${whole.result.points.length} val points`);
console.log('mode                     median ms   MB/s     vs whole text');
for (const r of [whole, chunked, byLine]) {
  console.log(`${r.label.padEnd(25)}${r.ms.toFixed(1).padStart(9)}${(mb / (r.ms / 1000)).toFixed(1).padStart(8)}    ${(r.ms / whole.ms).toFixed(2)}×`);
}
console.log(`heap kept by one parsed log: ${(Math.max(0, heapAfter - heapBefore) / 1e6).toFixed(2)} MB (${kept.points.length} points retained)`);
report('log-parser', {
  lines: lines.length - 1,
  mb,
  val_points: whole.result.points.length,
  modes: Object.fromEntries([whole, chunked, byLine].map((r) => [r.label, { ms: r.ms, mb_per_s: mb / (r.ms / 1000), vs_whole: r.ms / whole.ms }])),
  heap_kept_mb: Math.max(0, heapAfter - heapBefore) / 1e6,
});
