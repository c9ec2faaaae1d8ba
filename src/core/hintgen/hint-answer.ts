import type { GeneratedLevel } from '../catalog/generated-hints.js';
import type { ReadAnswer } from '../structured-ask/json-answer.js';

/**
 * Reading a model's hint: the Markdown between `<hint>` and `</hint>`, checked for what makes a hint unusable
 * (nothing there, too short or long for its level, a pasted diff, symbols or bytes instead of text). The problem is
 * worded for the model, which gets it back with the feedback prompt.
 */

/** Words (runs of two or more letters) a level needs at least, and characters it may have at most. */
const LIMITS: Record<GeneratedLevel, { minWords: number; maxChars: number }> = {
  1: { minWords: 12, maxChars: 8_000 },
  2: { minWords: 40, maxChars: 6_000 },
  3: { minWords: 150, maxChars: 16_000 },
};

export function readHintAnswer(level: GeneratedLevel): (text: string) => ReadAnswer<string> {
  return (text) => {
    const open = /<hint>/i.exec(text);
    const close = /<\/hint>(?![\s\S]*<\/hint>)/i.exec(text);
    if (!open || !close || close.index < open.index) return { ok: false, problem: 'it holds no hint between a line <hint> and a line </hint>' };
    const hint = unfence(text.slice(open.index + open[0].length, close.index).trim());
    if (hint === '') return { ok: false, problem: 'the <hint> block is empty' };
    if (/\uFFFD|[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(hint)) return { ok: false, problem: 'it holds unreadable characters' };
    const { minWords, maxChars } = LIMITS[level];
    const words = hint.match(/\p{L}{2,}/gu)?.length ?? 0;
    if (words < minWords) return { ok: false, problem: `it is too short for a level-${level} hint: ${words} words, at least ${minWords} are needed` };
    if (hint.length > maxChars) return { ok: false, problem: `it is too long for a level-${level} hint: ${hint.length} characters, at most ${maxChars}` };
    const lines = hint.split('\n');
    const diffLines = lines.filter((l) => /^(@@ |\+\+\+ |--- )/.test(l)).length;
    if (diffLines > 0) return { ok: false, problem: 'it pastes the diff (lines starting with @@, +++ or ---): describe the change in your own words' };
    const visible = hint.replace(/\s/g, '');
    const letters = visible.match(/\p{L}/gu)?.length ?? 0;
    if (letters < visible.length * 0.35) return { ok: false, problem: 'it is mostly symbols and digits, not a hint in words' };
    return { ok: true, answer: `${hint}\n` };
  };
}

/** A hint wrapped whole in a ```markdown fence is unwrapped; a level-1 hint's own code block is kept. */
function unfence(text: string): string {
  const m = /^```(?:markdown|md)\s*\n([\s\S]*?)\n```$/i.exec(text);
  return m?.[1] ? m[1].trim() : text;
}
