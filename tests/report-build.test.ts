import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../src/core/report/build.js';
import { loadReportRuns } from '../src/core/report/runs.js';
import { Report } from '../src/core/report/schema.js';
import { VerificationFile } from '../src/core/store/verification-file.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { reportRun, syntheticRun, writeBenchManifest, writeRunFolder } from './helpers/report-fixtures.js';

afterAll(removeTempDirs);

// Baseline 100 s, target 60 s: a node at 90 s recovers 0.25, 80 s 0.5, 70 s 0.75, 60 s 1.0.
const RUNS = [
  reportRun({ hint: 'none', record: 1, seed: 1, nodes: ['crashed', 'missed-target'] }),
  reportRun({ hint: 'none', record: 1, seed: 2, nodes: [90_000] }),
  reportRun({ hint: 'none', record: 2, seed: 1, nodes: [], status: 'failed' }),
  reportRun({ hint: 'L1', record: 1, seed: 1, nodes: [80_000, 'crashed'] }),
  reportRun({ hint: 'L1', record: 1, seed: 2, nodes: [70_000] }),
  reportRun({ hint: 'L1', record: 2, seed: 1, nodes: [60_000] }),
  reportRun({ hint: 'L1', record: 2, seed: 2, nodes: [65_000], status: 'aborted' }),
];

describe('a report built from runs with missing and failed runs', () => {
  const report = buildReport(RUNS, { sources: ['results'], now: new Date(0) });

  it('satisfies its schema', () => {
    expect(() => Report.parse(report)).not.toThrow();
  });

  it('keeps aborted and failed runs out of the scores but counts them', () => {
    const [none, l1] = report.by_hint;
    expect(none).toMatchObject({ label: 'none', tasks: 2, runs: 3, scored: 2, mean_fsr: 0.125, success_rate: 0.5 });
    expect(l1).toMatchObject({ label: 'L1', tasks: 2, runs: 4, scored: 3, mean_fsr: 0.75, iqm_fsr: 0.75, success_rate: 1 });
    expect(l1!.mean_ci![0]).toBeLessThanOrEqual(0.75);
    expect(l1!.mean_ci![1]).toBeGreaterThanOrEqual(0.75);
    // rliable's median over tasks of task means (tiny/1: 0.5 and 0.75; tiny/2: 1) and optimality gap 1 − mean(min(FSR, 1)).
    expect(l1).toMatchObject({ median_fsr: 0.8125, optimality_gap: 0.25 });
    expect(none).toMatchObject({ median_fsr: 0.125, optimality_gap: 0.875 });
    expect(l1!.median_ci![0]).toBeLessThanOrEqual(l1!.median_fsr!);
    expect(l1!.optimality_gap_ci![1]).toBeGreaterThanOrEqual(l1!.optimality_gap!);
    expect(report.totals).toMatchObject({ runs: 7, scored: 5, tasks: 2, configurations: 2 });
  });

  it('leaves a record × hint cell empty when no run of it was scored, never 0', () => {
    const cell = (task: string, hint: string) => report.matrix.cells.find((c) => c.task === task && c.hint === hint);
    expect(cell('tiny/1', 'none')).toMatchObject({ mean_fsr: 0.125, scored: 2 });
    expect(cell('tiny/1', 'L1')).toMatchObject({ mean_fsr: 0.625, scored: 2 });
    expect(cell('tiny/2', 'none')).toMatchObject({ mean_fsr: null, scored: 0 });
    expect(cell('tiny/2', 'L1')).toMatchObject({ mean_fsr: 1, scored: 1 });
  });

  it('ranks by SCO and by mean FSR, and counts node outcomes', () => {
    expect(report.ranking.map((r) => [r.configuration, r.sco_rank, r.mean_rank])).toEqual([
      ['L1', 1, 1],
      ['none', 2, 2],
    ]);
    expect(report.outcomes.find((o) => o.configuration === 'L1')).toMatchObject({ nodes: 5, buggy: 1, improved: 4, missed_target: 0 });
    expect(report.outcomes.find((o) => o.configuration === 'none')).toMatchObject({ nodes: 3, buggy: 1, missed_target: 1, improved: 1 });
  });

  it('follows the best-so-far FSR by step, ending at the mean FSR', () => {
    const l1 = report.steps.filter((p) => p.configuration === 'L1').map((p) => p.mean_fsr);
    expect(l1).toEqual([0, 0.75, 0.75]);
  });

  it('prices tokens, dollars and GPU-hours per unit of FSR', () => {
    const cost = report.costs.find((c) => c.configuration === 'L1')!;
    expect(cost).toMatchObject({ runs: 4, prompt_tokens: 5000, cost_usd: 2.5, compute_hours: 5, gpu_hours: 5, fsr_total: 2.25 });
    expect(cost.usd_per_fsr).toBeCloseTo(2.5 / 2.25, 12);
  });

  it('is the same report for the same runs and seed', () => {
    expect(buildReport(RUNS, { sources: ['results'], now: new Date(0) })).toEqual(report);
  });
});

describe('reading runs for a report from their folders', () => {
  it('finds GPUs per node in bench.json and integrity verdicts beside the runs, unverified otherwise', async () => {
    const bench = await tempDir('report-load');
    await writeBenchManifest(bench, 8);
    const verified = await writeRunFolder(bench, syntheticRun({ hint: 'L1', record: 1, seed: 1, nodes: [80_000] }));
    await writeVerification(verified, 'verified');
    const flagged = await writeRunFolder(bench, syntheticRun({ hint: 'L1', record: 1, seed: 2, nodes: [70_000] }));
    await addAudit(flagged, 1, 'flag');
    const irreproducible = await writeRunFolder(bench, syntheticRun({ hint: 'L1', record: 1, seed: 4, nodes: [60_000] }));
    await writeVerification(irreproducible, 'unverified');
    await writeRunFolder(bench, syntheticRun({ hint: 'L1', record: 1, seed: 3, nodes: [75_000] }));
    await writeRunFolder(bench, syntheticRun({ hint: 'none', record: 1, seed: 1, nodes: ['crashed'] }));

    const { runs } = await loadReportRuns([bench]);
    const status = Object.fromEntries(runs.map((r) => [r.summary.run_id, r.integrity.status]));
    expect(status).toEqual({
      'L1-reference-flat-r1-s1': 'verified',
      'L1-reference-flat-r1-s2': 'flagged',
      'L1-reference-flat-r1-s3': 'unverified',
      'L1-reference-flat-r1-s4': 'rejected', // its speedup did not reproduce
      'none-reference-flat-r1-s1': 'verified', // the baseline is best: no agent edit is scored
    });
    expect(runs.find((r) => r.summary.run_id === 'L1-reference-flat-r1-s2')?.integrity.notes[0]).toMatch(/audit of the best node: flag \(clock\)/);
    expect(runs.every((r) => r.gpusPerNode === 8)).toBe(true);
    const report = buildReport(runs, { sources: [bench] });
    expect(report.by_hint.find((r) => r.label === 'L1')?.integrity).toMatchObject({ status: 'rejected', verified: 1, flagged: 1, rejected: 1, unverified: 1 });
    // Verified FSR: 0.4 for the run that reproduced, 0 for the one that did not.
    expect(report.by_hint.find((r) => r.label === 'L1')).toMatchObject({ verified_runs: 2, mean_fsr_verified: 0.2 });
    expect(report.costs.find((c) => c.configuration === 'L1')?.gpu_hours).toBe(32);
  });

  it('refuses a folder with no finished run', async () => {
    await expect(loadReportRuns([await tempDir('report-empty')])).rejects.toThrow(/no finished run/);
  });
});

/** verification.json as `speedrun verify` writes it, for a run whose best node is node 1. */
async function writeVerification(runDir: string, status: 'verified' | 'unverified'): Promise<void> {
  const file: VerificationFile = {
    version: 1,
    run_id: 'x',
    verified_at: new Date(0).toISOString(),
    status,
    reasons: status === 'verified' ? [] : ['the mean time of the repeats is not below the baseline'],
    node: 1,
    script_sha256: 'a'.repeat(64),
    repeats: 3,
    alpha: 0.01,
    target_val_loss: 3.28,
    node_stats: null,
    baseline_stats: null,
    fsr_claimed: 0.5,
    fsr_verified: status === 'verified' ? 0.4 : 0,
    runs: [],
    cleared_flags: [],
    attempts: [],
  };
  await writeFile(join(runDir, 'verification.json'), JSON.stringify(VerificationFile.parse(file)));
}

/** The integrity audit the engine keeps in a node's result.json. */
async function addAudit(runDir: string, node: number, verdict: 'flag' | 'reject'): Promise<void> {
  const path = join(runDir, 'nodes', String(node), 'result.json');
  const result = JSON.parse(await readFile(path, 'utf8'));
  result.integrity = {
    verdict,
    baseline_sha256: null,
    findings: [{ rule: 'clock', severity: verdict, lines: [3], message: 'the clock moved', excerpt: ['3: t0 = 0'] }],
  };
  await writeFile(path, JSON.stringify(result));
}
