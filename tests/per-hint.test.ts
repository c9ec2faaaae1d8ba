import { describe, expect, it } from 'vitest';
import { compareHints } from '../src/core/score/per-hint.js';
import type { StoredRun } from '../src/core/store/load-results.js';
import { nodeResult } from '../src/core/store/node-result.js';
import type { NodeStatus, RunSummary } from '../src/core/store/schema.js';

function run(hint: string, record: number, fsr: number, bestNode: number, bestMs: number, statuses: NodeStatus[]): StoredRun {
  const summary = {
    run_id: `${hint}-${record}-${fsr}`,
    track: 'tiny',
    record,
    hint,
    fsr,
    best: { node: bestNode, train_time_ms: bestMs, val_loss: null },
  } as RunSummary;
  const nodes = [
    nodeResult({ node: 0, parent: null, operator: 'baseline', status: 'ok', measured_by: 'record-table' }),
    ...statuses.map((status, i) => nodeResult({ node: i + 1, parent: 0, operator: 'draft', status, measured_by: 'executed' })),
  ];
  return { summary, nodes };
}

describe('the per-hint comparison', () => {
  it('groups runs by hint, none first, with mean FSR, success rate, buggy share and median best time', () => {
    const rows = compareHints([
      run('L1', 1, 0.5, 1, 20_000, ['ok', 'crashed']),
      run('none', 1, 0, 0, 36_000, ['crashed', 'timeout', 'missed-target', 'edit-failed']),
      run('L1', 2, 1.0, 2, 10_000, ['missed-target', 'ok']),
      run('none', 2, 0.25, 1, 30_000, ['ok']),
    ]);
    expect(rows.map((r) => r.hint)).toEqual(['none', 'L1']);
    expect(rows[0]).toEqual({
      hint: 'none',
      tasks: 2,
      runs: 2,
      scored: 2,
      mean_fsr: 0.125,
      success_rate: 0.5,
      buggy_share: 3 / 5,
      median_best_ms: 33_000,
      verified_runs: 0,
      mean_fsr_verified: null,
    });
    expect(rows[1]).toEqual({
      hint: 'L1',
      tasks: 2,
      runs: 2,
      scored: 2,
      mean_fsr: 0.75,
      success_rate: 1,
      buggy_share: 1 / 4,
      median_best_ms: 15_000,
      verified_runs: 0,
      mean_fsr_verified: null,
    });
  });

  it('counts aborted, failed and unscored runs but keeps them out of every score', () => {
    const done = run('L1', 1, 0.5, 1, 20_000, ['ok']);
    const aborted = { ...run('L1', 2, 0.9, 1, 10_000, ['ok']), summary: { ...run('L1', 2, 0.9, 1, 10_000, []).summary, status: 'aborted' } } as StoredRun;
    const failed = { ...run('L1', 3, 0.2, 1, 10_000, ['crashed']), summary: { ...run('L1', 3, 0.2, 1, 10_000, []).summary, status: 'failed' } } as StoredRun;
    const noScore = { ...run('L1', 4, 0, 0, 1, ['crashed']), summary: { ...run('L1', 4, 0, 0, 1, []).summary, fsr: null, best: null } } as StoredRun;
    const [row] = compareHints([done, aborted, failed, noScore]);
    expect(row).toMatchObject({ tasks: 4, runs: 4, scored: 1, mean_fsr: 0.5, success_rate: 1, median_best_ms: 20_000 });
    // Buggy nodes are buggy whichever way their run ended.
    expect(row?.buggy_share).toBe(2 / 4);
  });

  it('has nothing to say about no runs', () => {
    expect(compareHints([])).toEqual([]);
  });
});
