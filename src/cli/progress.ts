import type { EventSink, SpeedrunEvent } from '../core/events.js';
import type { CliContext } from './context.js';
import { formatTime } from '../core/format-time.js';
import { describeFinding } from '../core/measure/integrity-report.js';
import type { NodeResult } from '../core/store/schema.js';
import type { RetimeMode, TimingRule } from '../core/catalog/schema.js';

/** Human progress on stderr for the events worth seeing live. */
export function logProgress(ctx: CliContext): EventSink {
  return (event) => {
    const line = progressLine(event);
    if (line) ctx.log(line);
  };
}

/** The outcome, then one indented line per integrity finding: the audit is shown, not only stored. */
function nodeFinishedLines(result: NodeResult): string {
  const head =
    result.status === 'rejected'
      ? `node ${result.node}: rejected by the integrity check: not trained, never scored`
      : result.error
        ? `node ${result.node}: ${result.status}: ${result.error}`
        : `node ${result.node}: ${result.status}, time to target ${formatTime(result.time_to_target_ms)}${result.warnings.length ? `; warnings: ${result.warnings.join('; ')}` : ''}`;
  const audit = result.integrity;
  if (!audit || audit.findings.length === 0) return head;
  return [
    head,
    `  integrity ${audit.verdict}:`,
    ...audit.findings.map((f) => `    ${describeFinding(f)}${f.excerpt[0] ? `  | ${f.excerpt[0].trim()}` : ''}`),
  ].join('\n');
}

/** Where the score will take its times: said once at the start, so a long scoring round is no surprise. */
function retimeText(event: { timing_rule?: TimingRule; target_val_loss?: number; retime?: RetimeMode }): string {
  const rule = event.timing_rule ? `; timed at the ${event.timing_rule === 'final' ? 'final val line' : 'first val line'} ≤ ${event.target_val_loss}` : '';
  if (!event.retime || event.retime === 'none') return rule;
  return `${rule}; the score re-times record i${event.retime === 'both' ? ', record i+1' : ''} and the best node in this run`;
}

/** A compact human line for the events worth seeing live; null for the rest (log lines stay in the files). */
function progressLine(event: SpeedrunEvent): string | null {
  switch (event.type) {
    case 'run-started':
      return `run ${event.run_id}: track ${event.track}, record ${event.record} → ${event.record + 1}, hint ${event.hint}, agent ${event.agent} (t_i ${formatTime(event.baseline_ms)}, t_i+1 ${formatTime(event.target_ms)}${retimeText(event)})`;
    case 'scoring-started':
      return `scoring round: node ${event.best_node}, record i${event.retime === 'both' ? ' and record i+1' : ''}, ${event.repeats} repeats each, interleaved`;
    case 'scoring-repeat':
      return `scoring round: ${event.script} repeat ${event.repeat}/${event.of}: ${event.status}, time to target ${formatTime(event.time_ms)}`;
    case 'node-created':
      return event.parent === null ? null : `node ${event.node}: ${event.operator} from node ${event.parent}`;
    case 'llm-call':
      return event.error
        ? `node ${event.node}: LLM ${event.purpose} failed: ${event.error}`
        : `node ${event.node}: LLM ${event.purpose}, ${event.prompt_tokens ?? '?'} + ${event.completion_tokens ?? '?'} tokens${event.cost_usd === null ? '' : `, $${event.cost_usd.toFixed(4)}`}, ${formatTime(event.latency_ms)}`;
    case 'edit-applied':
      return `node ${event.node}: +${event.lines_added} −${event.lines_removed} lines: ${event.note}${event.duplicate_of !== null ? ` (the same script as node ${event.duplicate_of}; not trained again)` : ''}`;
    case 'metric':
      return `node ${event.node}: step ${event.step}/${event.total_steps ?? '?'} val_loss ${event.val_loss.toFixed(4)} at ${formatTime(event.train_time_ms)}`;
    case 'node-finished':
      return nodeFinishedLines(event.result);
    case 'error':
      return `error: ${event.message}`;
    default:
      return null;
  }
}
