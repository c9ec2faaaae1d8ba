import { describe, expect, it } from 'vitest';
import { debuggableLeaves } from '../src/core/search/scaffolds/aide.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { decisionRandom } from '../src/core/search/scaffolds/random.js';
import { debugDepth } from '../src/core/search/scaffolds/tree-queries.js';
import { agentError, byId, crashed, editFailed, noMetric, ok, scriptedRandom, simulate, timedOut, times } from './helpers/scaffold-sim.js';

const DRAFTS3 = ['draft(0)', 'draft(0)', 'draft(0)'];

describe('aide', () => {
  it('drafts three times, then debugs a buggy leaf or improves the best node, one node per step', () => {
    const outcomes = byId({ 1: ok(90_000), 2: crashed, 3: editFailed, 4: crashed, 5: ok(80_000), 6: ok(70_000), 7: agentError });
    const random = scriptedRandom({
      4: [0.3, 0.0], // debug: the only candidate is 2 (3 has no script)
      5: [0.6], // improve the best: 1
      6: [0.1, 0.0], // debug: 2 has a child now, so its debug 4 is the leaf
      7: [0.49, 0.0], // would debug, but no buggy leaf has a script: improve the best, 6
      8: [0.0], // 7 failed without a script: improve 6 again
    });
    const run = simulate(makeScaffold('aide'), { outcome: outcomes, random });
    expect(run.shape).toEqual([...DRAFTS3, 'debug(2)', 'improve(1)', 'debug(4)', 'improve(6)', 'improve(6)', ...times(12, 'improve(6)')]);
  });

  it.each([
    [0, 'debug(2)'],
    [0.25, 'debug(2)'],
    [0.4999, 'debug(2)'],
    [0.5, 'improve(1)'],
    [0.75, 'improve(1)'],
    [0.999, 'improve(1)'],
  ])('with a first draw of %s the fourth node is %s', (draw, expected) => {
    const run = simulate(makeScaffold({ name: 'aide', max_nodes: 4 }), {
      outcome: byId({ 1: ok(90_000), 2: crashed, 3: ok(95_000) }),
      random: scriptedRandom({ 4: [draw, 0] }),
    });
    expect(run.shape.at(-1)).toBe(expected);
  });

  it.each([
    [0.0, 'debug(1)'],
    [0.5, 'debug(2)'],
    [0.99, 'debug(3)'],
  ])('picks among buggy leaves with the second draw (%s → %s)', (draw, expected) => {
    const run = simulate(makeScaffold({ name: 'aide', max_nodes: 4 }), {
      outcome: byId({ 1: crashed, 2: timedOut, 3: noMetric }),
      random: scriptedRandom({ 4: [0.1, draw] }),
    });
    expect(run.shape.at(-1)).toBe(expected);
  });

  it('debugs at most five times in a row, then improves the best node', () => {
    const run = simulate(makeScaffold('aide'), {
      outcome: byId({ 1: ok(90_000), 3: ok(95_000) }),
      random: scriptedRandom({}, 0), // every step would debug if it could
    });
    expect(run.shape).toEqual([
      ...DRAFTS3,
      'debug(2)',
      'debug(4)',
      'debug(5)',
      'debug(6)',
      'debug(7)',
      'improve(1)',
      'debug(9)',
      'debug(10)',
      'debug(11)',
      'debug(12)',
      'debug(13)',
      'improve(1)',
      'debug(15)',
      'debug(16)',
      'debug(17)',
      'debug(18)',
      'debug(19)',
    ]);
    const view = { nodes: run.nodes, baselineMs: 100_000 };
    expect(Math.max(...run.nodes.map((n) => debugDepth(view, n.node)))).toBe(5);
  });

  it('never debugs a node that has no script (edit-failed, agent-error), and improves the baseline instead', () => {
    const run = simulate(makeScaffold('aide'), {
      outcome: (node) => (node.node % 2 ? editFailed : agentError),
      random: scriptedRandom({}, 0),
    });
    expect(run.shape).toEqual([...DRAFTS3, ...times(17, 'improve(0)')]);
  });

  it('lists as debuggable only buggy leaves with a script and room in their debug line', () => {
    const run = simulate(makeScaffold({ name: 'aide', max_nodes: 6, max_debug_depth: 2 }), {
      outcome: byId({ 1: crashed, 2: editFailed, 3: ok(90_000) }),
      random: scriptedRandom({}, 0),
    });
    expect(run.shape).toEqual([...DRAFTS3, 'debug(1)', 'debug(4)', 'improve(3)']);
    expect(debuggableLeaves({ nodes: run.nodes, baselineMs: 100_000 }, 2)).toEqual([6]);
  });

  it('waits for every node in flight before a step, so timing never changes the tree', () => {
    const options = { outcome: byId({ 1: ok(90_000), 2: crashed, 4: ok(85_000), 6: crashed }), seed: 5 };
    const sequential = simulate(makeScaffold('aide'), options);
    const parallel = simulate(makeScaffold('aide'), { ...options, concurrency: 3, finishOrder: 'newest' as const });
    expect(parallel.shape).toEqual(sequential.shape);
    expect(
      parallel.steps
        .filter((s) => s.decision.kind === 'expand')
        .slice(0, 3)
        .map((s) => s.inFlight),
    ).toEqual([0, 1, 2]);
  });
});

describe('multi-aide', () => {
  it('decides each step once: three improve children of the best node, or a single debug', () => {
    const outcomes = byId({ 1: ok(90_000), 2: crashed, 3: ok(85_000), 4: ok(80_000), 5: crashed, 6: ok(82_000), 7: ok(88_000) });
    const random = scriptedRandom({
      4: [0.7], // improve the best (3) three times
      5: [0, 0], // inside a step: never consulted, or 5 would be a debug
      6: [0, 0],
      7: [0.2, 0.0], // debug; candidates 2 and 5, the first draw of the pair picks 2
      8: [0.9], // improve the best (4) three times
    });
    const run = simulate(makeScaffold('multi-aide'), { outcome: outcomes, random });
    expect(run.shape).toEqual([...DRAFTS3, ...times(3, 'improve(3)'), 'debug(2)', ...times(3, 'improve(4)'), ...times(10, 'improve(4)')]);
  });

  it('runs the three children of a step at the same time', () => {
    const run = simulate(makeScaffold('multi-aide'), { outcome: byId({ 1: ok(90_000) }), concurrency: 3, random: scriptedRandom({}, 0.9) });
    const expand = run.steps.filter((s) => s.decision.kind === 'expand');
    expect(expand.slice(3, 6).map((s) => [s.nextId, s.inFlight])).toEqual([
      [4, 0],
      [5, 1],
      [6, 2],
    ]);
    expect(run.shape.slice(3, 6)).toEqual(times(3, 'improve(1)'));
  });
});

describe('greedy (aira-dojo)', () => {
  const outcomes = byId({ 1: ok(90_000), 2: crashed, 3: ok(80_000), 4: timedOut, 5: agentError, 6: ok(70_000), 7: ok(95_000) });

  it('drafts five times, then always debugs a buggy leaf when there is one, else improves the best', () => {
    const random = scriptedRandom({
      6: [0.99, 0.6], // debug_prob 1: any draw debugs; candidates 2 and 4, 0.6 picks 4
      7: [0.99, 0.0], // only 2 is left
      8: [0.0], // no buggy leaf: improve the best, 6
      9: [0.5, 0.0], // 8 crashed: debug it
    });
    const run = simulate(makeScaffold({ name: 'greedy', max_nodes: 9 }), { outcome: outcomes, random });
    expect(run.shape).toEqual([...times(5, 'draft(0)'), 'debug(4)', 'debug(2)', 'improve(6)', 'debug(8)']);
  });

  it("uses the seeded generator of each node: the second draw of node 6's generator picks the leaf", () => {
    const seed = 11;
    const draws = decisionRandom(seed, 6);
    draws(); // the debug-or-improve draw (any value debugs)
    const expected = ['debug(2)', 'debug(4)'][Math.floor(draws() * 2)];
    const run = simulate(makeScaffold({ name: 'greedy', max_nodes: 6 }), { outcome: outcomes, seed });
    expect(run.shape.at(-1)).toBe(expected);
  });

  it('has no branching factor to set', () => {
    expect(() => makeScaffold({ name: 'greedy', children: 3 })).toThrow(/children/);
  });
});
