import { describe, expect, it } from 'vitest';
import { shannonEntropyBits } from '../src/core/ideas/entropy.js';
import { readIdeaAnswer } from '../src/core/ideas/idea-answer.js';
import { IDEA_CLASS_IDS, taxonomyText } from '../src/core/ideas/taxonomy.js';
import { spearman } from '../src/core/report/ideas-section.js';

describe('idea entropy', () => {
  it('is 0 bits for one class, 1 bit for two halves, log2(n) for n distinct, null for none', () => {
    expect(shannonEntropyBits(['optimizer', 'optimizer', 'optimizer', 'optimizer'])).toBe(0);
    expect(shannonEntropyBits(['optimizer', 'attention', 'optimizer', 'attention'])).toBeCloseTo(1, 12);
    expect(shannonEntropyBits(['optimizer', 'attention', 'schedule', 'precision'])).toBeCloseTo(2, 12);
    // 3 of one class, 1 of another: −(¾·log2 ¾ + ¼·log2 ¼)
    expect(shannonEntropyBits(['a', 'a', 'a', 'b'])).toBeCloseTo(0.8112781244591328, 12);
    expect(shannonEntropyBits([])).toBeNull();
  });

  it("ranks ties by their mean rank in Spearman's ρ", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [40, 30, 20, 10])).toBeCloseTo(-1, 12);
    // A monotone but not linear relation: ρ = 1 while Pearson's r is below 1.
    expect(spearman([1, 2, 3, 4], [1, 10, 100, 1000])).toBeCloseTo(1, 12);
    expect(spearman([0, 0, 1, 1], [1, 2, 3, 4])).toBeCloseTo(0.894427191, 8);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});

describe('reading a class from an answer', () => {
  it('takes the JSON object out of a fence and drops a secondary class equal to the primary', () => {
    const read = readIdeaAnswer('```json\n{"primary": "attention", "secondary": ["attention", "systems/kernels"], "reason": "rotary embeddings"}\n```');
    expect(read).toEqual({ ok: true, answer: { primary: 'attention', secondary: ['systems/kernels'], reason: 'rotary embeddings' } });
  });

  it('names a class outside the taxonomy, and missing fields, in words the model can act on', () => {
    const unknown = readIdeaAnswer('{"primary": "tokenizer", "secondary": ["optimizer", "magic"], "reason": "x"}');
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) {
      expect(unknown.problem).toContain('class "tokenizer" is not in the taxonomy (optimizer, architecture, attention');
      expect(unknown.problem).toContain('class "magic" is not in the taxonomy');
    }
    expect(readIdeaAnswer('{"primary": "optimizer"}')).toEqual({ ok: false, problem: 'reason is missing' });
    expect(readIdeaAnswer('The optimizer, I think.')).toEqual({ ok: false, problem: 'it holds no JSON object' });
  });

  it('lists every class of the taxonomy in the prompt text, one line each', () => {
    expect(IDEA_CLASS_IDS).toEqual(['optimizer', 'architecture', 'attention', 'precision', 'schedule', 'data/batching', 'systems/kernels', 'other']);
    expect(taxonomyText().split('\n')).toHaveLength(IDEA_CLASS_IDS.length);
  });
});
