import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyWholeFile } from '../src/core/agent/edits/whole-file.js';

const tiny = (n: number): string => readFileSync(new URL(`../records/tiny/r0${n}/train_gpt.py`, import.meta.url), 'utf8');

const FORMAT = 'Give the complete new script in one fenced code block: a line ```python, every line of the script, then a line ```.';

describe('whole-file answers', () => {
  it('replace the script with the python block, ignoring the prose around it', () => {
    const response = `Record 2 raises the learning rate. Here is the full script:\n\n\`\`\`python\n${tiny(2)}\`\`\`\n\nIt should reach the target sooner.`;
    expect(applyWholeFile(tiny(1), response)).toEqual({ ok: true, script: tiny(2), applied: 1, notes: [] });
  });

  it('take the longest python or unlabelled block when there are several', () => {
    const response = [
      'The key change:',
      '```python',
      '    learning_rate = 9e-4',
      '```',
      'Run it with:',
      '```bash',
      `echo ${'x'.repeat(20_000)}`,
      '```',
      'Full script:',
      '```',
      tiny(2).trimEnd(),
      '```',
    ].join('\n');
    expect(applyWholeFile(tiny(1), response)).toEqual({
      ok: true,
      script: tiny(2),
      applied: 1,
      notes: ['took the longest of 2 python code blocks (the one at line 10 of the answer)'],
    });
  });

  it('accept py, python3 and file-name labels, ~~~ fences and CRLF line ends', () => {
    for (const label of ['py', 'python3', 'train_gpt.py']) {
      expect(applyWholeFile('', `\`\`\`${label}\nx = 1\n\`\`\``)).toMatchObject({ ok: true, script: 'x = 1\n' });
    }
    expect(applyWholeFile('', '~~~python\r\nx = 1\r\ny = 2\r\n~~~\r\n')).toMatchObject({ ok: true, script: 'x = 1\ny = 2\n' });
  });

  it('keep a block that itself shows a shorter fence', () => {
    const script = 'doc = """\n```\nexample\n```\n"""\n';
    expect(applyWholeFile('', `\`\`\`\`python\n${script}\`\`\`\``)).toMatchObject({ ok: true, script });
  });
});

describe('whole-file failures', () => {
  it('explain the format when there is no fenced block', () => {
    expect(applyWholeFile(tiny(1), 'Raise the learning rate to 9e-4.')).toEqual({ ok: false, message: `Your answer has no fenced code block. ${FORMAT}` });
  });

  it('name the labels found when no block holds python', () => {
    expect(applyWholeFile(tiny(1), '```bash\npython train_gpt.py\n```\n```json\n{}\n```')).toEqual({
      ok: false,
      message: `Your answer has code blocks labelled bash, json, but none labelled python. ${FORMAT}`,
    });
  });

  it('refuse an empty block', () => {
    expect(applyWholeFile(tiny(1), 'Here:\n```python\n\n```')).toEqual({ ok: false, message: `The code block at line 2 of your answer is empty. ${FORMAT}` });
  });

  it('refuse a block that is never closed, since the script may be cut off', () => {
    const outcome = applyWholeFile(tiny(1), `Here:\n\`\`\`python\n${tiny(2).slice(0, 2000)}`);
    expect(!outcome.ok && outcome.message).toMatch(/^The code block opened at line 2 of your answer is never closed, so the script may be incomplete/);
  });

  it('explain the format when the answer is empty', () => {
    expect(applyWholeFile(tiny(1), '')).toEqual({ ok: false, message: `Your answer is empty. ${FORMAT}` });
  });
});
