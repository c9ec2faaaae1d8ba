import { describe, expect, it } from 'vitest';
import { positive, runBenchSmoke } from './helpers/bench-smoke.js';

// The benchmarks that train with torch or start containers, at toy sizes (BENCH_SMOKE=1): see bench-smoke.test.ts.
describe('benchmarks that need torch or Docker, in smoke mode', () => {
  it('overlap: the engine and the same work in turn both finish their drafts', { timeout: 240_000 }, async () => {
    const { exitCode, output, result } = await runBenchSmoke('overlap');
    expect(exitCode, output).toBe(0);
    expect(result).toMatchObject({ name: 'overlap', smoke: true, nodes: 2 });
    expect([result!.floor_s, result!.overlapped_s, result!.sequential_s, result!.ratio, result!.speedup].every(positive)).toBe(true);
  });

  it('docker-overhead: local and docker trainings side by side, with per-pair ratios', { timeout: 240_000 }, async () => {
    const { exitCode, output, result } = await runBenchSmoke('docker-overhead');
    expect(exitCode, output).toBe(0);
    // The integration suite's set-up starts the Docker engine and builds the image, so this never skips here.
    expect(result).not.toHaveProperty('skipped');
    expect(result).toMatchObject({ name: 'docker-overhead', smoke: true, record: 6, pairs: 1 });
    expect([result!.wall_ratio, result!.train_time_ratio, result!.container_start_ms].every(positive)).toBe(true);
  });

  it('load-fsr: a run of the built binary under load, its row complete', { timeout: 300_000 }, async () => {
    const { exitCode, output, result } = await runBenchSmoke('load-fsr', 300_000);
    expect(exitCode, output).toBe(0);
    expect(result).toMatchObject({ name: 'load-fsr', smoke: true });
    const rows = result!.rows as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    // A smoke run is never scored: its FSR is null, its times and wall clock are there.
    expect(rows[0]).toMatchObject({ condition: 'load', task: 1, agent: 'reference', fsr: null });
    expect([rows[0]!.t_i, rows[0]!.t_next, rows[0]!.wallS].every(positive)).toBe(true);
  });
});
