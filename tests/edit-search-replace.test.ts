import { readFileSync } from 'node:fs';
import { structuredPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { applySearchReplace, parseSearchReplaceBlocks } from '../src/core/agent/edits/search-replace.js';

const tiny = (n: number): string => readFileSync(new URL(`../records/tiny/r0${n}/train_gpt.py`, import.meta.url), 'utf8');

function block(search: readonly string[], replace: readonly string[]): string {
  return ['<<<<<<< SEARCH', ...search, '=======', ...replace, '>>>>>>> REPLACE'].join('\n');
}

/** The SEARCH/REPLACE blocks that turn `from` into `to`: one per hunk of their line diff. */
function blocksBetween(from: string, to: string): string[] {
  return structuredPatch('a', 'b', from, to).hunks.map((h) =>
    block(
      h.lines.filter((l) => !l.startsWith('+')).map((l) => l.slice(1)),
      h.lines.filter((l) => !l.startsWith('-')).map((l) => l.slice(1)),
    ),
  );
}

const lines = (text: string): string[] => text.split('\n');

describe('SEARCH/REPLACE blocks', () => {
  it.each([1, 2, 3, 4, 5])('turn tiny record %i into the next one, block by block', (n) => {
    const blocks = blocksBetween(tiny(n), tiny(n + 1));
    expect(blocks.length).toBeGreaterThan(0);
    const outcome = applySearchReplace(tiny(n), blocks.join('\n\n'));
    expect(outcome).toEqual({ ok: true, script: tiny(n + 1), applied: blocks.length, notes: [] });
  });

  it('ignore prose, code fences, filename lines and miscounted markers around the blocks', () => {
    const response = [
      'I will raise the peak learning rate and say so in the docstring.',
      '',
      'train_gpt.py',
      '```python',
      '<<<<<<<<< SEARCH   ',
      '"""Tiny track, record 1: a plain GPT baseline on the synthetic tiny corpus.',
      '=====',
      '"""Tiny track, record 2: record 1 with a tuned (higher) peak learning rate.',
      '>>>>>>>>> REPLACE',
      '```',
      '',
      'Then the rate itself:',
      '',
      'train_gpt.py',
      '```python',
      '<<<<< SEARCH',
      '    learning_rate = 6e-4',
      '=======  ',
      '    learning_rate = 9e-4',
      '>>>>>>> REPLACE ',
      '```',
      'That is all.',
    ].join('\n');
    expect(applySearchReplace(tiny(1), response)).toEqual({ ok: true, script: tiny(2), applied: 2, notes: [] });
  });

  it('accept CRLF answers', () => {
    const response = block(['    learning_rate = 6e-4'], ['    learning_rate = 9e-4']).replace(/\n/g, '\r\n');
    const outcome = applySearchReplace(tiny(1), response);
    expect(outcome.ok && outcome.script).toBe(tiny(1).replace('    learning_rate = 6e-4\n', '    learning_rate = 9e-4\n'));
  });

  it('match SEARCH lines whose trailing whitespace differs from the script, and say so', () => {
    const response = block(['    num_iterations = 1200   ', '    learning_rate = 6e-4\t'], ['    num_iterations = 1200', '    learning_rate = 9e-4']);
    const outcome = applySearchReplace(tiny(1), response);
    expect(outcome).toEqual({
      ok: true,
      script: tiny(1).replace('learning_rate = 6e-4', 'learning_rate = 9e-4'),
      applied: 1,
      notes: ['block 1 matched ignoring trailing whitespace'],
    });
  });

  it('match SEARCH lines written with less indentation and re-indent the replacement', () => {
    // Block.forward copied without its class indentation, as models often do.
    const search = ['def forward(self, x):', '    x = x + self.attn(self.ln_1(x))', '    x = x + self.mlp(self.ln_2(x))', '    return x'];
    const replace = ['def forward(self, x):', '    x = x + self.attn(self.ln_1(x))', '', '    x = x + self.mlp(self.ln_2(x))', '    return x'];
    const outcome = applySearchReplace(tiny(1), block(search, replace));
    const expected = tiny(1).replace(
      '        x = x + self.attn(self.ln_1(x))\n        x = x + self.mlp',
      '        x = x + self.attn(self.ln_1(x))\n\n        x = x + self.mlp',
    );
    expect(outcome).toEqual({
      ok: true,
      script: expected,
      applied: 1,
      notes: ["block 1 matched ignoring indentation (the script's lines are indented 4 spaces more; the replacement was re-indented to match)"],
    });
  });

  it('match SEARCH lines written with more indentation and re-indent the replacement', () => {
    const search = ['        learning_rate = 6e-4', '        warmup_iters = 100'];
    const replace = ['        learning_rate = 9e-4', '        warmup_iters = 50'];
    const outcome = applySearchReplace(tiny(1), block(search, replace));
    expect(outcome).toEqual({
      ok: true,
      script: tiny(1).replace('    learning_rate = 6e-4\n    warmup_iters = 100\n', '    learning_rate = 9e-4\n    warmup_iters = 50\n'),
      applied: 1,
      notes: ["block 1 matched ignoring indentation (the script's lines are indented 4 spaces less; the replacement was re-indented to match)"],
    });
  });

  it('delete the SEARCH lines when REPLACE is empty', () => {
    const outcome = applySearchReplace(tiny(1), block(['        self.wpe = nn.Embedding(seq_len, dim)'], []));
    expect(outcome.ok && outcome.script).toBe(tiny(1).replace('        self.wpe = nn.Embedding(seq_len, dim)\n', ''));
  });

  it('write a whole new file from an empty SEARCH when the script is empty', () => {
    expect(applySearchReplace('', block([], ['print("hello")', 'x = 1']))).toEqual({ ok: true, script: 'print("hello")\nx = 1\n', applied: 1, notes: [] });
  });

  it('refuse an empty SEARCH on a non-empty script', () => {
    const outcome = applySearchReplace(tiny(1), block([], ['import sys']));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.message).toMatch(/^Block 1 has an empty SEARCH part, which only creates a new file, but the script is not empty/);
  });
});

describe('SEARCH/REPLACE failures', () => {
  it('name the block whose SEARCH is not found, quote it and show the closest lines with line numbers', () => {
    const script = tiny(1);
    const response = [
      block(['    learning_rate = 6e-4'], ['    learning_rate = 9e-4']),
      block(
        ['    num_iterations = 1200', '    warmup_iters = 200', '    weight_decay = 0.1'],
        ['    num_iterations = 1000', '    warmup_iters = 200', '    weight_decay = 0.1'],
      ),
    ].join('\n');
    const outcome = applySearchReplace(script, response);
    expect(outcome).toEqual({
      ok: false,
      message: [
        'Block 2 was not applied: its SEARCH lines were not found in the script.',
        'The SEARCH lines of block 2 are:',
        '  |     num_iterations = 1200',
        '  |     warmup_iters = 200',
        '  |     weight_decay = 0.1',
        'The closest match in the script (after blocks 1–1 were applied) is lines 42–44, shown with the lines around it:',
        '  40 |     seq_len = 128',
        '  41 |     num_iterations = 1200',
        '  42 |     learning_rate = 9e-4',
        '  43 |     warmup_iters = 100',
        '  44 |     weight_decay = 0.1',
        '  45 |     # evaluation',
        '  46 |     val_every = 25',
        'The first difference: line 1 of the SEARCH lines is "    num_iterations = 1200", but script line 42 is "    learning_rate = 9e-4".',
        'Copy the SEARCH lines exactly as they appear in the script, including indentation and blank lines.',
        'Nothing was applied: the script is unchanged. Send all your edits again, corrected.',
      ].join('\n'),
    });
    // The first block matched, but a failure never hands back a partly edited script.
    expect(outcome).not.toHaveProperty('script');
    expect(script).toBe(tiny(1));
  });

  it('show the closest region of a long script for a block deep inside it', () => {
    const search = ['    def forward(self, x):', '        x = x + self.attn(self.ln_1(x))', '        x = x + self.mlp(self.ln_3(x))', '        return x'];
    const outcome = applySearchReplace(tiny(1), block(search, ['    pass']));
    expect(outcome.ok).toBe(false);
    const message = !outcome.ok ? outcome.message : '';
    expect(message).toContain(
      [
        'The closest match in the script is lines 150–153, shown with the lines around it:',
        '  148 |         self.mlp = MLP(dim)',
        '  149 |',
        '  150 |     def forward(self, x):',
        '  151 |         x = x + self.attn(self.ln_1(x))',
        '  152 |         x = x + self.mlp(self.ln_2(x))',
        '  153 |         return x',
        '  154 |',
        '  155 |',
        'The first difference: line 3 of the SEARCH lines is "        x = x + self.mlp(self.ln_3(x))", but script line 152 is "        x = x + self.mlp(self.ln_2(x))".',
        'Copy the SEARCH lines',
      ].join('\n'),
    );
  });

  it('point at the first difference of a long block and keep it in view', () => {
    const script = tiny(6);
    const search = lines(script).slice(99, 159);
    search[45] = `${search[45]}  # changed`;
    const outcome = applySearchReplace(script, block(search, ['pass']));
    const message = !outcome.ok ? outcome.message : '';
    expect(message).toContain('The closest match in the script is lines 100–159, shown with the lines around it:\n  (… 34 lines before)\n  132 |');
    expect(message).toContain(`\n  145 | ${lines(script)[144]}\n`);
    expect(message).toContain(`\n  160 |${lines(script)[159] ? ` ${lines(script)[159]}` : ''}\n  161 |`);
    expect(message).toContain(
      `The first difference: line 46 of the SEARCH lines is ${JSON.stringify(search[45])}, but script line 145 is ${JSON.stringify(lines(script)[144])}.`,
    );
  });

  it('say when a block searches for lines an earlier block already changed', () => {
    const response = [
      block(['    learning_rate = 6e-4'], ['    learning_rate = 9e-4']),
      block(['    learning_rate = 6e-4'], ['    learning_rate = 1e-3']),
    ].join('\n');
    const outcome = applySearchReplace(tiny(1), response);
    expect(!outcome.ok && outcome.message).toContain('These lines are in the original script, but an earlier block already changed them');
  });

  it('refuse a SEARCH that matches several places and list them', () => {
    const script = tiny(1);
    const places = lines(script).flatMap((line, i) => (line === '        super().__init__()' ? [i + 1] : []));
    expect(places.length).toBeGreaterThan(2);
    const outcome = applySearchReplace(script, block(['        super().__init__()'], ['        super().__init__()  # base']));
    expect(!outcome.ok && outcome.message.split('\n')[0]).toBe(
      `Block 1 was not applied: its SEARCH lines match ${places.length} places (lines ${places.join(', ')}); add surrounding lines so it is unique.`,
    );
  });

  it('report a block missing its ======= line by number', () => {
    const response = [block(['    learning_rate = 6e-4'], ['    learning_rate = 9e-4']), '<<<<<<< SEARCH', '    warmup_iters = 100', '>>>>>>> REPLACE'].join(
      '\n',
    );
    const outcome = applySearchReplace(tiny(1), response);
    expect(!outcome.ok && outcome.message.split('\n')[0]).toBe(
      'Block 2 is malformed: it has no ======= line between its <<<<<<< SEARCH (line 6) and its >>>>>>> REPLACE (line 8 of your answer).',
    );
  });

  it('report a block missing its >>>>>>> REPLACE line by number, before the next block or at the end', () => {
    const unterminated = ['<<<<<<< SEARCH', '    learning_rate = 6e-4', '=======', '    learning_rate = 9e-4'];
    const beforeNext = applySearchReplace(tiny(1), [...unterminated, block(['a'], ['b'])].join('\n'));
    expect(!beforeNext.ok && beforeNext.message.split('\n')[0]).toBe(
      'Block 1 is malformed: it has no >>>>>>> REPLACE line after its ======= (the next <<<<<<< SEARCH is line 5 of your answer).',
    );
    const atEnd = applySearchReplace(tiny(1), [block(['a'], ['b']), ...unterminated].join('\n'));
    expect(!atEnd.ok && atEnd.message.split('\n')[0]).toBe(
      'Block 2 is malformed: its <<<<<<< SEARCH (line 6) has no >>>>>>> REPLACE line after its ======= (was the answer cut off?).',
    );
  });

  it('report a >>>>>>> REPLACE with no <<<<<<< SEARCH before it', () => {
    const parsed = parseSearchReplaceBlocks(['    learning_rate = 6e-4', '=======', '    learning_rate = 9e-4', '>>>>>>> REPLACE'].join('\n'));
    expect(parsed).toEqual({
      ok: false,
      message: expect.stringMatching(/^Block 1 is malformed: its >>>>>>> REPLACE \(line 4 of your answer\) has no <<<<<<< SEARCH line before it\./),
    });
  });

  it('explain the format when the answer has no block', () => {
    const outcome = applySearchReplace(tiny(1), 'Raise the learning rate to 9e-4.\n```python\nlearning_rate = 9e-4\n```');
    expect(outcome).toEqual({ ok: false, message: expect.stringContaining('Your answer contains no SEARCH/REPLACE block, so nothing was changed.') });
    expect(!outcome.ok && outcome.message).toContain(
      '<<<<<<< SEARCH\nlines copied exactly from the current script\n=======\nthe lines that replace them\n>>>>>>> REPLACE',
    );
  });

  it('explain the format when the answer is empty', () => {
    expect(applySearchReplace(tiny(1), '  \n')).toEqual({
      ok: false,
      message: expect.stringMatching(/^Your answer is empty\. Write each edit as a block:\n<<<<<<< SEARCH/),
    });
  });
});
