import { formatTime } from '../format-time.js';
import { describeFinding } from '../measure/integrity-report.js';
import type { NodeResult } from '../store/schema.js';
import type { NodeHistory } from './agent.js';

/** What the harness measured for a node, in one sentence for a prompt. Built only from the parser's numbers. */
export function describeOutcome(result: NodeResult): string {
  const final = result.final;
  const finalText = final
    ? `final val_loss ${final.val_loss.toFixed(4)} at step ${final.step}${final.total_steps ? `/${final.total_steps}` : ''}, train_time ${formatTime(final.train_time_ms)}`
    : 'no validation line';
  const text = ((): string => {
    switch (result.status) {
      case 'ok':
        if (result.measured_by === 'calibration' || result.measured_by === 'record-table') {
          return `reaches the target in ${formatTime(result.time_to_target_ms)} (the record's measured time)`;
        }
        return `reached the target at train_time ${formatTime(result.time_to_target_ms)} (val_loss ${result.val_loss_at_target?.toFixed(4) ?? '?'})`;
      case 'missed-target':
        return `ran to the end but never reached the target (${finalText})`;
      case 'crashed':
        return `crashed with exit code ${result.exit_code} (${finalText})`;
      case 'timeout':
        return `was killed at the time limit (${finalText})`;
      case 'no-metric':
        return 'exited without printing a validation line with a train_time';
      case 'edit-failed':
        return `produced no script: the edit could not be applied (${result.error ?? 'no reason recorded'})`;
      case 'agent-error':
      case 'agent-failed':
        return `produced no script: ${result.error ?? 'the agent failed'}`;
      case 'aborted':
        return 'was stopped by the user';
      case 'rejected':
        return `was rejected by the integrity check and not trained (${rejectReasons(result)})`;
    }
  })();
  const duplicate = result.duplicate_of !== null ? ` It was the same script as node ${result.duplicate_of} (comments, formatting and docstrings aside).` : '';
  const warnings = result.warnings.length ? ` Harness warnings: ${result.warnings.join('; ')}.` : '';
  const flags =
    result.status !== 'rejected' && result.integrity?.verdict === 'flag'
      ? ` Integrity flags: ${result.integrity.findings.map(describeFinding).join('; ')}.`
      : '';
  return `${text}.${duplicate}${warnings}${flags}`;
}

/** The reject findings in words, so a debug step knows what to take out again. */
function rejectReasons(result: NodeResult): string {
  const rejects = result.integrity?.findings.filter((f) => f.severity === 'reject') ?? [];
  return rejects.length ? rejects.map(describeFinding).join('; ') : (result.error ?? 'no reason recorded');
}

/** The history section of a prompt: one entry per node, oldest first. */
export function describeHistory(history: readonly NodeHistory[]): string {
  return history
    .map(({ result, note, analysis }) => {
      const what = result.operator === 'baseline' ? 'the starting record' : `${result.operator} of node ${result.parent}`;
      const lines = [`- node ${result.node} (${what})${note ? `: ${note}` : ''}`, `  outcome: ${describeOutcome(result)}`];
      if (analysis) lines.push(`  analysis of its log: ${analysis.replace(/\s+/g, ' ').trim()}`);
      return lines.join('\n');
    })
    .join('\n');
}

/** Longest outcome line of an attempt; a long error or warning list would crowd out the rest of the prompt. */
const ATTEMPT_OUTCOME_CHARS = 300;

/** Other attempts of the search in a line each: what was tried (the agent's note) and how it ended. */
export function describeAttempts(attempts: readonly NodeHistory[]): string {
  return attempts
    .map(({ result, note }) => {
      const what =
        result.operator === 'crossover' ? `crossover of nodes ${result.parent} and ${result.second_parent}` : `${result.operator} of node ${result.parent}`;
      const outcome = describeOutcome(result).replace(/\s+/g, ' ');
      const short = outcome.length > ATTEMPT_OUTCOME_CHARS ? `${outcome.slice(0, ATTEMPT_OUTCOME_CHARS - 3)}...` : outcome;
      return `- node ${result.node} (${what}): ${note ?? 'no note'} → ${short}`;
    })
    .join('\n');
}
