import { describe, expect, it } from 'vitest';
import { populationBefore, selectionWeights } from '../src/core/search/scaffolds/evo-population.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { headNodes } from '../src/core/search/scaffolds/tree-queries.js';
import { byId, crashed, missed, ok, scriptedRandom, simulate, times, type OutcomeFn } from './helpers/scaffold-sim.js';
import { decisionRandom } from '../src/core/search/scaffolds/random.js';

// Baseline 100 s; fitness is 100 s / t. Unlisted nodes crash.
const outcomes = byId({
  1: ok(50_000), // 2.0
  2: ok(100_000), // 1.0
  4: ok(80_000), // 1.25
  5: missed, // ran, but has no time: never joins
  6: ok(40_000), // the fix of 3: 2.5
  7: ok(45_000), // 2.222 ≥ mean 1.6875: joins
  8: ok(90_000), // 1.111 < mean 1.794: stays out
  12: ok(60_000), // the fix of 9: 1.667 < 1.794: stays out
  10: ok(50_000), // 2.0 ≥ 1.794: joins
  11: ok(35_000), // 2.857 ≥ 1.829: joins
});

/*
 * Generation 1 samples from [1, 2, 6, 4] (line order) with fitness [2, 1, 2.5, 1.25], normalised over [1, 2.5] to
 * [2/3, 0, 1, 1/6]; softmax at temperature 1: e^(2/3) = 1.9477, 1, e = 2.7183, e^(1/6) = 1.1814, sum 6.8474, so the
 * weights are [0.2844, 0.1460, 0.3970, 0.1725] and a draw picks 1 below 0.2844, 2 below 0.4305, 6 below 0.8275, else 4.
 */
const random = scriptedRandom({
  7: [0.0, 0.1], // generation 1 never crosses over, whatever the first draw: improve 1
  8: [0.9, 0.35], // improve 2
  9: [0.9, 0.6], // improve 6
  10: [0.9, 0.95], // improve 4
  11: [0.9, 0.2], // improve 1
  13: [0.3, 0.999, 0.0], // generation 2 crosses over below 0.5: the last member (11), then the first of the rest (1)
  14: [0.7, 0.0], // improve the first member, 1
  15: [0.1, 0.0, 0.0], // crossover of 1 and, among the rest, 2
  // 16, 17: draws of 0.999 improve the last member, 11
});

describe('evolutionary', () => {
  it('drafts a generation, then improves and crosses over parents drawn by softmax, debugging failures in sequence', () => {
    const run = simulate(makeScaffold('evolutionary'), { outcome: outcomes, random });
    expect(run.shape).toEqual([
      ...times(5, 'draft(0)'),
      'debug(3)',
      'improve(1)',
      'improve(2)',
      'improve(6)',
      'improve(4)',
      'improve(1)',
      'debug(9)',
      'crossover(11,1)',
      'improve(1)',
      'crossover(1,2)',
      'improve(11)',
      'improve(11)',
      'debug(13)',
      'debug(18)',
      'debug(19)',
    ]);
  });

  it('admits a later individual only when it is at least as fit as the population mean', () => {
    const run = simulate(makeScaffold({ name: 'evolutionary', max_nodes: 12 }), { outcome: outcomes, random });
    const view = { nodes: run.nodes, baselineMs: 100_000 };
    const heads = headNodes(view);
    expect(populationBefore(view, heads, 5, 1).members.map((m) => m.node)).toEqual([1, 2, 6, 4]);
    const second = populationBefore(view, heads, 5, 2);
    expect(second.members.map((m) => m.node)).toEqual([1, 2, 6, 4, 7, 10, 11]);
    expect([second.min, second.max]).toEqual([1, 100 / 35]);
  });

  it('weights parents by a softmax of normalised fitness, sharper at lower temperature', () => {
    const run = simulate(makeScaffold({ name: 'evolutionary', max_nodes: 6 }), { outcome: outcomes });
    const view = { nodes: run.nodes, baselineMs: 100_000 };
    const population = populationBefore(view, headNodes(view), 5, 1);
    const weights = selectionWeights(population, 1);
    [0.284449, 0.146041, 0.396982, 0.172527].forEach((w, i) => expect(weights[i]).toBeCloseTo(w, 5));
    // Temperature 0.5 doubles the scores: e^(4/3), 1, e², e^(1/3) → node 6 gets 7.389056 / 13.578336.
    expect(selectionWeights(population, 0.5)[2]).toBeCloseTo(0.544178, 5);
  });

  it('improves instead of crossing over when the population has a single member', () => {
    const run = simulate(makeScaffold({ name: 'evolutionary', max_debug_depth: 0, max_nodes: 15 }), {
      outcome: byId({ 1: ok(50_000) }),
      random: scriptedRandom({}, 0), // every draw asks for crossover and the first member
    });
    expect(run.shape).toEqual([...times(5, 'draft(0)'), ...times(10, 'improve(1)')]);
  });

  it('drafts again while no individual has reached the target', () => {
    const run = simulate(makeScaffold({ name: 'evolutionary', max_debug_depth: 0, max_nodes: 10 }), { outcome: () => crashed });
    expect(run.shape).toEqual(times(10, 'draft(0)'));
  });

  it('always crosses over two distinct members of the population, for any seed', () => {
    const varied: OutcomeFn = (node) => {
      const r = decisionRandom(77, node.node)();
      return r < 0.6 ? ok(40_000 + Math.floor(r * 100_000)) : r < 0.8 ? crashed : missed;
    };
    let crossovers = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const run = simulate(makeScaffold({ name: 'evolutionary', max_nodes: 30 }), { outcome: varied, seed });
      for (const node of run.nodes.filter((n) => n.operator === 'crossover')) {
        crossovers++;
        expect(node.second_parent).not.toBe(node.parent);
        for (const parent of [node.parent!, node.second_parent!]) expect(run.nodes[parent]!.result?.status).toBe('ok');
      }
    }
    expect(crossovers).toBeGreaterThan(10);
  });
});
