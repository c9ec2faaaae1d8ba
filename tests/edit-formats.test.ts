import { readFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { EDIT_FORMATS, editFormat } from '../src/core/agent/edits/index.js';

const tiny = (n: number): string => readFileSync(new URL(`../records/tiny/r0${n}/train_gpt.py`, import.meta.url), 'utf8');

describe('editFormat', () => {
  it('returns the format each name selects', () => {
    expect(EDIT_FORMATS.map((name) => editFormat(name).name)).toEqual(['search-replace', 'udiff', 'whole']);
  });

  it('gives formats that each turn record 1 into record 2 from their own kind of answer', () => {
    const answers = {
      'search-replace': '<<<<<<< SEARCH\n    learning_rate = 6e-4\n=======\n    learning_rate = 9e-4\n>>>>>>> REPLACE',
      udiff: createTwoFilesPatch('a/train_gpt.py', 'b/train_gpt.py', tiny(1), tiny(1).replace('learning_rate = 6e-4', 'learning_rate = 9e-4')),
      whole: `\`\`\`python\n${tiny(1).replace('learning_rate = 6e-4', 'learning_rate = 9e-4')}\`\`\``,
    } as const;
    for (const name of EDIT_FORMATS) {
      expect(editFormat(name).apply(tiny(1), answers[name]), name).toMatchObject({
        ok: true,
        script: tiny(1).replace('learning_rate = 6e-4', 'learning_rate = 9e-4'),
      });
    }
  });
});
