import { describe, expect, it } from 'vitest';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { mctsStats, selectLeaf, uctScore } from '../src/core/search/scaffolds/mcts-uct.js';
import type { SearchView, TreeNode } from '../src/core/search/scaffolds/scaffold.js';
import { nodeResult } from '../src/core/store/node-result.js';
import { byId, crashed, editFailed, missed, ok, simulate, times } from './helpers/scaffold-sim.js';

function finished(node: number, parent: number | null, operator: TreeNode['operator'], ms: number): TreeNode {
  const result = nodeResult({ node, parent, operator, status: 'ok', measured_by: 'executed', time_to_target_ms: ms });
  return { node, parent, second_parent: null, operator, result };
}

/**
 * Baseline 168 s, so values (t_i / t) are: node 1 → 1.5; node 2 → 2.0 with children 3 → 1.0, 4 → 1.4, 5 → 2.0.
 * Visits: 1 → 1, 2 → 4 (mean 6.4 / 4 = 1.6), root → 5. Values range over [1, 2], so node 1 normalises to 0.5 and
 * node 2 to 0.6.
 */
const HAND_VIEW: SearchView = {
  baselineMs: 168_000,
  nodes: [
    finished(0, null, 'baseline', 168_000),
    finished(1, 0, 'draft', 112_000),
    finished(2, 0, 'draft', 84_000),
    finished(3, 2, 'improve', 168_000),
    finished(4, 2, 'improve', 120_000),
    finished(5, 2, 'improve', 84_000),
  ],
};

describe('MCTS selection (UCT on min-max-normalised values)', () => {
  it('counts a visit for every node that ran in the subtree and averages their values', () => {
    const stats = mctsStats(HAND_VIEW);
    expect(stats.visits.get(0)).toBe(5);
    expect(stats.visits.get(2)).toBe(4);
    expect(stats.valueSum.get(2)).toBeCloseTo(6.4, 10);
    expect([stats.min, stats.max]).toEqual([1, 2]);
  });

  it('scores a child as normalised mean + c·sqrt(ln N / n)', () => {
    // Node 1: 0.5 + 0.25·sqrt(ln 5 / 1) = 0.5 + 0.25·1.268636 = 0.817159
    expect(uctScore(1.5, 1, 5, 0.25, 1, 2)).toBeCloseTo(0.817159, 5);
    // Node 2: 0.6 + 0.25·sqrt(ln 5 / 4) = 0.6 + 0.25·0.634318 = 0.758580
    expect(uctScore(1.6, 4, 5, 0.25, 1, 2)).toBeCloseTo(0.75858, 5);
    expect(uctScore(1.6, 0, 5, 0.25, 1, 2)).toBe(-1e8);
    expect(uctScore(3, 2, 5, 0, 3, 3)).toBe(0.5);
  });

  it('with c = 0.25 explores the less visited node 1; with c = 0.1 exploits node 2 down to its best child', () => {
    // c = 0.1: node 1 → 0.5 + 0.126864 = 0.626864; node 2 → 0.6 + 0.063432 = 0.663432. Inside node 2 the
    // children have one visit each, so the best value wins: 5 (normalised 1.0) over 4 (0.4) and 3 (0).
    expect(selectLeaf(HAND_VIEW, 0.25)).toBe(1);
    expect(selectLeaf(HAND_VIEW, 0.1)).toBe(5);
    expect(makeScaffold({ name: 'mcts', children: 3 }).next(HAND_VIEW, () => 0.5)).toEqual({ kind: 'expand', operator: 'improve', parent: 1 });
    expect(makeScaffold({ name: 'mcts', children: 3, uct_c: 0.1 }).next(HAND_VIEW, () => 0.5)).toEqual({ kind: 'expand', operator: 'improve', parent: 5 });
  });
});

describe('mcts', () => {
  // Baseline 100 s; values are 100 s / t. Unlisted nodes crash.
  const outcomes = byId({
    1: ok(50_000), // 2.0
    2: ok(100_000), // 1.0
    3: crashed,
    4: missed, // 0: it ran, so it backs up the minimum
    5: ok(80_000), // 1.25
    6: ok(40_000), // debug of 3: 2.5
    7: missed,
    8: missed,
    9: missed,
    10: missed,
    11: missed,
    12: crashed,
    13: ok(45_000),
    14: ok(45_000),
    15: ok(45_000),
    16: ok(45_000),
    17: crashed,
    18: ok(40_000),
  });
  // 1–5: the root's expansion drafts five. 6: draft 3 crashed, so it is debugged before anything is selected.
  // Selection 1: root children all have one visit; normalised 1 → 0.8, 2 → 0.4, 3 (via 6) → 1.0, 4 → 0, 5 → 0.5;
  //   3 wins, and its only child 6 is the leaf: improve 6 five times (7–11).
  // Selection 2 (N_root = 10, min 0, max 2.5): 1 → 0.8 + 0.25·sqrt(ln 10) = 1.179; 5 → 0.879; 2 → 0.779;
  //   4 → 0.379; 3 → (2.5 / 6) / 2.5 + 0.25·sqrt(ln 10 / 6) = 0.167 + 0.155 = 0.322. Improve 1 five times (12–16).
  // 12 crashed: debug 12 (17), crashed again: debug 17 (18), which runs.
  // Selection 3 (N_root = 15): 1 → mean (2 + 4·2.222 + 2.5) / 6 = 2.231 → 0.893 + 0.25·sqrt(ln 15 / 6) = 1.061, the
  //   best of the root's children (5 → 0.911); inside 1, 12 (via 18: 1.0) beats 13–16 (0.889), and the path
  //   12 → 17 → 18 ends at 18: improve 18 with the two nodes left.
  const expected = [
    ...times(5, 'draft(0)'),
    'debug(3)',
    ...times(5, 'improve(6)'),
    ...times(5, 'improve(1)'),
    'debug(12)',
    'debug(17)',
    ...times(2, 'improve(18)'),
  ];

  it('expands five children at a time, debugs buggy children in sequence, and selects by UCT', () => {
    const run = simulate(makeScaffold('mcts'), { outcome: outcomes });
    expect(run.shape).toEqual(expected);
    expect(run.steps.at(-1)!.decision).toEqual({ kind: 'done' });
  });

  it('grows the same tree when an expansion trains in parallel and finishes in any order', () => {
    expect(simulate(makeScaffold('mcts'), { outcome: outcomes, concurrency: 5, finishOrder: 'newest' }).shape).toEqual(expected);
    expect(simulate(makeScaffold('mcts'), { outcome: outcomes, concurrency: 8, finishOrder: { shuffleSeed: 3 } }).shape).toEqual(expected);
  });

  it('stops debugging a child at the depth limit or when it has no script, then selects', () => {
    // Values: 2 → 2.0, 5 → 1.667, 8 (fix of 4) → 2.222; normalised 0.6, 0, 1.0 with equal visits: 4 → 8 wins.
    const run = simulate(makeScaffold({ name: 'mcts', max_debug_depth: 2, max_nodes: 12 }), {
      outcome: byId({ 2: ok(50_000), 3: editFailed, 5: ok(60_000), 8: ok(45_000) }),
    });
    expect(run.shape).toEqual([...times(5, 'draft(0)'), 'debug(1)', 'debug(6)', 'debug(4)', ...times(4, 'improve(8)')]);
  });

  it('drafts again when every child of the root stayed buggy', () => {
    const run = simulate(makeScaffold({ name: 'mcts', max_debug_depth: 0, max_nodes: 12 }), { outcome: () => crashed });
    expect(run.shape).toEqual(times(12, 'draft(0)'));
  });
});
