import type { ChatMessage } from '../agent/llm/chat.js';
import { loadVersionedTemplates, renderTemplate } from '../agent/prompts.js';
import type { GeneratedLevel } from '../catalog/generated-hints.js';
import { packageRoot } from '../paths.js';
import type { HintInputs } from './hint-inputs.js';

/** The hint prompt version new drafts use. Prompts live in prompts/hints/<version>/, changed only by adding a version. */
export const HINT_PROMPT_VERSION = 'v1';

/** One prompt per level, named as the levels are (README "Hints"). */
const LEVEL_TEMPLATES: Record<GeneratedLevel, string> = { 1: 'level-1-pseudocode', 2: 'level-2-description', 3: 'level-3-paper' };
const TEMPLATES = ['system', 'task', 'feedback', ...Object.values(LEVEL_TEMPLATES)];

export interface HintPrompts {
  version: string;
  /** sha256 over every file of the set, recorded in each draft's sidecar. */
  sha256: string;
  /** The first request: the rules, then the true change and what the level asks for. */
  messages(inputs: HintInputs, level: GeneratedLevel): ChatMessage[];
  /** What the model is told after an answer that could not be used. */
  feedback(problem: string): string;
}

export async function loadHintPrompts(version: string = HINT_PROMPT_VERSION, root: string = packageRoot): Promise<HintPrompts> {
  const { templates, sha256 } = await loadVersionedTemplates('hints', 'hint', version, HINT_PROMPT_VERSION, TEMPLATES, root);
  // A template gets the values it names: the level prompts may or may not mention the record numbers.
  const render = (name: string, vars: Record<string, string | number>) => {
    const template = templates.get(name)!;
    return renderTemplate(name, template, Object.fromEntries(Object.entries(vars).filter(([key]) => template.includes(`{{${key}}}`))));
  };
  return {
    version,
    sha256,
    messages: (inputs, level) => {
      const numbers = { record: inputs.record, next_record: inputs.nextRecord };
      const task = render('task', {
        track: inputs.track,
        ...numbers,
        description: inputs.description,
        diff: inputs.diff.trimEnd(),
        level_instructions: render(LEVEL_TEMPLATES[level], numbers),
      });
      return [
        { role: 'system', content: render('system', {}) },
        { role: 'user', content: task },
      ];
    },
    feedback: (problem) => render('feedback', { problem }),
  };
}
