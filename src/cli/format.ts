import type { RunSummary } from '../core/store/schema.js';

/** 2968348 → "49.47 min", 45210 → "45.2 s"; no time → "—". */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(2)} min` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatFsr(value: number | null): string {
  return value === null ? '—' : value.toFixed(3);
}

export function formatRunSummary(s: RunSummary): string {
  const best = s.best
    ? `node ${s.best.node}: ${formatTime(s.best.train_time_ms)}${s.best.val_loss === null ? ' (the baseline record)' : ` (val_loss ${s.best.val_loss.toFixed(4)})`}`
    : 'none';
  return [
    `run ${s.run_id} ${s.status}`,
    `  task       ${s.track} record ${s.record} → ${s.record + 1}, hint ${s.hint}, agent ${s.agent}`,
    `  times      t_i ${formatTime(s.baseline_ms)}, t_i+1 ${formatTime(s.target_ms)} (from ${s.times_from})`,
    `  best       ${best}`,
    `  FSR        ${formatFsr(s.fsr)}${s.fsr_flags.length ? `  (${s.fsr_flags.join('; ')})` : ''}`,
    `  results    ${s.results_dir}`,
  ].join('\n');
}
