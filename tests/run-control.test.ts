import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SpeedrunEvent } from '../src/core/events.js';
import { RunControl } from '../src/core/search/run-control.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { NodeMeta, NodeResult } from '../src/core/store/schema.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { removeTempDirs } from './helpers/temp.js';

afterAll(removeTempDirs);

const drafts = scriptedAgent((input) => ({
  ok: true,
  script: fakeTrainingScript({ timeMs: (30 - input.node) * 1000, sleepS: 0.3, tag: String(input.node) }),
  note: `draft ${input.node}`,
}));

// Steering a run from outside, as the terminal UI does.
describe('run control', () => {
  it('a paused run starts no node until it resumes; a human edit becomes a node of the tree', { timeout: 60_000 }, async () => {
    const control = new RunControl();
    control.pause();
    const events: SpeedrunEvent[] = [];
    const human = fakeTrainingScript({ timeMs: 20_000, tag: 'human' });
    // Steered by what the run reports, not by the clock: once the baseline is measured a person hands in an edit,
    // and once that edit is measured the run resumes. (setImmediate: act after the engine's own emit returns.)
    const emit = (e: SpeedrunEvent) => {
      events.push(e);
      if (e.type === 'node-finished' && e.node === 0) setImmediate(() => control.submit({ parent: 0, script: human, note: 'human edit in $EDITOR' }));
      if (e.type === 'node-finished' && e.node === 1) setImmediate(() => control.resume());
    };
    const input = await tinySearch({ agent: drafts, scaffold: makeScaffold('flat', { nodes: 2 }), control, emit });
    const summary = await runSearch(input);

    // Unpaused, the scaffold's first draft would follow the baseline at once; paused, the run created nothing but the
    // baseline, then the person's node (trained although the scaffold is paused), and its own drafts only after resume.
    const order = events.flatMap((e) =>
      e.type === 'node-created' || e.type === 'node-finished' ? [`${e.type === 'node-created' ? 'created' : 'finished'} ${e.node}`] : [],
    );
    expect(order.slice(0, 4)).toEqual(['created 0', 'finished 0', 'created 1', 'finished 1']);
    expect(order.indexOf('created 2')).toBeGreaterThan(order.indexOf('finished 1'));
    const meta = async (n: number) => NodeMeta.parse(JSON.parse(await readFile(join(input.runDir, 'nodes', String(n), 'node.json'), 'utf8')));
    expect(await meta(1)).toMatchObject({ by: 'human', operator: 'improve', parent: 0 });
    expect(await meta(2)).toMatchObject({ by: 'agent', operator: 'draft' });
    const humanResult = NodeResult.parse(JSON.parse(await readFile(join(input.runDir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(humanResult).toMatchObject({ status: 'ok', time_to_target_ms: 20_000, note: 'human edit in $EDITOR' });
    // The human's 20 s beats the agent's drafts (28 s, 27 s): the harness scores it like any node.
    expect(summary).toMatchObject({ status: 'finished', best: { node: 1 } });
  });
});
