import { describe, expect, it } from 'vitest';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { byId, crashed, missed, ok, simulate, agentError, times } from './helpers/scaffold-sim.js';

const expansions = (run: ReturnType<typeof simulate>) => run.steps.filter((s) => s.decision.kind === 'expand');

describe('flat', () => {
  it('makes 20 drafts from the baseline and then says done', () => {
    const run = simulate(makeScaffold('flat'), { outcome: () => ok(90_000) });
    expect(run.shape).toEqual(times(20, 'draft(0)'));
    expect(run.steps.at(-1)!.decision).toEqual({ kind: 'done' });
  });

  it('drafts while other drafts are in flight, never waits, and never fixes a crash', () => {
    const run = simulate(makeScaffold('flat'), { outcome: () => crashed, concurrency: 4 });
    expect(run.shape).toEqual(times(20, 'draft(0)'));
    expect(run.steps.some((s) => s.decision.kind === 'wait')).toBe(false);
    expect(Math.max(...expansions(run).map((s) => s.inFlight))).toBe(3);
  });

  it('takes its number of drafts from the node cap unless told', () => {
    expect(simulate(makeScaffold({ name: 'flat', max_nodes: 7 }), { outcome: () => crashed }).shape).toEqual(times(7, 'draft(0)'));
    const five = makeScaffold({ name: 'flat', drafts: 5 });
    expect(five.params).toEqual({ max_nodes: 20, drafts: 5 });
    expect(simulate(five, { outcome: () => crashed }).shape).toEqual(times(5, 'draft(0)'));
    expect(simulate(makeScaffold({ name: 'flat', drafts: 30, max_nodes: 6 }), { outcome: () => crashed }).shape).toHaveLength(6);
  });
});

describe('tree', () => {
  // Baseline 100 s. Each step's best is marked; unlisted nodes crash.
  const outcomes = byId({
    1: ok(90_000),
    2: ok(95_000),
    3: ok(80_000), // best after step 1
    5: ok(85_000),
    6: ok(70_000), // best after step 2
    7: missed,
    10: agentError, // step 3 finds nothing better: 6 again
    11: ok(70_000), // ties with 6: the lower id stays best
    12: ok(75_000),
    13: ok(71_000),
    16: ok(60_000), // best after step 5
    17: ok(50_000), // best after step 6
  });
  const expected = [
    'draft(0)',
    ...times(3, 'improve(1)'),
    ...times(3, 'improve(3)'),
    ...times(3, 'improve(6)'),
    ...times(3, 'improve(6)'),
    ...times(3, 'improve(6)'),
    ...times(3, 'improve(16)'),
    'improve(17)',
  ];

  it('drafts once, then improves the best node three children at a time, up to 20 nodes', () => {
    const run = simulate(makeScaffold('tree'), { outcome: outcomes });
    expect(run.shape).toEqual(expected);
    expect(run.steps.at(-1)!.decision).toEqual({ kind: 'done' });
  });

  it('waits for the whole step before choosing the next best, then runs the step at once', () => {
    const run = simulate(makeScaffold('tree'), { outcome: outcomes, concurrency: 5, finishOrder: 'newest' });
    expect(run.shape).toEqual(expected);
    // A step's three children overlap with each other, never with the next step's choice.
    expect(Math.max(...expansions(run).map((s) => s.inFlight))).toBe(2);
    const waits = run.steps.filter((s) => s.decision.kind === 'wait').map((s) => s.nextId);
    expect(waits).toContain(2); // the first step needs the draft's result
    expect(waits).toContain(5);
  });

  it('improves the baseline when nothing else reached the target', () => {
    const run = simulate(makeScaffold('tree'), { outcome: () => crashed });
    expect(run.shape).toEqual(['draft(0)', ...times(19, 'improve(0)')]);
  });
});

describe('forest', () => {
  it('drafts three times, then improves the best node three children at a time', () => {
    const outcomes = byId({ 1: ok(95_000), 2: ok(85_000), 4: ok(85_000), 5: ok(90_000), 9: ok(84_000) });
    const run = simulate(makeScaffold('forest'), { outcome: outcomes });
    expect(run.shape).toEqual([
      'draft(0)',
      'draft(0)',
      'draft(0)',
      ...times(6, 'improve(2)'),
      ...times(3, 'improve(9)'),
      ...times(3, 'improve(9)'),
      ...times(3, 'improve(9)'),
      ...times(2, 'improve(9)'),
    ]);
  });

  it('starts its drafts together but chooses the first parent only after all three finished', () => {
    const run = simulate(makeScaffold('forest'), { outcome: byId({ 3: ok(80_000) }), concurrency: 3 });
    expect(
      expansions(run)
        .slice(0, 3)
        .map((s) => s.inFlight),
    ).toEqual([0, 1, 2]);
    expect(run.shape.slice(3, 6)).toEqual(times(3, 'improve(3)'));
  });
});
