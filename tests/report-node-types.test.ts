import { describe, expect, it } from 'vitest';
import type { CalibrationFile } from '../src/core/calibrate/calibration-file.js';
import { loadTrack } from '../src/core/catalog/load.js';
import { buildReport } from '../src/core/report/build.js';
import { renderChart } from '../src/core/report/charts.js';
import { configurations } from '../src/core/report/configurations.js';
import { nodeType, nodeTypesByStep } from '../src/core/report/node-types.js';
import type { ReportRun } from '../src/core/report/runs.js';
import { Report } from '../src/core/report/schema.js';
import { sampleSd, sdFromTimeSource, spreadLookup, type SpreadOf } from '../src/core/report/time-spread.js';
import { nodeResult } from '../src/core/store/node-result.js';
import { reportRun } from './helpers/report-fixtures.js';

// Baseline 100 s; σ = 10 s: slower than 110 s is "no improvement", faster than 90 s is beyond noise.
const SIGMA: SpreadOf = (run) => ({
  task: `tiny/${run.summary.record}`,
  times_from: run.summary.times_from,
  baseline_ms: run.summary.baseline_ms,
  sd_ms: 10_000,
  source: 'test',
});
const RUNS: ReportRun[] = [
  reportRun({ hint: 'L1', record: 1, seed: 1, nodes: ['crashed', 105_000, 70_000, 'missed-target'] }),
  reportRun({ hint: 'L1', record: 2, seed: 1, nodes: [120_000, 'aborted'], status: 'aborted' }),
  reportRun({ hint: 'none', record: 1, seed: 1, nodes: ['edit-failed', 'rejected'] }),
];

describe("the paper's node types", () => {
  it('classes a node as buggy (failed or missed the target), no improvement (slower than t_i + σ_i) or improved', () => {
    const node = (status: 'ok' | 'crashed' | 'missed-target' | 'aborted' | 'timeout', time: number | null = null) =>
      nodeResult({ node: 1, parent: 0, operator: 'draft', status, measured_by: 'executed', time_to_target_ms: time });
    expect(nodeType(node('crashed'), 100, 10)).toBe('buggy');
    expect(nodeType(node('timeout'), 100, 10)).toBe('buggy');
    expect(nodeType(node('missed-target'), 100, 10)).toBe('missed');
    expect(nodeType(node('aborted'), 100, 10)).toBe('aborted');
    expect(nodeType(node('ok', 111), 100, 10)).toBe('slow');
    expect(nodeType(node('ok', 110), 100, 10)).toBe('improved'); // within noise of the baseline still counts, as in the paper
    expect(nodeType(node('ok', 95), 100, 10)).toBe('improved');
    expect(nodeType(node('ok', 89), 100, 10)).toBe('beyond');
  });

  it('counts the first k agent nodes of the runs that made k, per configuration', () => {
    const rows = nodeTypesByStep(RUNS, configurations(RUNS), SIGMA);
    const l1 = rows.filter((r) => r.configuration === 'L1');
    expect(l1.map((r) => [r.step, r.runs, r.nodes, r.buggy, r.missed_target, r.no_improvement, r.improved, r.faster_beyond_sd, r.aborted])).toEqual([
      [1, 2, 2, 1, 0, 1, 0, 0, 0],
      [2, 2, 4, 1, 0, 1, 1, 0, 1],
      [3, 1, 3, 1, 0, 0, 2, 1, 0],
      [4, 1, 4, 2, 1, 0, 2, 1, 0],
    ]);
    expect(rows.filter((r) => r.configuration === 'none').map((r) => [r.step, r.buggy, r.nodes])).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
  });
});

describe('σ_i, the spread of the baseline time', () => {
  it('is a sample sd, also of the times a record table lists in words', () => {
    expect(sampleSd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(sampleSd([5])).toBeNull();
    expect(sdFromTimeSource('median of 3 interleaved runs (36006, 36488, 35698 ms) on the 2-core machine')).toBeCloseTo(sampleSd([36006, 36488, 35698])!, 9);
    expect(sdFromTimeSource("authors' re-measurement on 8xH100")).toBeNull();
  });

  it("comes from the authors' sd on nanogpt, the tiny table's listed times, or the calibration the run scored against", async () => {
    const [nanogpt, tiny] = await Promise.all([loadTrack('nanogpt'), loadTrack('tiny')]);
    const calibration: CalibrationFile = {
      track: 'tiny',
      updated_at: '2025-01-01T00:00:00.000Z',
      machine: { cpus: 2, cpu_model: 'test', python: '3', torch_version: '2' },
      records: { '1': { script_sha256: 'x', times_ms: [99_000, 100_000, null, 104_000], median_ms: 100_000, min_ms: 99_000, max_ms: 104_000, failures: 1 } },
    };
    const spread = spreadLookup(
      new Map([
        ['nanogpt', nanogpt],
        ['tiny', tiny],
      ]),
      new Map([['tiny', calibration]]),
    );
    const run = (track: string, record: number, times_from: 'calibration' | 'record-table', baseline = 100_000): ReportRun => {
      const r = reportRun({ hint: 'none', record, nodes: [] });
      return { ...r, summary: { ...r.summary, track, times_from, baseline_ms: baseline } };
    };
    expect(spread(run('nanogpt', 3, 'record-table'))).toMatchObject({ sd_ms: 22270.99, source: 'records/nanogpt.json time_sd_ms' });
    const tiny1 = tiny.records[0]!;
    expect(spread(run('tiny', 1, 'record-table')).sd_ms).toBeCloseTo(sdFromTimeSource(tiny1.time_source)!, 9);
    expect(spread(run('tiny', 1, 'calibration'))).toMatchObject({
      sd_ms: sampleSd([99_000, 100_000, 104_000]),
      source: "sample sd of the calibration's 3 repeats",
    });
    expect(spread(run('tiny', 1, 'calibration', 90_000))).toMatchObject({
      sd_ms: null,
      source: expect.stringContaining('the calibration changed since the run'),
    });
    expect(spread(run('tiny', 2, 'calibration')).sd_ms).toBeNull();
  });
});

describe('node types in a report', () => {
  it('are in report.json with the spreads they used, and drawn as stacked bars per step', async () => {
    const report = buildReport(RUNS, { sources: ['results'], now: new Date(0), reps: 100, spreadOf: SIGMA });
    expect(() => Report.parse(report)).not.toThrow();
    expect(report.node_types).toHaveLength(6);
    expect(report.time_spreads).toEqual([
      { task: 'tiny/1', times_from: 'calibration', baseline_ms: 100_000, sd_ms: 10_000, source: 'test' },
      { task: 'tiny/2', times_from: 'calibration', baseline_ms: 100_000, sd_ms: 10_000, source: 'test' },
    ]);
    const svg = await renderChart('node-types-by-step', report);
    expect(svg).toMatch(/^<svg/);
    for (const label of ['buggy', 'no improvement', 'improved', 'aborted', 'search step']) expect(svg).toContain(label);
    const empty = buildReport([reportRun({ hint: 'none', record: 1, nodes: [] })], { sources: ['r'], now: new Date(0), reps: 10 });
    expect(empty.node_types).toEqual([]);
    expect(await renderChart('node-types-by-step', empty)).toContain('no agent nodes');
  });
});
