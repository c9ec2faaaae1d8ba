import type { RunSummary } from '../core/store/schema.js';
import { formatSeconds } from './options.js';

export function formatFsr(value: number | null): string {
  return value === null ? '—' : value.toFixed(3);
}

export function formatRunSummary(s: RunSummary): string {
  const best = s.best
    ? `node ${s.best.node}: ${formatSeconds(s.best.train_time_ms)}${s.best.val_loss === null ? ' (the baseline record)' : ` (val_loss ${s.best.val_loss.toFixed(4)})`}`
    : 'none';
  return [
    `run ${s.run_id} ${s.status}`,
    `  task       ${s.track} record ${s.record} → ${s.record + 1}, hint ${s.hint}, agent ${s.agent}`,
    `  times      t_i ${formatSeconds(s.baseline_ms)}, t_i+1 ${formatSeconds(s.target_ms)} (from ${s.times_from})`,
    `  best       ${best}`,
    `  FSR        ${formatFsr(s.fsr)}${s.fsr_flags.length ? `  (${s.fsr_flags.join('; ')})` : ''}`,
    `  results    ${s.results_dir}`,
  ].join('\n');
}
