import { describe, expect, it } from 'vitest';
import { configurations } from '../src/core/report/configurations.js';
import { fsrBySteps, nodeOutcomes } from '../src/core/report/progress.js';
import type { ReportRun } from '../src/core/report/runs.js';
import { NodeResult } from '../src/core/store/schema.js';
import { reportRun } from './helpers/report-fixtures.js';

/**
 * A run that re-timed: node 0 trained in the run at 200 s (a slow moment of the machine), the agent's nodes at 195
 * and 180 s, and the scoring round's medians t_i 190 s, t_i+1 150 s, t* 171 s (claimed FSR 0.475).
 */
function retimedRun(): ReportRun {
  const run = reportRun({ record: 1, hint: 'L1', nodes: [195_000, 180_000], baselineMs: 190_000, targetMs: 150_000 });
  const nodes = run.nodes.map((n) => (n.node === 0 ? NodeResult.parse({ ...n, measured_by: 'executed', time_to_target_ms: 200_000 }) : n));
  return { ...run, nodes, summary: { ...run.summary, fsr: 0.475, times_from: 'run', best: { node: 2, train_time_ms: 171_000, val_loss: 1.85 } } };
}

describe('reports of runs that re-timed', () => {
  it('score each step by its speedup over node 0 as the run measured it, and end at the claimed score', () => {
    const steps = fsrBySteps(retimedRun());
    expect(steps[0]).toBe(0);
    // 195 s against node 0's 200 s is 2.5% faster: t* = 190 × 0.975 = 185.25 s, FSR (190 − 185.25) / 40.
    expect(steps[1]).toBeCloseTo(0.11875, 10);
    expect(steps[2]).toBe(0.475);
  });

  it('count a node as improved when it beat node 0 of its own run', () => {
    const run = retimedRun();
    const [row] = nodeOutcomes([run], configurations([run]));
    expect(row).toMatchObject({ nodes: 2, improved: 2, valid_no_gain: 0 });
  });
});
