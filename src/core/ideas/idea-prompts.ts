import type { ChatMessage } from '../agent/llm/chat.js';
import { loadVersionedTemplates, renderTemplate } from '../agent/prompts.js';
import { packageRoot } from '../paths.js';
import type { DraftInput } from './draft-inputs.js';
import { IDEA_CLASS_IDS, IDEA_TAXONOMY_VERSION, taxonomyText } from './taxonomy.js';

/** The prompt version new classifications use. Prompts live in prompts/ideas/<version>/, changed only by adding a version. */
export const IDEAS_PROMPT_VERSION = 'v1';

const TEMPLATES = ['system', 'task', 'feedback'] as const;

/** What every draft of a run shares in its prompt. */
export interface IdeaRunContext {
  track: string;
  record: number;
}

export interface IdeaPrompts {
  version: string;
  /** sha256 over every file of the set, recorded in ideas.json. */
  sha256: string;
  /** The first request: the taxonomy and rules, then the draft's diff and note. */
  messages(run: IdeaRunContext, draft: DraftInput): ChatMessage[];
  /** What the model is told after an answer that could not be used. */
  feedback(problem: string): string;
}

export async function loadIdeaPrompts(version: string = IDEAS_PROMPT_VERSION, root: string = packageRoot): Promise<IdeaPrompts> {
  const { templates, sha256 } = await loadVersionedTemplates('ideas', 'ideas', version, IDEAS_PROMPT_VERSION, TEMPLATES, root);
  const render = (name: (typeof TEMPLATES)[number], vars: Record<string, string | number>) => renderTemplate(name, templates.get(name)!, vars);
  const system = render('system', { taxonomy_version: IDEA_TAXONOMY_VERSION, taxonomy: taxonomyText() });
  return {
    version,
    sha256,
    messages: (run, draft) => [
      { role: 'system', content: system },
      {
        role: 'user',
        content: render('task', {
          track: run.track,
          record: run.record,
          next_record: run.record + 1,
          node: draft.node,
          parent: draft.parent ?? 0,
          note: draft.note?.trim() || '(none)',
          diff: draft.diff.trimEnd(),
        }),
      },
    ],
    feedback: (problem) => render('feedback', { problem, classes: IDEA_CLASS_IDS.map((c) => `"${c}"`).join(', ') }),
  };
}
