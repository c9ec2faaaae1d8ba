import { describe, expect, it } from 'vitest';
import { softCondorcetOptimization, voteFromScores, type Vote } from '../src/core/score/sco.js';

describe('Soft Condorcet Optimization', () => {
  it('places a Condorcet winner first even when it wins no vote outright', () => {
    // B beats A in 3 of 5 votes and C in 3 of 5, so B is the Condorcet winner, yet A tops 2 votes and C tops 2.
    // A plurality count would pick A or C; a mean of FSR could too.
    const votes: Vote[] = [
      [['A'], ['B'], ['C']],
      [['A'], ['B'], ['C']],
      [['C'], ['B'], ['A']],
      [['C'], ['B'], ['A']],
      [['B'], ['A'], ['C']],
    ];
    const ranking = softCondorcetOptimization(votes);
    expect(ranking[0]?.alternative).toBe('B');
    expect(ranking[0]?.rank).toBe(1);
  });

  it('orders a single vote as the vote does and ties what no vote separates', () => {
    expect(softCondorcetOptimization([[['a'], ['b'], ['c']]]).map((r) => r.alternative)).toEqual(['a', 'b', 'c']);
    const tied = softCondorcetOptimization([[['x', 'y']]]);
    expect(tied.map((r) => r.rank)).toEqual([1, 1]);
  });

  it('handles partial votes: a configuration missing from a task is absent from that vote only', () => {
    const ranking = softCondorcetOptimization([
      [['a'], ['b']],
      [['b'], ['c']],
      [['a'], ['c']],
    ]);
    expect(ranking.map((r) => r.alternative)).toEqual(['a', 'b', 'c']);
  });

  it('turns per-task scores into a vote, higher first, equal scores tied', () => {
    expect(
      voteFromScores(
        new Map([
          ['x', 0.5],
          ['y', 0.9],
          ['z', 0.5],
        ]),
      ),
    ).toEqual([['y'], ['x', 'z']]);
  });
});
