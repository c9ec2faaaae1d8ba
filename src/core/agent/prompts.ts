import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../catalog/files.js';
import { packageRoot } from '../paths.js';

/** The prompt version new runs use. Prompts are files under prompts/<version>/, edited only by adding a version. */
export const PROMPT_VERSION = 'v1';

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
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface PromptSet {
  version: string;
  /** sha256 over every file of the set: recorded with each run, so an edited prompt can never pass for the old one. */
  sha256: string;
  render(name: TemplateName, vars: Record<string, string | number>): string;
}

export async function loadPromptSet(version: string = PROMPT_VERSION, root: string = packageRoot): Promise<PromptSet> {
  const dir = join(root, 'prompts', version);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  const templates = new Map<string, string>();
  const hash: string[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    templates.set(file.slice(0, -3), text);
    hash.push(`${file}\0${sha256Hex(text)}`);
  }
  const missing = TEMPLATE_NAMES.filter((name) => !templates.has(name));
  if (missing.length) throw new Error(`prompt set ${version} lacks ${missing.map((m) => `${m}.md`).join(', ')}`);
  return {
    version,
    sha256: sha256Hex(hash.join('\n')),
    render: (name, vars) => renderTemplate(name, templates.get(name)!, vars),
  };
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
