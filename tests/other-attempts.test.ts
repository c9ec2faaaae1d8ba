import { describe, expect, it } from 'vitest';
import type { NodeHistory } from '../src/core/agent/agent.js';
import { MAX_OTHER_ATTEMPTS, otherAttempts } from '../src/core/search/other-attempts.js';
import { nodeResult } from '../src/core/store/node-result.js';
import type { NodeResult } from '../src/core/store/schema.js';

type Fields = Pick<NodeResult, 'node' | 'parent'> & Partial<NodeResult>;

/** A finished node: ok in `time` ms, or with the given status. */
function node(fields: Fields & { time?: number }): NodeHistory {
  const { time, ...rest } = fields;
  const result = nodeResult({
    operator: rest.parent === null ? 'baseline' : 'improve',
    status: 'ok',
    measured_by: 'executed',
    script_sha256: `s${rest.node}`,
    time_to_target_ms: time ?? null,
    ...rest,
  });
  return { result, note: `idea ${rest.node}`, analysis: null };
}

function tree(...nodes: NodeHistory[]): Map<number, NodeHistory> {
  return new Map(nodes.map((n) => [n.result.node, n]));
}

const ids = (attempts: NodeHistory[]) => attempts.map((a) => a.result.node);

describe('the other attempts a prompt warns about', () => {
  const base = node({ node: 0, parent: null, time: 36_000, measured_by: 'record-table' });

  it('lists buggy, missed and not-faster nodes outside the ancestry, but not improvements or nodes that never had a script', () => {
    const known = tree(
      base,
      node({ node: 1, parent: 0, time: 30_000 }), // faster than the baseline: on the path, and an improvement anyway
      node({ node: 2, parent: 1, status: 'crashed', exit_code: 1 }),
      node({ node: 3, parent: 1, time: 31_000 }), // slower than its parent
      node({ node: 4, parent: 1, time: 25_000 }), // faster: not a dead end
      node({ node: 5, parent: 1, status: 'edit-failed', measured_by: 'not-run' }),
      node({ node: 6, parent: 1, status: 'agent-error', measured_by: 'not-run' }),
      node({ node: 7, parent: 1, status: 'aborted' }),
      node({ node: 8, parent: 0, status: 'missed-target' }),
      node({ node: 9, parent: 0, status: 'rejected', measured_by: 'not-run' }),
      node({ node: 10, parent: 0, status: 'timeout' }),
      node({ node: 11, parent: 0, status: 'no-metric' }),
      node({ node: 12, parent: 2, time: 29_000, operator: 'debug' }), // a fix of a crash: progress, not a dead end
    );
    // Writing a child of node 4: its ancestry 0 → 1 → 4 is the prompt's history, so it is not repeated here.
    expect(ids(otherAttempts(known, { parent: 4, second_parent: null }))).toEqual([2, 3, 8, 9, 10, 11]);
  });

  it('counts a node as not faster when it ties its parent, and a crossover against the faster of its parents', () => {
    const known = tree(
      base,
      node({ node: 1, parent: 0, time: 30_000 }),
      node({ node: 2, parent: 0, time: 20_000 }),
      node({ node: 3, parent: 1, time: 30_000 }), // a tie
      node({ node: 4, parent: 1, second_parent: 2, operator: 'crossover', time: 25_000 }), // beats node 1, not node 2
      node({ node: 5, parent: 1, second_parent: 2, operator: 'crossover', time: 15_000 }),
    );
    expect(ids(otherAttempts(known, { parent: 2, second_parent: null }))).toEqual([3, 4]);
  });

  it('leaves out both parents of a crossover and their ancestors', () => {
    const known = tree(
      base,
      node({ node: 1, parent: 0, status: 'missed-target' }),
      node({ node: 2, parent: 0, time: 40_000 }),
      node({ node: 3, parent: 0, time: 50_000 }),
    );
    expect(ids(otherAttempts(known, { parent: 2, second_parent: 3 }))).toEqual([1]);
  });

  it('keeps siblings of the new node first, then the newest of the rest, up to the cap, listed oldest first', () => {
    const crashes = Array.from({ length: 12 }, (_, i) => node({ node: i + 2, parent: i < 3 ? 1 : 0, status: 'crashed' }));
    const known = tree(base, node({ node: 1, parent: 0, time: 30_000 }), ...crashes);
    // Siblings (children of node 1): 2, 3, 4. Then the newest others: 13, 12, 11, 10, 9.
    const shown = otherAttempts(known, { parent: 1, second_parent: null });
    expect(shown).toHaveLength(MAX_OTHER_ATTEMPTS);
    expect(ids(shown)).toEqual([2, 3, 4, 9, 10, 11, 12, 13]);
    expect(ids(otherAttempts(known, { parent: 1, second_parent: null }, 2))).toEqual([3, 4]);
  });

  it('is empty for a fresh search', () => {
    expect(otherAttempts(tree(base), { parent: 0, second_parent: null })).toEqual([]);
  });
});
