import { readFileSync } from 'node:fs';
import { createTwoFilesPatch, structuredPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { applyUdiff } from '../src/core/agent/edits/udiff.js';

const tiny = (n: number): string => readFileSync(new URL(`../records/tiny/r0${n}/train_gpt.py`, import.meta.url), 'utf8');

const patchBetween = (from: string, to: string): string => createTwoFilesPatch('a/train_gpt.py', 'b/train_gpt.py', from, to);
const hunkCount = (from: string, to: string): number => structuredPatch('a', 'b', from, to).hunks.length;

/** Rewrites every @@ header of a patch, as a model that miscounts lines would. */
function rewriteHeaders(patch: string, header: (m: { oldStart: number; oldLines: number; newStart: number; newLines: number }) => string): string {
  return patch.replace(/^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/gm, (_, a: string, b: string, c: string, d: string) =>
    header({ oldStart: +a, oldLines: +b, newStart: +c, newLines: +d }),
  );
}

const TOLERANT = expect.stringMatching(/^the diff does not apply as written/);

describe('unified diffs', () => {
  it.each([1, 2, 3, 4, 5])('turn tiny record %i into the next one as the diff package writes it', (n) => {
    const outcome = applyUdiff(tiny(n), patchBetween(tiny(n), tiny(n + 1)));
    expect(outcome).toEqual({ ok: true, script: tiny(n + 1), applied: hunkCount(tiny(n), tiny(n + 1)), notes: [] });
  });

  it('are found in a ```diff block with prose around it', () => {
    const response = `I raise the learning rate.\n\n\`\`\`diff\n${patchBetween(tiny(1), tiny(2))}\`\`\`\n\n- faster convergence\n- same schedule`;
    expect(applyUdiff(tiny(1), response)).toEqual({ ok: true, script: tiny(2), applied: 2, notes: [] });
  });

  it('apply with @@ line numbers that are off', () => {
    const patch = rewriteHeaders(patchBetween(tiny(3), tiny(4)), (h) => `@@ -${h.oldStart + 17},${h.oldLines} +${h.newStart + 3},${h.newLines} @@`);
    const outcome = applyUdiff(tiny(3), `\`\`\`diff\n${patch}\`\`\``);
    // The diff package finds each hunk near its stated line, as `patch` does.
    expect(outcome).toEqual({ ok: true, script: tiny(4), applied: hunkCount(tiny(3), tiny(4)), notes: [] });
  });

  it('apply with @@ line counts that do not add up, placing each hunk by its lines', () => {
    const patch = rewriteHeaders(patchBetween(tiny(4), tiny(5)), (h) => `@@ -${h.oldStart},${h.oldLines + 2} +${h.newStart},${h.newLines - 1} @@`);
    expect(applyUdiff(tiny(4), patch)).toEqual({ ok: true, script: tiny(5), applied: hunkCount(tiny(4), tiny(5)), notes: [TOLERANT] });
  });

  it('apply with bare "@@ ... @@" headers and no file headers, as models often write them', () => {
    const patch = rewriteHeaders(patchBetween(tiny(5), tiny(6)), () => '@@ ... @@')
      .split('\n')
      .filter((line) => !/^(={5,}|---|\+\+\+)/.test(line))
      // Models drop the space that marks an empty context line.
      .map((line) => (line === ' ' ? '' : line))
      .join('\n');
    expect(patch).toMatch(/^@@ \.\.\. @@$/m);
    const outcome = applyUdiff(tiny(5), `Here is the change:\n\n\`\`\`diff\n${patch}\`\`\`\n`);
    expect(outcome).toEqual({ ok: true, script: tiny(6), applied: hunkCount(tiny(5), tiny(6)), notes: [TOLERANT] });
  });

  it('apply an unfenced diff followed by prose', () => {
    const response = `Change:\n${patchBetween(tiny(1), tiny(2))}\nThis should converge faster.\n`;
    expect(applyUdiff(tiny(1), response)).toMatchObject({ ok: true, script: tiny(2), applied: 2 });
  });

  it('keep the script’s own context lines when the diff’s differ in trailing whitespace', () => {
    const patch = patchBetween(tiny(1), tiny(2)).replace('\n     seq_len = 128\n', '\n     seq_len = 128   \n');
    expect(applyUdiff(tiny(1), patch)).toEqual({
      ok: true,
      script: tiny(2),
      applied: 2,
      notes: [TOLERANT, 'hunk 2 matched ignoring trailing whitespace'],
    });
  });

  it('re-indent added lines when the hunk is written with less indentation', () => {
    const response = [
      '```diff',
      '@@ @@',
      ' def forward(self, x):',
      '     x = x + self.attn(self.ln_1(x))',
      '+    x = x * 1.0',
      '     x = x + self.mlp(self.ln_2(x))',
      '```',
    ].join('\n');
    const outcome = applyUdiff(tiny(1), response);
    expect(outcome).toEqual({
      ok: true,
      script: tiny(1).replace('        x = x + self.attn(self.ln_1(x))\n', '        x = x + self.attn(self.ln_1(x))\n        x = x * 1.0\n'),
      applied: 1,
      notes: [TOLERANT, "hunk 1 matched ignoring indentation (the script's lines are indented 4 spaces more; the replacement was re-indented to match)"],
    });
  });

  it('accept several file headers that name the same file', () => {
    const [first, second] = structuredPatch('a', 'b', tiny(1), tiny(2)).hunks;
    const section = (h: NonNullable<typeof first>): string =>
      ['--- a/train_gpt.py', '+++ b/train_gpt.py', `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines].join('\n');
    const response = ['```diff', section(first!), section(second!), '```'].join('\n');
    expect(applyUdiff(tiny(1), response)).toEqual({ ok: true, script: tiny(2), applied: 2, notes: [] });
  });

  it('create a whole new file from a /dev/null diff on an empty script', () => {
    const patch = createTwoFilesPatch('/dev/null', 'b/train_gpt.py', '', 'import torch\nprint(torch.__version__)\n');
    expect(applyUdiff('', patch)).toEqual({ ok: true, script: 'import torch\nprint(torch.__version__)\n', applied: 1, notes: [] });
  });
});

describe('unified diff failures', () => {
  it('name the hunk that does not match and show the closest lines, changing nothing', () => {
    const script = tiny(1);
    const response = [
      '```diff',
      '--- a/train_gpt.py',
      '+++ b/train_gpt.py',
      '@@ -42,1 +42,1 @@',
      '-    learning_rate = 6e-4',
      '+    learning_rate = 9e-4',
      '@@ -160,3 +160,3 @@',
      '         self.wte = nn.Embedding(vocab_size, dim)',
      '-        self.wpe = nn.Embedding(seq_len, dims)',
      '+        self.wpe = nn.Embedding(2 * seq_len, dim)',
      '         self.blocks = nn.ModuleList([Block(dim, n_head) for _ in range(n_layer)])',
      '```',
    ].join('\n');
    const outcome = applyUdiff(script, response);
    expect(outcome).toEqual({
      ok: false,
      message: [
        "Hunk 2 was not applied: its context and '-' lines were not found in the script.",
        "The context and '-' lines of hunk 2 are:",
        '  |         self.wte = nn.Embedding(vocab_size, dim)',
        '  |         self.wpe = nn.Embedding(seq_len, dims)',
        '  |         self.blocks = nn.ModuleList([Block(dim, n_head) for _ in range(n_layer)])',
        'The closest match in the script (after hunks 1–1 were applied) is lines 159–161, shown with the lines around it:',
        '  157 |     def __init__(self, vocab_size, n_layer, n_head, dim, seq_len):',
        '  158 |         super().__init__()',
        '  159 |         self.wte = nn.Embedding(vocab_size, dim)',
        '  160 |         self.wpe = nn.Embedding(seq_len, dim)',
        '  161 |         self.blocks = nn.ModuleList([Block(dim, n_head) for _ in range(n_layer)])',
        '  162 |         self.ln_f = nn.LayerNorm(dim)',
        '  163 |         self.lm_head = nn.Linear(dim, vocab_size, bias=False)',
        'The first difference: line 2 of the context and \'-\' lines is "        self.wpe = nn.Embedding(seq_len, dims)", but script line 160 is "        self.wpe = nn.Embedding(seq_len, dim)".',
        "Copy the unchanged (' ') and removed ('-') lines exactly as they appear in the script, including indentation.",
        'Nothing was applied: the script is unchanged. Send all your edits again, corrected.',
      ].join('\n'),
    });
    expect(script).toBe(tiny(1));
  });

  it('refuse a hunk whose lines match several places', () => {
    const outcome = applyUdiff(tiny(1), ['@@ @@', '         super().__init__()', '+        self.extra = None'].join('\n'));
    expect(!outcome.ok && outcome.message).toMatch(
      /^Hunk 1 was not applied: its context and '-' lines match \d+ places \(lines \d+(, \d+)+\); add surrounding lines so it is unique\./,
    );
  });

  it('refuse a hunk of added lines only when its header gives no place for them', () => {
    const outcome = applyUdiff(tiny(1), ['```diff', '@@ ... @@', '+import sys', '```'].join('\n'));
    expect(!outcome.ok && outcome.message).toMatch(/^Hunk 1 has only '\+' lines, so there is nowhere to put it/);
  });

  it('refuse a diff that names two different files', () => {
    const patch = patchBetween(tiny(1), tiny(2)) + createTwoFilesPatch('a/other.py', 'b/other.py', 'x = 1\n', 'x = 2\n');
    const outcome = applyUdiff(tiny(1), patch);
    expect(!outcome.ok && outcome.message.split('\n')[0]).toBe(
      'The diff names 2 files (train_gpt.py, other.py), but only the one script can be edited: put all hunks under one ---/+++ header.',
    );
  });

  it('refuse a fenced hunk with a line that is not a diff line', () => {
    const response = ['```diff', '@@ -42,1 +42,1 @@', '-    learning_rate = 6e-4', 'learning_rate = 9e-4', '```'].join('\n');
    const outcome = applyUdiff(tiny(1), response);
    expect(!outcome.ok && outcome.message.split('\n')[0]).toBe(
      "Hunk 1 has a line that is not a diff line: \"learning_rate = 9e-4\". Every line of a hunk starts with ' ' (unchanged), '-' (removed) or '+' (added).",
    );
  });

  it('refuse a ```diff block that is never closed (a cut-off answer)', () => {
    const outcome = applyUdiff(tiny(1), `Here:\n\`\`\`diff\n${patchBetween(tiny(1), tiny(2))}`);
    expect(!outcome.ok && outcome.message).toMatch(/^The code block opened at line 2 of your answer is never closed \(was the answer cut off\?\)/);
  });

  it('explain the format when the answer has no hunk', () => {
    const outcome = applyUdiff(tiny(1), 'Set learning_rate = 9e-4 in the hyperparameters.');
    expect(!outcome.ok && outcome.message).toMatch(
      /^Your answer contains no diff hunk \(no line starting with @@\), so nothing was changed\. Write your edit as a unified diff/,
    );
    expect(!outcome.ok && outcome.message).toContain('--- a/train_gpt.py\n+++ b/train_gpt.py\n@@ -40,3 +40,3 @@');
  });

  it('explain the format when the answer is empty', () => {
    expect(applyUdiff(tiny(1), '')).toEqual({ ok: false, message: expect.stringMatching(/^Your answer is empty\. Write your edit as a unified diff/) });
  });
});
