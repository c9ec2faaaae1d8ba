import { describe, expect, it } from 'vitest';
import { readHintAnswer } from '../src/core/hintgen/hint-answer.js';
import { formatReview, wrap } from '../src/cli/hint-review-format.js';
import type { GeneratedHint } from '../src/core/catalog/generated-hints.js';
import { GARBAGE, HINT_TEXT, hintReply } from './helpers/hint-answers.js';

describe('reading a hint answer', () => {
  it('keeps the Markdown between <hint> and </hint>, whatever is around it', () => {
    for (const level of [1, 2, 3] as const) {
      const read = readHintAnswer(level)(hintReply(HINT_TEXT[level]).content);
      expect(read).toEqual({ ok: true, answer: `${HINT_TEXT[level]}\n` });
    }
  });

  it('unwraps a hint fenced whole as markdown, but keeps a pseudocode block', () => {
    const read = readHintAnswer(2)(`<hint>\n\`\`\`markdown\n${HINT_TEXT[2]}\n\`\`\`\n</hint>`);
    expect(read).toEqual({ ok: true, answer: `${HINT_TEXT[2]}\n` });
    const l1 = readHintAnswer(1)(`<hint>${HINT_TEXT[1]}</hint>`);
    expect(l1.ok && l1.answer).toContain('```\noptimizer');
  });

  it('names what is wrong with garbage, in words the model can act on', () => {
    const problem = (level: 1 | 2 | 3, text: string) => {
      const read = readHintAnswer(level)(text);
      return read.ok ? null : read.problem;
    };
    expect(problem(1, GARBAGE.noTags.content)).toBe('it holds no hint between a line <hint> and a line </hint>');
    expect(problem(1, '<hint>\n</hint>')).toBe('the <hint> block is empty');
    expect(problem(1, '</hint> then <hint>')).toMatch(/no hint between/);
    expect(problem(1, GARBAGE.pastedDiff.content)).toMatch(/pastes the diff/);
    expect(problem(1, GARBAGE.symbols.content)).toMatch(/mostly symbols/);
    expect(problem(2, hintReply(HINT_TEXT[1]).content)).toMatch(/too short for a level-2 hint: \d+ words, at least 40/);
    expect(problem(3, hintReply(HINT_TEXT[2]).content)).toMatch(/too short for a level-3 hint/);
    expect(problem(2, hintReply(`${HINT_TEXT[2]} ${'more words here '.repeat(500)}`).content)).toMatch(/too long for a level-2 hint/);
    expect(problem(2, hintReply(`${HINT_TEXT[2]}\u0000`).content)).toBe('it holds unreadable characters');
  });
});

describe('the review layout', () => {
  const draft = {
    path: '/c/hints/tiny/r01/L1.draft.md',
    text: 'line one of the draft\nline two',
    meta: {
      version: 1,
      track: 'tiny',
      record: 1,
      next_record: 2,
      level: 1,
      status: 'draft',
      text_sha256: 'a'.repeat(64),
      model: 'm',
      model_id: 'stub-model',
      prompt_version: 'v1',
      prompt_sha256: 'b'.repeat(64),
      diff_sha256: 'c'.repeat(64),
      description: 'Tuned learning rate',
      created_at: '2026-01-01T00:00:00.000Z',
      calls: 1,
      malformed_answers: 0,
      usage: { prompt_tokens: 1, completion_tokens: 1, cost_usd: 0.5 },
      review: null,
    },
  } satisfies GeneratedHint;
  const diff = '--- a\n+++ b\n@@ -1 +1 @@\n-lr = 6e-4\n+lr = 9e-4';

  it('puts the draft, then the diff, on a narrow or non-terminal output', () => {
    const text = formatReview(draft, diff, null);
    expect(text).toContain('model m (stub-model), prompts hints/v1');
    expect(text.indexOf('line two')).toBeGreaterThan(-1);
    expect(text.indexOf('line two')).toBeLessThan(text.indexOf('+lr = 9e-4'));
    expect(formatReview(draft, diff, 100)).toBe(text);
  });

  it('puts them side by side on a wide terminal, each row within the width', () => {
    const text = formatReview(draft, diff, 170);
    const row = text.split('\n').find((l) => l.startsWith('line one'))!;
    expect(row).toMatch(/^line one of the draft +│ --- a$/);
    for (const line of text.split('\n').slice(3)) expect(line.length).toBeLessThanOrEqual(170);
    expect(wrap('x'.repeat(10), 4)).toEqual(['xxxx', 'xxxx', 'xx']);
  });
});
