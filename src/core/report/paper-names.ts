/**
 * How the paper's notebooks name a configuration (`{scaffold}_{hint}_{model}`, e.g. `ori_aide_125_o3-mini`) and how
 * those names map onto ours. Orders are the notebooks' own, so pooled matrices are stacked as they stack them.
 */

/** Notebook hint regime → our hint spec ("5" is the notebooks' name for level 3, the mini-paper). */
export const PAPER_HINTS = [
  ['z', 'none'],
  ['1', 'L1'],
  ['2', 'L2'],
  ['5', 'L3'],
  ['12', 'L1+L2'],
  ['125', 'L1+L2+L3'],
] as const;

/** Notebook scaffold → our scaffold name. */
export const PAPER_SCAFFOLDS = [
  ['flat', 'flat'],
  ['tree', 'tree'],
  ['forest', 'forest'],
  ['ori_aide', 'aide'],
  ['multi_aide', 'multi-aide'],
] as const;

export const PAPER_MODELS = ['deepseek-r1', 'o3-mini', 'gemini-2.5-pro'] as const;

export type PaperHintKey = (typeof PAPER_HINTS)[number][0];
export type PaperScaffoldKey = (typeof PAPER_SCAFFOLDS)[number][0];
export type PaperModel = (typeof PAPER_MODELS)[number];

export interface PaperConfigName {
  scaffold: PaperScaffoldKey;
  hint: PaperHintKey;
  model: PaperModel;
}

export function paperConfigKey(c: PaperConfigName): string {
  return `${c.scaffold}_${c.hint}_${c.model}`;
}

const KEY = new RegExp(
  `^(${PAPER_SCAFFOLDS.map(([s]) => s).join('|')})_(${PAPER_HINTS.map(([h]) => h).join('|')})_(${PAPER_MODELS.join('|').replace(/\./g, '\\.')})$`,
);

/** `ori_aide_125_o3-mini` → its parts; null for a name outside the paper's grid. */
export function parsePaperConfigKey(key: string): PaperConfigName | null {
  const m = KEY.exec(key);
  return m ? { scaffold: m[1] as PaperScaffoldKey, hint: m[2] as PaperHintKey, model: m[3] as PaperModel } : null;
}

export function ourHint(hint: PaperHintKey): string {
  return PAPER_HINTS.find(([h]) => h === hint)![1];
}

export function ourScaffold(scaffold: PaperScaffoldKey): string {
  return PAPER_SCAFFOLDS.find(([s]) => s === scaffold)![1];
}

export function paperHintOf(hint: string): PaperHintKey | null {
  return PAPER_HINTS.find(([, ours]) => ours === hint)?.[0] ?? null;
}

export function paperScaffoldOf(scaffold: string): PaperScaffoldKey | null {
  return PAPER_SCAFFOLDS.find(([, ours]) => ours === scaffold)?.[0] ?? null;
}

/** Version suffixes an endpoint adds to the same model: dates, "preview…", "latest". A distilled model is another model. */
const VERSION_SUFFIX = /^(\d{4}-\d{2}-\d{2}|\d{4}|\d{2}-\d{2}|preview(-.*)?|exp(-.*)?|latest)$/;

/**
 * The paper's model behind one of ours, matched by name: case and a provider prefix ignored (`openai/o3-mini`,
 * `deepseek-ai/DeepSeek-R1`), a dated or preview suffix allowed (`o3-mini-2025-01-31`, `gemini-2.5-pro-preview-05-06`).
 */
export function paperModelOf(model: string): PaperModel | null {
  const name = model.trim().toLowerCase().split('/').pop() ?? '';
  for (const paper of PAPER_MODELS) {
    if (name === paper) return paper;
    if (name.startsWith(`${paper}-`) && VERSION_SUFFIX.test(name.slice(paper.length + 1))) return paper;
  }
  return null;
}
