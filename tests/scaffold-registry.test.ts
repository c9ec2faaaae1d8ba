import { describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.js';
import { makeScaffold, SCAFFOLD_NAMES, scaffoldDefaults, ScaffoldSpec } from '../src/core/search/scaffolds/index.js';
import { decisionRandom } from '../src/core/search/scaffolds/random.js';
import { agentError, crashed, editFailed, missed, ok, simulate, timedOut, type OutcomeFn } from './helpers/scaffold-sim.js';

/** A mix of every kind of ending, fixed per node id so the same tree always meets the same results. */
const mixed: OutcomeFn = (node) => {
  const r = decisionRandom(2024, node.node)();
  if (r < 0.45) return ok(50_000 + Math.floor(r * 100_000));
  if (r < 0.65) return crashed;
  if (r < 0.72) return timedOut;
  if (r < 0.8) return missed;
  if (r < 0.88) return editFailed;
  return r < 0.93 ? agentError : ok(95_000);
};

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('scaffold registry', () => {
  it('knows the eight scaffolds', () => {
    expect([...SCAFFOLD_NAMES].sort()).toEqual(['aide', 'evolutionary', 'flat', 'forest', 'greedy', 'mcts', 'multi-aide', 'tree']);
    for (const name of SCAFFOLD_NAMES) expect(makeScaffold(name).name).toBe(name);
  });

  it('records the paper settings as defaults', () => {
    expect(makeScaffold('flat').params).toEqual({ max_nodes: 20, drafts: 20 });
    expect(makeScaffold('tree').params).toEqual({ max_nodes: 20, drafts: 1, children: 3 });
    expect(makeScaffold('forest').params).toEqual({ max_nodes: 20, drafts: 3, children: 3 });
    expect(makeScaffold('aide').params).toEqual({ max_nodes: 20, drafts: 3, children: 1, debug_prob: 0.5, max_debug_depth: 5 });
    expect(makeScaffold('multi-aide').params).toEqual({ max_nodes: 20, drafts: 3, children: 3, debug_prob: 0.5, max_debug_depth: 5 });
    expect(makeScaffold('greedy').params).toEqual({ max_nodes: 20, drafts: 5, debug_prob: 1, max_debug_depth: 20 });
    expect(makeScaffold('mcts').params).toEqual({ max_nodes: 20, children: 5, uct_c: 0.25, max_debug_depth: 20 });
    expect(makeScaffold('evolutionary').params).toEqual({
      max_nodes: 20,
      individuals_per_generation: 5,
      crossover_prob: 0.5,
      generations_till_crossover: 2,
      temperature: 1,
      max_debug_depth: 10,
    });
    expect(scaffoldDefaults('flat')).toEqual({ max_nodes: 20 });
  });

  it('takes parameters next to the name, and a node cap that overrides the spec', () => {
    expect(makeScaffold({ name: 'mcts', uct_c: 0.5, children: 3 }).params).toMatchObject({ uct_c: 0.5, children: 3, max_nodes: 20 });
    expect(makeScaffold({ name: 'aide', max_nodes: 5 }, { nodes: 8 }).params.max_nodes).toBe(8);
    expect(makeScaffold('flat', { nodes: 4 }).params).toEqual({ max_nodes: 4, drafts: 4 });
  });

  it.each([
    [{ name: 'aide', debug_prob: 2 }, 'debug_prob'],
    [{ name: 'mcts', uct_c: -1 }, 'uct_c'],
    [{ name: 'tree', children: 0 }, 'children'],
    [{ name: 'flat', drafts: 2.5 }, 'drafts'],
    [{ name: 'evolutionary', temperature: 0 }, 'temperature'],
    [{ name: 'multi-aide', max_debug_depth: 'five' }, 'max_debug_depth'],
    [{ name: 'aide', debugprob: 0.3 }, '"debugprob"'],
  ])('rejects %j with a UserError naming %s', (spec, field) => {
    const error = userError(() => makeScaffold(spec));
    expect(error.message).toContain(field);
    expect(error.message).toContain(spec.name);
    expect(error.exitCode).toBe(2);
  });

  it('lists the accepted parameters and their defaults in the fix', () => {
    const error = userError(() => makeScaffold({ name: 'aide', bogus: 1 }));
    expect(error.fix).toBe(
      'aide accepts: max_nodes (default 20), drafts (default 3), children (default 1), debug_prob (default 0.5), max_debug_depth (default 5)',
    );
  });

  it('rejects unknown names, specs without a name and bad node caps, listing what is accepted', () => {
    for (const spec of ['bogus', { name: 'bogus' }, { drafts: 3 }, 42, null, ['aide']]) {
      const error = userError(() => makeScaffold(spec));
      expect(error.message).toContain('flat, tree, forest, aide, multi-aide, greedy, mcts, evolutionary');
    }
    expect(userError(() => makeScaffold('bogus')).message).toContain('"bogus"');
    expect(userError(() => makeScaffold('aide', { nodes: 0 })).message).toContain('node cap');
  });

  it('validates specs in config files with the same rules, keeping them as written', () => {
    expect(ScaffoldSpec.parse('aide')).toBe('aide');
    expect(ScaffoldSpec.parse({ name: 'mcts', uct_c: 0.5 })).toEqual({ name: 'mcts', uct_c: 0.5 });
    expect(ScaffoldSpec.safeParse('bogus').success).toBe(false);
    const bad = ScaffoldSpec.safeParse({ name: 'aide', debug_prob: 2 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('debug_prob');
  });
});

describe.each(SCAFFOLD_NAMES)('%s', (name) => {
  it('never makes more nodes than the cap, and fills it unless nothing is left to do', () => {
    for (const cap of [1, 7, 20]) {
      const run = simulate(makeScaffold(name, { nodes: cap }), { outcome: mixed, concurrency: 3 });
      expect(run.shape).toHaveLength(cap);
      expect(run.steps.at(-1)!.decision).toEqual({ kind: 'done' });
    }
  });

  it('grows the same tree for the same seed and results, however the training is timed', () => {
    for (const seed of [1, 2, 3]) {
      const sequential = simulate(makeScaffold(name), { outcome: mixed, seed });
      expect(simulate(makeScaffold(name), { outcome: mixed, seed }).shape).toEqual(sequential.shape);
      expect(simulate(makeScaffold(name), { outcome: mixed, seed, concurrency: 4, finishOrder: 'newest' }).shape).toEqual(sequential.shape);
      expect(simulate(makeScaffold(name), { outcome: mixed, seed, concurrency: 6, finishOrder: { shuffleSeed: seed } }).shape).toEqual(sequential.shape);
    }
  });
});
