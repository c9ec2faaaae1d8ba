import { describe, expect, it } from 'vitest';
import { readJudgeAnswer } from '../src/core/judge/judge-answer.js';
import { pearson } from '../src/core/report/judge-section.js';

const verdict = { score: 0.5, implemented: [{ change: 'rotary embeddings', verdict: 'partial' }], other_changes: [], reasons: 'half of it' };

describe('reading a judge verdict', () => {
  it('takes the JSON object out of a fence or a sentence', () => {
    expect(readJudgeAnswer(JSON.stringify(verdict))).toEqual({ ok: true, answer: verdict });
    expect(readJudgeAnswer(`Here it is:\n\`\`\`json\n${JSON.stringify(verdict)}\n\`\`\`\nDone.`)).toEqual({ ok: true, answer: verdict });
  });

  it('says what is wrong in words a model can act on', () => {
    expect(readJudgeAnswer('no verdict today')).toEqual({ ok: false, problem: 'it holds no JSON object' });
    expect(readJudgeAnswer('{"score": 0.5,}')).toMatchObject({ ok: false, problem: expect.stringMatching(/^it is not valid JSON/) });
    expect(readJudgeAnswer(JSON.stringify({ ...verdict, score: -0.1 }))).toEqual({ ok: false, problem: 'score -0.1 is outside [0, 1]' });
    expect(readJudgeAnswer(JSON.stringify({ ...verdict, score: '0.5' }))).toMatchObject({ ok: false, problem: expect.stringMatching(/^score: /) });
    const wrongVerdict = { ...verdict, implemented: [{ change: 'x', verdict: 'mostly' }] };
    expect(readJudgeAnswer(JSON.stringify(wrongVerdict))).toMatchObject({ ok: false, problem: expect.stringMatching(/^implemented\.0\.verdict: /) });
    const { reasons: _, ...noReasons } = verdict;
    expect(readJudgeAnswer(JSON.stringify(noReasons))).toEqual({ ok: false, problem: 'reasons is missing' });
  });
});

describe("Pearson's r of judge score and FSR", () => {
  it('is 1 for a line, −1 for a falling one, and null without enough points or spread', () => {
    expect(pearson([0, 0.5, 1], [0, 1, 2])).toBeCloseTo(1, 12);
    expect(pearson([0, 0.5, 1], [2, 1, 0])).toBeCloseTo(-1, 12);
    expect(pearson([0, 1], [0, 1])).toBeNull();
    expect(pearson([0.5, 0.5, 0.5], [0, 1, 2])).toBeNull();
  });
});
