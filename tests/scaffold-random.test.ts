import { describe, expect, it } from 'vitest';
import { decisionRandom, pickIndex, pickWeighted } from '../src/core/search/scaffolds/random.js';

const draws = (random: () => number, n: number) => Array.from({ length: n }, () => random());

describe('decisionRandom', () => {
  it('gives the same draws for the same seed and node, every time', () => {
    expect(draws(decisionRandom(42, 7), 5)).toEqual(draws(decisionRandom(42, 7), 5));
  });

  it('gives different draws to neighbouring nodes and neighbouring seeds', () => {
    const first = draws(decisionRandom(42, 7), 3);
    expect(draws(decisionRandom(42, 8), 3)).not.toEqual(first);
    expect(draws(decisionRandom(43, 7), 3)).not.toEqual(first);
    // The high half of a wide seed counts too.
    expect(draws(decisionRandom(42 + 2 ** 32, 7), 3)).not.toEqual(first);
  });

  it('draws in [0, 1), evenly within a stream and across nodes', () => {
    const within = draws(decisionRandom(1, 1), 20_000);
    expect(within.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(within.reduce((a, b) => a + b, 0) / within.length - 0.5)).toBeLessThan(0.01);
    // Decisions mostly use their first draw, so the first draws of consecutive nodes must look uniform as well.
    const firsts = Array.from({ length: 20_000 }, (_, node) => decisionRandom(3, node)());
    expect(Math.abs(firsts.reduce((a, b) => a + b, 0) / firsts.length - 0.5)).toBeLessThan(0.01);
    expect(firsts.filter((x) => x < 0.5).length / firsts.length).toBeGreaterThan(0.48);
    expect(firsts.filter((x) => x < 0.5).length / firsts.length).toBeLessThan(0.52);
  });

  it('rejects a seed or node id that is not an integer', () => {
    expect(() => decisionRandom(1.5, 1)).toThrow(RangeError);
    expect(() => decisionRandom(1, -1)).toThrow(RangeError);
  });
});

describe('picking with a draw', () => {
  const fixed = (x: number) => () => x;

  it('maps a uniform draw onto equal slices', () => {
    expect(pickIndex(fixed(0), 3)).toBe(0);
    expect(pickIndex(fixed(0.34), 3)).toBe(1);
    expect(pickIndex(fixed(0.9999), 3)).toBe(2);
  });

  it('maps a draw onto slices as wide as the weights', () => {
    const weights = [1, 1, 2];
    expect(pickWeighted(fixed(0.2), weights)).toBe(0);
    expect(pickWeighted(fixed(0.25), weights)).toBe(1);
    expect(pickWeighted(fixed(0.49), weights)).toBe(1);
    expect(pickWeighted(fixed(0.5), weights)).toBe(2);
    expect(pickWeighted(fixed(0.99), [1, 0, 0])).toBe(0);
    expect(pickWeighted(fixed(0.7), [0, 0])).toBe(1);
  });
});
