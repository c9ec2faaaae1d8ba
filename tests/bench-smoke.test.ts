import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_DIR, positive, runBenchSmoke } from './helpers/bench-smoke.js';

// Every benchmark runs here at toy sizes (BENCH_SMOKE=1), so an API change breaks a test rather than a benchmark
// nobody runs. Those that need torch or Docker are in bench-smoke.int.test.ts.
describe('benchmarks in smoke mode', () => {
  it('log-parser: all three ways of feeding the parser agree and are timed', async () => {
    const { exitCode, output, result } = await runBenchSmoke('log-parser');
    expect(exitCode, output).toBe(0);
    expect(result).toMatchObject({ name: 'log-parser', smoke: true, lines: 2003 });
    const modes = result!.modes as Record<string, { ms: number; vs_whole: number }>;
    expect(Object.keys(modes)).toEqual(['whole text (parseLog)', '4 KiB chunks', 'line by line (live)']);
    for (const mode of Object.values(modes)) expect([mode.ms, mode.vs_whole].every(positive)).toBe(true);
  });

  it('report: builds and writes every format over synthetic runs', async () => {
    const { exitCode, output, result } = await runBenchSmoke('report');
    expect(exitCode, output).toBe(0);
    expect(result).toMatchObject({ name: 'report', smoke: true, runs: 200, nodes: 4000, files: 4 });
    expect([result!.statistics_s, result!.formats_s, result!.total_s].every(positive)).toBe(true);
  });

  it('view-index: writes a bench, times the index, a run page and the bundle', async () => {
    const { exitCode, output, result } = await runBenchSmoke('view-index');
    expect(exitCode, output).toBe(0);
    expect(result).toMatchObject({ name: 'view-index', smoke: true, runs: 40 });
    expect([result!.start_ms, result!.index_cold_ms, result!.index_warm_ms, result!.run_ms, result!.bundle_ms].every(positive)).toBe(true);
  });

  it('every benchmark under bench/ has a smoke test', async () => {
    const benches = (await readdir(BENCH_DIR)).filter((f) => f.endsWith('.bench.mjs'));
    const tests = await Promise.all(
      (await readdir(import.meta.dirname)).filter((f) => /\.test\.tsx?$/.test(f)).map((f) => readFile(join(import.meta.dirname, f), 'utf8')),
    );
    // Named as runBenchSmoke('<name>') here and in the .int file, or by its file name in a test of its own.
    const covered = (file: string) => tests.some((text) => text.includes(`runBenchSmoke('${file.replace('.bench.mjs', '')}'`) || text.includes(file));
    expect(benches.filter((f) => !covered(f))).toEqual([]);
    expect(benches.length).toBeGreaterThanOrEqual(5);
  });
});
