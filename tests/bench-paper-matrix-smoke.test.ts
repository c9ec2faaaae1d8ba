import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The paper-matrix benchmark in its seconds-long smoke mode (6 runs × 5 nodes), so an API change breaks this
// test rather than a benchmark nobody runs. It imports the built dist/ (npm test builds it first) and runs
// `speedrun bench --resume` and `speedrun report` on its folder, which need the Python with torch.
const BENCH = fileURLToPath(new URL('../bench/paper-matrix.bench.mjs', import.meta.url));

describe('the paper-matrix benchmark, smoke mode', () => {
  it('runs the simulated matrix, resumes and reports its folder, and prints its figures', async () => {
    const child = await execa('node', [BENCH], { env: { PAPER_MATRIX: 'smoke' }, extendEnv: true, reject: false, timeout: 300_000, stdin: 'ignore' });
    expect(child.stderr).toBe('');
    expect(child.exitCode).toBe(0);
    const line = child.stdout.split('\n').find((l) => l.startsWith('{"paper_matrix"'));
    const figures = JSON.parse(line!).paper_matrix;
    expect(figures).toMatchObject({ tier: 'smoke', runs: 6, gpus_per_slot: 8, resume_ok: true, report_ok: true });
    // Every run has its baseline and at least one node of its own; none has more than the cap of 5 plus the baseline.
    expect(figures.nodes).toBeGreaterThanOrEqual(12);
    expect(figures.nodes).toBeLessThanOrEqual(36);
    expect(figures.peak_rss_mib).toBeGreaterThan(0);
  }, 300_000);
});
