import type { RunSummary } from '../core/store/schema.js';
import { formatTime } from '../core/format-time.js';
import { formatFsr } from '../core/score/fsr.js';

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatRunSummary(s: RunSummary): string {
  const best = s.best
    ? `node ${s.best.node}: ${formatTime(s.best.train_time_ms)}${s.best.val_loss === null ? ' (the baseline record)' : ` (val_loss ${s.best.val_loss.toFixed(4)})`}`
    : 'none';
  return [
    `run ${s.run_id} ${s.status}`,
    `  task       ${s.track} record ${s.record} → ${s.record + 1}, hint ${s.hint}, agent ${s.agent}${s.model ? ` (${s.model})` : ''}`,
    `  search     ${s.scaffold} (seed ${s.seed}), ${s.nodes} nodes with the baseline${s.stop_reason ? `; stopped: ${s.stop_reason}` : ''}`,
    `  times      t_i ${formatTime(s.baseline_ms)}, t_i+1 ${formatTime(s.target_ms)} (from ${s.times_from}${scoringText(s)})${timingText(s)}`,
    `  best       ${best}`,
    `  FSR        ${formatFsr(s.fsr)}${s.fsr_flags.length ? `  (${s.fsr_flags.join('; ')})` : ''}`,
    ...(s.flagged_best ? [`  flagged    ${formatFlaggedBest(s.flagged_best)}`] : []),
    ...(s.integrity.rejected.length || s.integrity.flagged.length ? [`  integrity  ${formatIntegrity(s.integrity)}`] : []),
    ...(s.usage.llm_calls ? [`  LLM        ${formatUsage(s.usage)}`] : []),
    `  results    ${s.results_dir}`,
  ].join('\n');
}

/** How each time was read: the track's rule at the task's target. */
function timingText(s: RunSummary): string {
  if (!s.timing_rule) return '';
  return `; timed at the ${s.timing_rule === 'final' ? 'final val line' : 'first val line'} ≤ ${s.target_val_loss}`;
}

/** With a scoring round: its repeats, so the reader knows t_i, t_i+1 and t* are medians of this run's trainings. */
function scoringText(s: RunSummary): string {
  const scoring = s.scoring;
  if (!scoring || scoring.retime === 'none') return '';
  return scoring.repeats > 0 ? `, medians of ${scoring.repeats} interleaved repeats in the scoring round` : `, no scoring round: ${scoring.note ?? ''}`;
}

/** Which nodes the audit rejected or flagged; the findings themselves are in each node's result.json. */
function formatIntegrity(i: RunSummary['integrity']): string {
  const nodes = (ids: number[]) => ids.map((n) => `#${n}`).join(' ');
  const parts = [];
  if (i.rejected.length) parts.push(`rejected ${nodes(i.rejected)} (not scored)`);
  if (i.flagged.length) parts.push(`flagged ${nodes(i.flagged)} (never the claimed score unless a verification clears them)`);
  return `${parts.join(', ')}; findings in nodes/N/result.json`;
}

/** The faster node the flags keep out of the score, and how to clear it. */
function formatFlaggedBest(f: NonNullable<RunSummary['flagged_best']>): string {
  return `node ${f.node}: ${formatTime(f.train_time_ms)}, FSR ${formatFsr(f.fsr)}, not claimed (${f.flags.join('; ')}); \`speedrun verify\` re-runs it in fresh folders and can clear it`;
}

function formatUsage(u: RunSummary['usage']): string {
  const cost = u.cost_usd === null ? 'cost unknown (no prices)' : `$${u.cost_usd.toFixed(4)}`;
  return `${u.llm_calls} calls, ${u.prompt_tokens} + ${u.completion_tokens} tokens, ${cost}`;
}
