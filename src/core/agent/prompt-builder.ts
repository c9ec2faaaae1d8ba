import { formatTime } from '../format-time.js';
import { taskTiming } from '../catalog/task-timing.js';
import type { ChatMessage } from './llm/chat.js';
import type { EditFormatName } from './edits/edit-format.js';
import type { ProposeInput } from './agent.js';
import { describeAttempts, describeHistory, describeOutcome } from './outcome.js';
import type { PromptSet } from './prompts.js';

/** The system message (role, rules, edit format) and the operator's user message for one proposal. */
export function proposalMessages(prompts: PromptSet, editFormat: EditFormatName, input: ProposeInput): ChatMessage[] {
  return [
    { role: 'system', content: systemMessage(prompts, prompts.render(`edit-${editFormat}`, {}), input) },
    { role: 'user', content: userMessage(prompts, input) },
  ];
}

/**
 * The same task for a coding CLI that edits the file itself: the system and user messages as one prompt, with
 * `instructions` (where the script is and how to hand it back) in place of an edit format.
 */
export function workspacePrompt(prompts: PromptSet, instructions: string, input: ProposeInput): string {
  return `${systemMessage(prompts, instructions, input).trimEnd()}\n\n${userMessage(prompts, input).trimEnd()}\n`;
}

function systemMessage(prompts: PromptSet, editInstructions: string, input: ProposeInput): string {
  return prompts.render('system', {
    edit_format_instructions: editInstructions,
    // Sets before v2 state the first-crossing rule in the system prompt itself.
    ...(prompts.has('timing-final') && { timing_rule: prompts.render(`timing-${input.manifest.timing_rule}`, {}) }),
  });
}

/** The track's timing rule, as the system prompt states it to the model. */

function userMessage(prompts: PromptSet, input: ProposeInput): string {
  const task = prompts.render('task', taskValues(prompts, input));
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
        ...attemptsValues(prompts, input),
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
        ...attemptsValues(prompts, input),
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
        ...attemptsValues(prompts, input),
        parent: input.parent.result.node,
        script,
        failure: describeOutcome(input.parent.result),
        log_tail: input.parentLogTail?.trimEnd() || '(no output)',
      });
  }
}

/**
 * The task's values. The next record's time is said only when the run reveals it; a set without task-target (v1)
 * always said it, and still does, so its recorded runs replay as they were made.
 */
function taskValues(prompts: PromptSet, input: ProposeInput): Record<string, string | number> {
  const { manifest, times } = input;
  const target_time = formatTime(times.targetMs);
  const targetValues: Record<string, string> = prompts.has('task-target')
    ? { target_time_section: input.revealTargetTime ? `\n${prompts.render('task-target', { target_time })}` : '' }
    : { target_time };
  return {
    track_title: manifest.title,
    record: input.record,
    target_val_loss: taskTiming(manifest, input.record).target,
    baseline_time: formatTime(times.baselineMs),
    ...targetValues,
    times_hardware: times.from === 'calibration' ? 'the machine your script will run on' : manifest.reference_hardware,
    hardware: input.hardware,
    timeout: formatTime(input.timeoutMs),
  };
}

/** The failed and slower attempts outside the history; the section disappears when there are none. */
function attemptsValues(prompts: PromptSet, input: ProposeInput): { attempts_section?: string } {
  if (!prompts.has('attempts')) return {};
  const attempts = input.otherAttempts ?? [];
  return { attempts_section: attempts.length ? `\n${prompts.render('attempts', { attempts: describeAttempts(attempts) })}\n` : '' };
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
