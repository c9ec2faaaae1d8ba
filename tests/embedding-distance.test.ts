import { describe, expect, it } from 'vitest';
import { chunkText } from '../src/core/distance/chunking.js';
import { readEmbeddings } from '../src/core/distance/embedding-answer.js';
import { buildReport } from '../src/core/report/build.js';
import { NOT_LOOKED_UP } from '../src/core/report/reproduction-lookup.js';
import { renderMarkdown } from '../src/core/report/markdown.js';
import { distanceBetween, poolChunks } from '../src/core/score/embedding-distance.js';
import { leastSquares } from '../src/core/score/linear-fit.js';
import { reportRun } from './helpers/report-fixtures.js';

describe('code distance arithmetic', () => {
  it('gives cosine distance and normalized L2 on known vectors, whatever their lengths', () => {
    expect(distanceBetween([1, 0], [0, 3])).toEqual({ cosine: 1, l2: Math.SQRT2 });
    expect(distanceBetween([2, 0], [5, 0])).toEqual({ cosine: 0, l2: 0 });
    expect(distanceBetween([1, 0], [-4, 0])).toEqual({ cosine: 2, l2: 2 });
    const d = distanceBetween([1, 1], [1, 0]);
    expect(d.cosine).toBeCloseTo(1 - Math.SQRT1_2, 12);
    expect(d.l2).toBeCloseTo(Math.sqrt(2 - Math.SQRT2), 12);
    expect(d.l2).toBeCloseTo(Math.sqrt(2 * d.cosine), 12);
    expect(() => distanceBetween([1, 0], [1, 0, 0])).toThrow(/lengths 2 and 3/);
    expect(() => distanceBetween([0, 0], [1, 0])).toThrow(/zero/);
  });

  it('pools chunk embeddings as unit vectors weighted by chunk length, then normalises', () => {
    // [10, 0] counts as [1, 0]: the chunk's length in characters is its weight, not its vector's norm.
    const pooled = poolChunks(
      [
        [10, 0],
        [0, 1],
      ],
      [3, 1],
    );
    const n = Math.hypot(0.75, 0.25);
    expect(pooled[0]).toBeCloseTo(0.75 / n, 12);
    expect(pooled[1]).toBeCloseTo(0.25 / n, 12);
    expect(poolChunks([[3, 4]], [7])).toEqual([0.6, 0.8]);
    expect(() => poolChunks([[1, 0], [1]], [1, 1])).toThrow(/lengths 2 and 1/);
  });

  it('cuts a script into chunks of whole lines, a too-long line every N characters, and loses nothing', () => {
    const text = 'aaaa\nbb\ncccccccccccc\nd\n';
    const chunks = chunkText(text, 8);
    expect(chunks).toEqual(['aaaa\nbb\n', 'cccccccc', 'cccc\nd\n']);
    expect(chunks.join('')).toBe(text);
    expect(chunkText('x\ny', 100)).toEqual(['x\ny']);
    expect(chunkText('', 10)).toEqual(['']);
    const long = Array.from({ length: 500 }, (_, i) => `line ${i} ${'#'.repeat(i % 37)}\n`).join('');
    const cut = chunkText(long, 300);
    expect(cut.join('')).toBe(long);
    expect(cut.every((c) => c.length <= 300 && c.endsWith('\n'))).toBe(true);
    expect(chunkText(long, 300)).toEqual(cut); // deterministic
  });

  it('fits FSR on distance by least squares with its R², and none without 3 points or spread', () => {
    const exact = leastSquares([0, 1, 2], [1, 0.5, 0]);
    expect(exact).toMatchObject({ n: 3, r2: 1 });
    expect(exact!.slope).toBeCloseTo(-0.5, 12);
    expect(exact!.intercept).toBeCloseTo(1, 12);
    // y = 1 - x with noise: slope −0.9, intercept 0.95, R² 1 − 0.01/0.82 (worked by hand).
    const noisy = leastSquares([0, 1, 0, 1], [1, 0, 0.9, 0.1]);
    expect(noisy!.slope).toBeCloseTo(-0.9, 12);
    expect(noisy!.intercept).toBeCloseTo(0.95, 12);
    expect(noisy!.r2).toBeCloseTo(0.81 / 0.82, 12);
    expect(leastSquares([0, 1], [1, 0])).toBeNull();
    expect(leastSquares([1, 1, 1], [0, 1, 2])).toBeNull();
    expect(leastSquares([0, 1, 2], [1, 1, 1])).toBeNull();
  });
});

describe('reading an /embeddings answer', () => {
  const body = (data: unknown) => ({ data });
  it('takes vectors in index order and refuses every kind of malformed answer with the reason', () => {
    expect(
      readEmbeddings(
        body([
          { index: 1, embedding: [0, 1] },
          { index: 0, embedding: [1, 0] },
        ]),
        2,
        null,
      ),
    ).toEqual({
      ok: true,
      vectors: [
        [1, 0],
        [0, 1],
      ],
    });
    const problem = (b: unknown, inputs = 1, dim: number | null = null) => {
      const read = readEmbeddings(b, inputs, dim);
      return read.ok ? null : read.problem;
    };
    expect(problem({ object: 'list' })).toMatch(/no data list/);
    expect(problem('{"data": [NaN]}')).toMatch(/not JSON/);
    expect(problem(body([]))).toMatch(/0 embeddings for 1 inputs/);
    expect(problem(body([{ embedding: [1, null] }]))).toMatch(/embedding\[1\] is null, not a finite number/);
    expect(problem(body([{ embedding: 'AAAA' }]))).toMatch(/no embedding list/);
    expect(problem(body([{ embedding: [1, 2, 3] }]), 1, 2)).toMatch(/3 numbers where 2 were expected/);
    expect(problem(body([{ embedding: [1, 2] }, { embedding: [1] }]), 2)).toMatch(/1 numbers where 2 were expected/);
    expect(problem(body([{ embedding: [0, 0] }]))).toMatch(/all zeros/);
    expect(
      problem(
        body([
          { index: 0, embedding: [1] },
          { index: 0, embedding: [1] },
        ]),
        2,
      ),
    ).toMatch(/index 0, not one of the 2 inputs once/);
  });
});

describe('the report’s code distance', () => {
  it('fits FSR on the distance to record i+1 over the scored runs, means per configuration, and says R² in the markdown', () => {
    // Four runs of one configuration, FSR 1, 0.75, 0.5, 0 (baseline 100 s, target 60 s).
    const runs = [60_000, 70_000, 80_000, 100_000].map((ms, seed) => reportRun({ record: 1, hint: 'L1', model: 'm', seed, nodes: [ms] }));
    const cosine = [0, 0.1, 0.3, 0.4];
    const report = buildReport(runs, {
      sources: ['x'],
      reps: 50,
      reproductionOf: (run) => {
        const i = runs.indexOf(run as (typeof runs)[number]);
        return {
          ...NOT_LOOKED_UP,
          distance_model: 'emb',
          distance_to_record_i_cosine: 0.4 - cosine[i]!,
          distance_to_record_i_l2: 0.5,
          distance_to_next_cosine: cosine[i]!,
          distance_to_next_l2: Math.sqrt(2 * cosine[i]!),
        };
      },
    });
    const fsr = report.runs.map((r) => r.fsr!);
    expect(fsr).toEqual([1, 0.75, 0.5, 0]);
    const expected = leastSquares(cosine, fsr)!;
    expect(report.reproduction.distance_fit).toMatchObject({ runs: 4, models: ['emb'], cosine: expected });
    expect(report.reproduction.distance_fit!.cosine!.r2).toBeGreaterThan(0.8);
    expect(report.reproduction.by_configuration[0]).toMatchObject({ distance_runs: 4, mean_distance_to_next_cosine: 0.2, mean_distance_to_record_i_l2: 0.5 });
    const md = renderMarkdown(report);
    expect(md).toContain('## Code distance and FSR');
    expect(md).toContain(`| cosine distance to record i+1 | 4 | ${expected.slope.toFixed(3)} | ${expected.intercept.toFixed(3)} | ${expected.r2.toFixed(3)} |`);
    expect(md).toMatch(/\| distance to record i\+1 \(cos\) \|/);
  });

  it('shows no distance column or section when no run has a distance', () => {
    const report = buildReport([reportRun({ record: 1, hint: 'L1', nodes: [70_000] })], { sources: ['x'], reps: 50 });
    expect(report.reproduction.distance_fit).toBeNull();
    const md = renderMarkdown(report);
    expect(md).not.toContain('Code distance');
    expect(md).not.toContain('distance to record');
  });
});
