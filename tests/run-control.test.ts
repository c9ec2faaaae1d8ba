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

const drafts = scriptedAgent((input) => ({ ok: true, script: fakeTrainingScript({ timeMs: (30 - input.node) * 1000, sleepS: 0.3, tag: String(input.node) }), note: `draft ${input.node}` }));

// Steering a run from outside, as the terminal UI does.
describe('run control', () => {
  it('a paused run starts no node until it resumes; a human edit becomes a node of the tree', { timeout: 60_000 }, async () => {
    const control = new RunControl();
    control.pause();
    const events: SpeedrunEvent[] = [];
    const input = await tinySearch({ agent: drafts, scaffold: makeScaffold('flat', { nodes: 2 }), control, emit: (e) => events.push(e) });
    const running = runSearch(input);

    // Paused from the start: the baseline is recorded, nothing else happens.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(events.filter((e) => e.type === 'node-created').map((e) => (e as { node: number }).node)).toEqual([0]);

    // A person edits the baseline: node 1 is theirs, trained although the scaffold is paused.
    control.submit({ parent: 0, script: fakeTrainingScript({ timeMs: 20_000, tag: 'human' }), note: 'human edit in $EDITOR' });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(events.some((e) => e.type === 'node-finished' && e.node === 1)).toBe(true);
    expect(events.some((e) => e.type === 'node-created' && e.node === 2)).toBe(false);

    control.resume();
    const summary = await running;
    const meta = async (n: number) => NodeMeta.parse(JSON.parse(await readFile(join(input.runDir, 'nodes', String(n), 'node.json'), 'utf8')));
    expect(await meta(1)).toMatchObject({ by: 'human', operator: 'improve', parent: 0 });
    expect(await meta(2)).toMatchObject({ by: 'agent', operator: 'draft' });
    const human = NodeResult.parse(JSON.parse(await readFile(join(input.runDir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(human).toMatchObject({ status: 'ok', time_to_target_ms: 20_000, note: 'human edit in $EDITOR' });
    // The human's 20 s beats the agent's drafts (28 s, 27 s): the harness scores it like any node.
    expect(summary).toMatchObject({ status: 'finished', best: { node: 1 } });
  });
});
