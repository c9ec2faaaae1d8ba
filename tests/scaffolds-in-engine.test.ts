import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, describe, expect, it } from 'vitest';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold, SCAFFOLD_NAMES } from '../src/core/search/scaffolds/index.js';
import { NodeMeta } from '../src/core/store/schema.js';
import { byId, crashed, ok, simulate, type Outcome } from './helpers/scaffold-sim.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { tinySearch } from './helpers/search-fixtures.js';

afterAll(removeTempDirs);

const NODES = 7;
const SEED = 3;
/** Nodes 2 and 5 crash; every other node reaches the target, later ones faster. */
const CRASHES = new Set([2, 5]);
const timeOf = (node: number) => (30 - node) * 1000;
const outcomes: Record<number, Outcome> = Object.fromEntries(
  Array.from({ length: NODES }, (_, i) => i + 1).map((n) => [n, CRASHES.has(n) ? crashed : ok(timeOf(n))]),
);

// Each scaffold driven by the real engine (real processes, the real log parser, proposals overlapping training)
// grows exactly the tree the scaffold's pure simulation grows from the same outcomes and seed.
describe('scaffolds inside the run engine', () => {
  const crossingEvolution = { name: 'evolutionary', individuals_per_generation: 2, generations_till_crossover: 1, crossover_prob: 1 };
  it.each([...SCAFFOLD_NAMES, crossingEvolution])('%s grows the tree its simulation predicts', { timeout: 120_000 }, async (spec) => {
    const name = typeof spec === 'string' ? spec : `${spec.name}-crossover`;
    const expected = simulate(makeScaffold(spec, { nodes: NODES }), { outcome: byId(outcomes), seed: SEED, baselineMs: 36_000 }).shape;
    const runDir = join(await tempDir(`scaffold-${name}`), 'run');
    const agent = scriptedAgent((input) => ({
      ok: true,
      script: fakeTrainingScript({ timeMs: timeOf(input.node), crash: CRASHES.has(input.node), tag: String(input.node) }),
      note: `${input.operator} ${input.node}`,
    }));
    const summary = await runSearch(await tinySearch({ runId: name, runDir, agent, scaffold: makeScaffold(spec, { nodes: NODES }), seed: SEED }));
    const shape: string[] = [];
    for (let n = 1; n < summary.nodes; n++) {
      const meta = NodeMeta.parse(JSON.parse(await readFile(join(runDir, 'nodes', String(n), 'node.json'), 'utf8')));
      shape.push(meta.operator === 'crossover' ? `crossover(${meta.parent},${meta.second_parent})` : `${meta.operator}(${meta.parent})`);
    }
    expect(shape).toEqual(expected);
    const crossover = shape.findIndex((s) => s.startsWith('crossover'));
    if (typeof spec !== 'string') {
      // A crossover is a merge commit of its two parents' commits in the run's history.
      expect(crossover).toBeGreaterThan(-1);
      const parents = (await simpleGit(runDir).raw(['rev-list', '--parents', '-n', '1', `node-${crossover + 1}`])).trim().split(' ');
      expect(parents).toHaveLength(3);
    }
    expect(summary.status).toBe('finished');
    const fastest = Math.max(
      ...Object.keys(outcomes)
        .map(Number)
        .filter((n) => n < summary.nodes && !CRASHES.has(n)),
    );
    expect(summary.best?.node).toBe(fastest);
  });
});
