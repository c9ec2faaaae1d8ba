import { describe, expect, it } from 'vitest';
import { fsr, fsrFlags } from '../src/core/score/fsr.js';

// Records 4 and 5 of the nanogpt track (README times): t_i = 22.3 min, t_{i+1} = 15.2 min.
const T_I = 1_338_000;
const T_NEXT = 912_000;

describe('fsr', () => {
  it('is 0 when the best node is slower than the baseline (the baseline itself counts)', () => {
    expect(fsr(T_I, T_NEXT, 1_500_000)).toBe(0);
  });

  it('is 0 when no node reached the target', () => {
    expect(fsr(T_I, T_NEXT, null)).toBe(0);
  });

  it('is 1 at the next record and the recovered fraction in between', () => {
    expect(fsr(T_I, T_NEXT, T_NEXT)).toBe(1);
    expect(fsr(1000, 800, 900)).toBeCloseTo(0.5, 12);
    expect(fsr(T_I, T_NEXT, 1_125_000)).toBeCloseTo(0.5, 12);
  });

  it('stays unclipped above 1 when the agent beat the next record', () => {
    expect(fsr(1000, 800, 700)).toBeCloseTo(1.5, 12);
    expect(fsr(T_I, T_NEXT, 800_000)).toBeCloseTo(538 / 426, 12);
  });

  it('throws when there is no speedup to recover (t_i <= t_{i+1})', () => {
    expect(() => fsr(800, 800, 700)).toThrow(/no speedup to recover/);
    expect(() => fsr(800, 1000, 700)).toThrow(/t_i = 800 ms is not larger than target time t_\{i\+1\} = 1000 ms/);
  });

  it('throws on non-finite or non-positive times', () => {
    expect(() => fsr(Number.NaN, 800, 700)).toThrow(/baseline time/);
    expect(() => fsr(1000, Number.POSITIVE_INFINITY, 700)).toThrow(/target time/);
    expect(() => fsr(1000, 800, Number.NaN)).toThrow(/best time/);
    expect(() => fsr(1000, 800, 0)).toThrow(/positive/);
  });
});

describe('fsrFlags', () => {
  it('flags implausibly large values for review and leaves ordinary ones alone', () => {
    expect(fsrFlags(0)).toEqual([]);
    expect(fsrFlags(1.2)).toEqual([]);
    expect(fsrFlags(1.5)).toEqual([]);
    expect(fsrFlags(1.73)).toHaveLength(1);
    expect(fsrFlags(1.73)[0]).toMatch(/^FSR 1\.73 > 1\.5/);
    expect(fsrFlags(1.2, 1.1)).toHaveLength(1);
  });

  it('flags values fsr() cannot return', () => {
    expect(fsrFlags(Number.NaN)).toEqual(['FSR NaN is not a finite number']);
    expect(fsrFlags(-0.2)[0]).toMatch(/negative/);
  });
});
