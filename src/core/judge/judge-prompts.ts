import type { ChatMessage } from '../agent/llm/chat.js';
import { loadVersionedTemplates, renderTemplate } from '../agent/prompts.js';
import { packageRoot } from '../paths.js';
import type { JudgeInputs } from './judge-inputs.js';

/** The judge prompt version new verdicts use. Prompts live in prompts/judge/<version>/, changed only by adding a version. */
export const JUDGE_PROMPT_VERSION = 'v1';

const TEMPLATES = ['system', 'task', 'level0', 'feedback'] as const;

export interface JudgePrompts {
  version: string;
  /** sha256 over every file of the set, recorded in judge.json. */
  sha256: string;
  /** The first request: the rubric, then the record's change and the node's. */
  messages(inputs: JudgeInputs): ChatMessage[];
  /** What the model is told after an answer that could not be used. */
  feedback(problem: string): string;
}

export async function loadJudgePrompts(version: string = JUDGE_PROMPT_VERSION, root: string = packageRoot): Promise<JudgePrompts> {
  const { templates, sha256 } = await loadVersionedTemplates('judge', 'judge', version, JUDGE_PROMPT_VERSION, TEMPLATES, root);
  const render = (name: (typeof TEMPLATES)[number], vars: Record<string, string | number>) => renderTemplate(name, templates.get(name)!, vars);
  return {
    version,
    sha256,
    messages: (inputs) => {
      const level0 =
        inputs.level0Diff === null
          ? ''
          : `${render('level0', { record: inputs.record, next_record: inputs.nextRecord, level0_diff: inputs.level0Diff.trimEnd() })}\n\n`;
      const task = render('task', {
        track: inputs.track,
        record: inputs.record,
        next_record: inputs.nextRecord,
        description: inputs.description,
        true_diff: inputs.trueDiff.trimEnd(),
        level0,
        node: inputs.node,
        node_diff: inputs.nodeDiff.trimEnd(),
      });
      return [
        { role: 'system', content: render('system', {}) },
        { role: 'user', content: task },
      ];
    },
    feedback: (problem) => render('feedback', { problem }),
  };
}
