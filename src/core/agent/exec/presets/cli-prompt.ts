import type { ProposeInput } from '../../agent.js';
import { workspacePrompt } from '../../prompt-builder.js';
import type { PromptSet } from '../../prompts.js';

/**
 * What a coding CLI is told in place of an edit format: it edits the file itself, in its current folder, and may
 * train it first (docs/agent-protocol.md).
 */
function workspaceInstructions(experiments: boolean): string {
  const lines = [
    'How to give your edit: you work in the current folder. Edit ./train_gpt.py in place with your tools; the harness',
    'takes that file back when you finish, then trains and scores it itself. Only train_gpt.py counts: keep it a',
    'complete script. Write a few sentences explaining your change to ./notes.md. task.json, hint.md and history.json',
    'in the folder hold the task, the hint and what earlier nodes measured.',
  ];
  if (experiments)
    lines.push(
      'To measure an idea before you answer, run `./speedrun-tool train` (or `./speedrun-tool train --smoke 20` for a',
      'short check): it trains the current train_gpt.py and prints the result as JSON. Each training counts against',
      "the run's node and time budgets.",
    );
  return lines.join('\n');
}

/** The built-in agent's task, rules, hint and history, as one prompt for a coding CLI. */
export function cliPrompt(prompts: PromptSet, input: ProposeInput, opts: { experiments: boolean }): string {
  return workspacePrompt(prompts, workspaceInstructions(opts.experiments), input);
}
