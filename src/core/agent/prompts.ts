import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../catalog/files.js';
import { UserError } from '../errors.js';
import { packageRoot } from '../paths.js';

/** The prompt version new runs use. Prompts are files under prompts/<version>/, edited only by adding a version. */
export const PROMPT_VERSION = 'v2';

/** Templates every set has. */
const TEMPLATE_NAMES = [
  'system',
  'task',
  'hint',
  'draft',
  'improve',
  'debug',
  'crossover',
  'edit-feedback',
  'edit-search-replace',
  'edit-udiff',
  'edit-whole',
  'summarize-log',
] as const;

/**
 * Templates added after v1. A set that has one uses it everywhere it applies (so a hole is still an error); a set
 * without it renders as it always did, so recorded runs and their replays keep their own prompts:
 * - task-target: the next record's time is said only when the run reveals it (v1 always says it);
 * - timing-<rule>: the system prompt's sentence on how time is read follows the track's timing rule (v1: first crossing);
 * - attempts: failed and slower attempts outside the ancestry, so the search does not repeat them (v1: none).
 */
const OPTIONAL_GROUPS: ReadonlyArray<readonly OptionalTemplateName[]> = [['timing-final', 'timing-first-crossing']];

type OptionalTemplateName = 'task-target' | 'timing-final' | 'timing-first-crossing' | 'attempts';
export type TemplateName = (typeof TEMPLATE_NAMES)[number] | OptionalTemplateName;

export interface PromptSet {
  version: string;
  /** sha256 over every file of the set: recorded with each run, so an edited prompt can never pass for the old one. */
  sha256: string;
  /** Whether the set has this template (always true for the ones every set has). */
  has(name: TemplateName): boolean;
  render(name: TemplateName, vars: Record<string, string | number>): string;
}

export async function loadPromptSet(version: string = PROMPT_VERSION, root: string = packageRoot): Promise<PromptSet> {
  const { templates, sha256 } = await loadTemplateDir(join(root, 'prompts', version));
  const missing = TEMPLATE_NAMES.filter((name) => !templates.has(name));
  if (missing.length) throw new Error(`prompt set ${version} lacks ${missing.map((m) => `${m}.md`).join(', ')}`);
  for (const group of OPTIONAL_GROUPS) {
    const present = group.filter((name) => templates.has(name));
    if (present.length && present.length < group.length) {
      throw new Error(
        `prompt set ${version} has ${present.join(', ')} but lacks ${group
          .filter((n) => !templates.has(n))
          .map((m) => `${m}.md`)
          .join(', ')}`,
      );
    }
  }
  return {
    version,
    sha256,
    has: (name) => templates.has(name),
    render: (name, vars) => {
      const template = templates.get(name);
      if (template === undefined) throw new Error(`prompt set ${version} has no ${name}.md`);
      return renderTemplate(name, template, vars);
    },
  };
}

/** Every `*.md` of a prompt folder by name (without `.md`), and one sha256 over the files' names and contents. */
export async function loadTemplateDir(dir: string): Promise<{ templates: Map<string, string>; sha256: string }> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  const templates = new Map<string, string>();
  const hash: string[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    templates.set(file.slice(0, -3), text);
    hash.push(`${file}\0${sha256Hex(text)}`);
  }
  return { templates, sha256: sha256Hex(hash.join('\n')) };
}

/**
 * A versioned prompt set of a model command (`prompts/<folder>/<version>/`: judge, ideas, hints): the version checked as
 * a folder name, the folder read, and every template in `required` present. What a user mistyped (the version, a
 * set that does not exist) is a UserError; a set lacking a file is a packaging bug.
 */
export async function loadVersionedTemplates(
  folder: string,
  /** What the messages call the set: `judge`, `ideas`, `hint`. */
  kind: string,
  version: string,
  currentVersion: string,
  required: readonly string[],
  root: string,
): Promise<{ templates: Map<string, string>; sha256: string }> {
  if (!/^[\w.-]+$/.test(version)) throw new UserError(`bad ${kind} prompt version ${JSON.stringify(version)}`, `e.g. --prompt-version ${currentVersion}`);
  const dir = join(root, 'prompts', folder, version);
  const loaded = await loadTemplateDir(dir).catch(() => {
    throw new UserError(`no ${kind} prompt set ${version} (looked in ${dir})`, `use --prompt-version ${currentVersion}`);
  });
  const missing = required.filter((name) => !loaded.templates.has(name));
  if (missing.length) throw new Error(`${kind} prompt set ${version} lacks ${missing.map((m) => `${m}.md`).join(', ')}`);
  return loaded;
}

/**
 * Replaces `{{name}}` placeholders. A placeholder without a value, or a value no placeholder uses, is a bug in the
 * caller or the template, so both throw rather than send the model a prompt with a hole in it.
 */
export function renderTemplate(name: string, template: string, vars: Record<string, string | number>): string {
  const used = new Set<string>();
  // Trailing newlines of the file are dropped so composed prompts do not accumulate blank lines.
  const text = template.replace(/\n+$/, '').replace(/\{\{(\w[\w-]*)\}\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`prompt ${name}: no value for {{${key}}}`);
    used.add(key);
    return String(value);
  });
  const unused = Object.keys(vars).filter((key) => !used.has(key));
  if (unused.length) throw new Error(`prompt ${name}: unused values ${unused.join(', ')}`);
  return text;
}
