import { describe, expect, it } from 'vitest';
import { codeLines } from '../src/core/score/code-lines.js';
import { diffOverlap, lineDiff } from '../src/core/score/diff-overlap.js';

/** A small record i: two "hunks" worth of settings and a loop, with a docstring and comments to be ignored. */
const RECORD_I = `"""Record 1: the baseline."""
import torch

# settings
lr = 6e-4
batch = 32
warmup = 100

def step(model, x):
    """One step."""
    loss = model(x)
    loss.backward()
    return loss
`;

/** Record i+1: two changed settings (one hunk), one line added in step (a second hunk), a new docstring. */
const RECORD_NEXT = `"""Record 2: a higher learning rate and clipping."""
import torch

# settings
lr = 9e-4
batch = 64
warmup = 100

def step(model, x):
    """One step."""
    loss = model(x)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    return loss
`;

const truth = lineDiff(RECORD_I, RECORD_NEXT);

function overlapOf(node: string) {
  return diffOverlap(truth, lineDiff(RECORD_I, node));
}

describe('code lines', () => {
  it('drops comments, blank lines and docstrings, and removes whitespace', () => {
    const src = [
      '"""Module',
      'docstring."""',
      'x  =  1   # one',
      '',
      '    # only a comment',
      "s = '#not a comment'",
      'def f(a,',
      '      b):',
      "    r'''raw",
      "    doc'''",
      '    return a + \\',
      '        b',
      'y = """kept',
      'as code"""',
    ].join('\n');
    expect(codeLines(src)).toEqual([
      { line: 2, key: 'x=1' },
      { line: 5, key: "s='#notacomment'" },
      { line: 6, key: 'deff(a,' },
      { line: 7, key: 'b):' },
      { line: 10, key: 'returna+' },
      { line: 11, key: 'b' },
      { line: 12, key: 'y="""kept' },
      { line: 13, key: 'ascode"""' },
    ]);
  });
});

describe('diff overlap', () => {
  it('sizes the true diff without its docstring: 2 lines replaced and 1 added, in 2 hunks', () => {
    expect(truth.keys).toEqual(['-lr=6e-4', '-batch=32', '+lr=9e-4', '+batch=64', '+torch.nn.utils.clip_grad_norm_(model.parameters(),1.0)']);
    expect(truth.hunks).toBe(2);
  });

  it('scores the true next record 1 everywhere, however it is spaced and commented', () => {
    expect(overlapOf(RECORD_NEXT)).toMatchObject({ recall: 1, precision: 1, f1: 1, hunks_reproduced: 2, hunks_total: 2 });
    const respaced = RECORD_NEXT.replace('lr = 9e-4', 'lr=9e-4   # faster').replace('"""Record 2', '"""Something else').replace('1.0)', '1.0 )');
    expect(overlapOf(respaced)).toMatchObject({ recall: 1, precision: 1, f1: 1 });
  });

  it('scores no change recall 0 with no precision', () => {
    expect(overlapOf(RECORD_I)).toEqual({
      recall: 0,
      precision: null,
      f1: 0,
      hunks_reproduced: 0,
      hunks_total: 2,
      true_lines: 5,
      node_lines: 0,
      matched_lines: 0,
    });
    // Whitespace and comment edits alone are no change either.
    expect(overlapOf(RECORD_I.replace('batch = 32', 'batch=32  # same').replace('# settings', '# the settings'))?.precision).toBeNull();
  });

  it('counts a partial reproduction line by line and hunk by hunk', () => {
    // Only the learning rate: 2 of the 5 changed lines, no hunk whole.
    const partial = RECORD_I.replace('lr = 6e-4', 'lr = 9e-4');
    expect(overlapOf(partial)).toMatchObject({ recall: 2 / 5, precision: 1, hunks_reproduced: 0, hunks_total: 2, matched_lines: 2, node_lines: 2 });
    // The clipping alone: its whole hunk.
    const clip = RECORD_I.replace('    return loss', '    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n    return loss');
    expect(overlapOf(clip)).toMatchObject({ recall: 1 / 5, precision: 1, hunks_reproduced: 1 });
  });

  it('matches the same changes made in another order', () => {
    const reordered = RECORD_I.replace('lr = 6e-4\nbatch = 32', 'batch = 64\nlr = 9e-4').replace(
      '    return loss',
      '    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n    return loss',
    );
    expect(overlapOf(reordered)).toMatchObject({ recall: 1, precision: 1, hunks_reproduced: 2 });
  });

  it('lowers precision, not recall, for extra unrelated changes', () => {
    const extra = RECORD_NEXT.replace('warmup = 100', 'warmup = 50').replace('import torch', 'import torch\nimport math');
    const o = overlapOf(extra)!;
    expect(o).toMatchObject({ recall: 1, hunks_reproduced: 2, true_lines: 5, node_lines: 8, matched_lines: 5 });
    expect(o.precision).toBeCloseTo(5 / 8, 12);
    expect(o.f1).toBeCloseTo((2 * (5 / 8)) / (1 + 5 / 8), 12);
  });

  it('scores a different value of the right setting as a miss', () => {
    const o = overlapOf(RECORD_NEXT.replace('lr = 9e-4', 'lr = 1e-3'))!;
    // "-lr=6e-4" still matches (the old line went), "+lr=9e-4" does not: 4 of 5.
    expect(o).toMatchObject({ recall: 4 / 5, matched_lines: 4, node_lines: 5, hunks_reproduced: 1 });
  });

  it('has nothing to measure when the true diff changes no code line', () => {
    expect(diffOverlap(lineDiff(RECORD_I, RECORD_I.replace('Record 1', 'Record 2')), lineDiff(RECORD_I, RECORD_NEXT))).toBeNull();
  });
});
