import { describe, expect, it } from 'vitest';
import { SearchTree, type FinishedSearchNode } from '../src/core/search/search-tree.js';
import { nodeResult } from '../src/core/store/node-result.js';
import type { NodeResult } from '../src/core/store/schema.js';

// The tree alone, without an engine: which node measures a meaning, and what the others get, by the order of calls.

function tree(nodes: number, smoke = false): SearchTree {
  const t = new SearchTree(smoke);
  t.add({ node: 0, parent: null, second_parent: null, operator: 'baseline', by: 'agent' }, { script: 'baseline', note: null });
  t.settle(result(0, 'record-table'));
  for (let n = 1; n <= nodes; n++) t.add({ node: n, parent: 0, second_parent: null, operator: 'draft', by: 'agent' });
  return t;
}

function result(node: number, measuredBy: NodeResult['measured_by'] = 'executed', status: NodeResult['status'] = 'ok'): NodeResult {
  return nodeResult({
    node,
    parent: node === 0 ? null : 0,
    operator: node === 0 ? 'baseline' : 'draft',
    status,
    measured_by: measuredBy,
    time_to_target_ms: 1000,
  });
}

/** What a claim has settled to so far: the twin's id, 'measure', or 'waiting'. */
async function state(claim: Promise<FinishedSearchNode | null>): Promise<number | 'measure' | 'waiting'> {
  const settled = await Promise.race([claim.then((twin) => twin?.node ?? ('measure' as const)), Promise.resolve().then(() => 'waiting' as const)]);
  return settled;
}

describe('the search tree', () => {
  it('gives each node the next id, in flight until its result is final', () => {
    const t = tree(2);
    expect(t.nodes.map((n) => [n.node, n.state])).toEqual([
      [0, 'finished'],
      [1, 'proposing'],
      [2, 'proposing'],
    ]);
    t.proposed(1, 'a', 'idea');
    expect(t.byId(1)).toMatchObject({ state: 'measuring', script: 'a', note: 'idea', result: null });
    t.settle({ ...result(1), time_to_target_ms: 900 }, { analysis: 'fine' });
    expect(t.finished().map((n) => n.node)).toEqual([0, 1]);
    expect(t.results().map((r) => r.node)).toEqual([0, 1]);
    expect(t.best()).toMatchObject({ node: 1, analysis: 'fine' });
    expect(t.children(0).map((n) => n.node)).toEqual([1, 2]);
    expect(() => t.add({ node: 5, parent: 0, second_parent: null, operator: 'draft', by: 'agent' })).toThrow(/node 5 added to a tree of 3 nodes/);
  });

  it('lets the first claim of a meaning measure it; later claims wait and get that node once its result is final', async () => {
    const t = tree(3);
    for (const n of [1, 2, 3]) t.proposed(n, 'same', 'copy');
    const first = t.claim(1, 'k');
    const second = t.claim(2, 'k');
    expect(await state(first)).toBe('measure');
    expect(await state(second)).toBe('waiting');
    // Trained, but its result not on record yet: a new copy still waits.
    const third = t.claim(3, 'k');
    expect(await state(third)).toBe('waiting');
    t.settle(result(1), { script: 'same' });
    expect([await state(second), await state(third)]).toEqual([1, 1]);
    expect(t.claim(2, 'other')).toBe(second);
  });

  it('claims in the order nodes ask, whichever meaning is computed first', async () => {
    const t = tree(2);
    let slowKey!: (key: string) => void;
    const first = t.claimInTurn(1, new Promise((resolve) => (slowKey = resolve)));
    const second = t.claimInTurn(2, Promise.resolve('k'));
    expect(await state(second)).toBe('waiting');
    slowKey('k');
    expect(await first).toBeNull();
    t.settle(result(1), { script: 'same' });
    expect((await second)?.node).toBe(1);
  });

  it('passes a stopped measurement to the first waiting node, and a failed one too, so only one trains at a time', async () => {
    const t = tree(4);
    const first = t.claim(1, 'k');
    const second = t.claim(2, 'k');
    const third = t.claim(3, 'k');
    expect(await state(first)).toBe('measure');
    t.settle(result(1, 'executed', 'aborted'));
    expect(t.byId(1)!.result).toBeNull();
    expect([await state(second), await state(third)]).toEqual(['measure', 'waiting']);
    t.release(2);
    expect(await state(third)).toBe('measure');
    // Released with no one waiting, the meaning is free: the next copy measures it.
    t.release(3);
    expect(await state(t.claim(4, 'k'))).toBe('measure');
  });

  it('reuses a restored measurement, never a duplicate, and in a smoke run only what the run trained itself', async () => {
    const t = tree(2);
    t.restoreMeasurement(t.byId(0) as FinishedSearchNode, 'base');
    expect(await state(t.claim(1, 'base'))).toBe(0);

    const smoke = tree(2, true);
    const baseline = smoke.byId(0) as FinishedSearchNode;
    expect(smoke.standsFor(baseline)).toBe(false);
    expect(await state(smoke.claim(1, 'base'))).toBe('measure');
    smoke.settle(result(1), { script: 'base' });
    expect(await state(smoke.claim(2, 'base'))).toBe(1);
    expect(smoke.standsFor(smoke.byId(2)! as FinishedSearchNode)).toBe(false);
  });
});
