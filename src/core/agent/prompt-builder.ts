import { formatTime } from '../format-time.js';
import type { TimingRule } from '../catalog/schema.js';
import { taskTiming } from '../catalog/task-timing.js';
import type { ChatMessage } from './llm/chat.js';
import type { EditFormatName } from './edits/edit-format.js';
import type { ProposeInput } from './agent.js';
import { describeHistory, describeOutcome } from './outcome.js';
import type { PromptSet } from './prompts.js';

/** The system message (role, rules, edit format) and the operator's user message for one proposal. */
export function proposalMessages(prompts: PromptSet, editFormat: EditFormatName, input: ProposeInput): ChatMessage[] {
  const system = prompts.render('system', { edit_format_instructions: prompts.render(`edit-${editFormat}`, {}), time_rule: timeRuleText(input.manifest.timing_rule) });
  return [
    { role: 'system', content: system },
    { role: 'user', content: userMessage(prompts, input) },
  ];
}

/** The track's timing rule, as the system prompt states it to the model. */
function timeRuleText(rule: TimingRule): string {
  return rule === 'final'
    ? 'the `train_time` of the last validation line, and only if that line\'s `val_loss` is at or below the target (a run whose last validation line is above the target scores nothing, however low it went before)'
    : 'the `train_time` of the first validation line whose `val_loss` is at or below the target';
}

function userMessage(prompts: PromptSet, input: ProposeInput): string {
  const { manifest, times } = input;
  const task = prompts.render('task', {
    track_title: manifest.title,
    record: input.record,
    target_val_loss: taskTiming(manifest, input.record).target,
    baseline_time: formatTime(times.baselineMs),
    target_time: formatTime(times.targetMs),
    times_hardware: times.from === 'calibration' ? 'the machine your script will run on' : manifest.reference_hardware,
    hardware: input.hardware,
    timeout: formatTime(input.timeoutMs),
  });
  // The hint section sits between the task and the script; with no hint it disappears entirely.
  const hint_section = input.hint.trim() ? `\n${prompts.render('hint', { hint: input.hint.trim() })}\n` : '';
  const script = input.parentScript.replace(/\n+$/, '');
  switch (input.operator) {
    case 'draft':
      return prompts.render('draft', { task, hint_section, record: input.record, script });
    case 'improve':
      return prompts.render('improve', {
        task,
        hint_section,
        history: describeHistory(input.history),
        parent: input.parent.result.node,
        parent_time: formatTime(input.parent.result.time_to_target_ms),
        script,
      });
    case 'crossover': {
      const second = input.secondParent;
      if (!second) throw new Error('a crossover needs a second parent');
      return prompts.render('crossover', {
        task,
        hint_section,
        history: describeHistory(input.history),
        parent: input.parent.result.node,
        second_parent: second.result.node,
        second_outcome: describeOutcome(second.result),
        second_script: second.script.replace(/\n+$/, ''),
        script,
      });
    }
    case 'debug':
      return prompts.render('debug', {
        task,
        hint_section,
        history: describeHistory(input.history),
        parent: input.parent.result.node,
        script,
        failure: describeOutcome(input.parent.result),
        log_tail: input.parentLogTail?.trimEnd() || '(no output)',
      });
  }
}

/** The model's own one-line account of its change: the first line of prose before any edit or code. */
export function noteFromAnswer(answer: string): string {
  for (const raw of answer.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('```') || line.startsWith('<<<<<<<') || line.startsWith('---') || line.startsWith('@@')) break;
    const text = line.replace(/^[#>*\-\s]+/, '').trim();
    if (text) return text.length > 200 ? `${text.slice(0, 197)}...` : text;
  }
  return 'no explanation given';
}
