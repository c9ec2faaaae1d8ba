import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExperimentRefused, type Agent, type ProposeInput } from '../src/core/agent/agent.js';
import type { NodeResult } from '../src/core/store/schema.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { fakeTrainingScript } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs } from './helpers/temp.js';

afterAll(removeTempDirs);

/** An agent that trains its ideas before it answers, as an exec agent does through ./speedrun-tool train. */
function experimentingAgent(tries: string[], final: string, seen: Array<NodeResult | string>, smoke?: number): Agent {
  return {
    name: 'experimenting',
    describe: () => ({ name: 'experimenting' }),
    async propose(input: ProposeInput) {
      for (const [i, script] of tries.entries()) {
        try {
          seen.push(await input.experiment!(script, `try ${i + 1}`, smoke));
        } catch (error) {
          if (!(error instanceof ExperimentRefused)) throw error;
          seen.push(error.message);
        }
      }
      return { ok: true, script: final, note: 'the best of my tries' };
    },
  };
}

describe('experiments: trainings an agent asks for while it writes a node', () => {
  it('makes each a node of its own beside the node being written, trained and scored, then trains the answer', async () => {
    const seen: Array<NodeResult | string> = [];
    const tries = [fakeTrainingScript({ timeMs: 30_000, tag: 'a' }), fakeTrainingScript({ timeMs: 25_000, tag: 'b' })];
    const input = await tinySearch({
      agent: experimentingAgent(tries, fakeTrainingScript({ timeMs: 24_000, tag: 'final' }), seen),
      scaffold: makeScaffold('flat', { nodes: 3 }),
    });
    const summary = await runSearch(input);
    expect(summary.status).toBe('finished');
    // The agent got each experiment's measurement back, in order, before it answered.
    expect(seen.map((r) => (typeof r === 'string' ? r : [r.node, r.status, r.time_to_target_ms]))).toEqual([
      [2, 'ok', 30_000],
      [3, 'ok', 25_000],
    ]);
    const meta = async (node: number) => JSON.parse(await readFile(join(input.runDir, 'nodes', String(node), 'node.json'), 'utf8'));
    expect(await meta(2)).toMatchObject({ parent: 0, operator: 'draft', experiment_of: 1 });
    expect(await meta(3)).toMatchObject({ parent: 0, operator: 'draft', experiment_of: 1 });
    expect((await meta(1)).experiment_of).toBeUndefined();
    // Three nodes besides the baseline, all measured; the answer is the best.
    const results = await Promise.all([1, 2, 3].map(async (n) => JSON.parse(await readFile(join(input.runDir, 'nodes', String(n), 'result.json'), 'utf8'))));
    expect(results.map((r) => [r.node, r.status, r.measured_by])).toEqual([
      [1, 'ok', 'executed'],
      [2, 'ok', 'executed'],
      [3, 'ok', 'executed'],
    ]);
    expect(summary.best?.node).toBe(1);
  });

  it('refuses an experiment once the node cap is reached, and the node being written still counts', async () => {
    const seen: Array<NodeResult | string> = [];
    const tries = [fakeTrainingScript({ timeMs: 30_000, tag: 'a' }), fakeTrainingScript({ timeMs: 25_000, tag: 'b' })];
    const input = await tinySearch({
      agent: experimentingAgent(tries, fakeTrainingScript({ timeMs: 24_000, tag: 'final' }), seen),
      scaffold: makeScaffold('flat', { nodes: 2 }),
    });
    const summary = await runSearch(input);
    expect(summary.status).toBe('finished');
    expect(seen[0]).toMatchObject({ node: 2, status: 'ok' });
    expect(seen[1]).toMatch(/node cap is reached/);
  });

  it('a smoke experiment trains a few steps, is never scored, and never stands for the whole script', async () => {
    const seen: Array<NodeResult | string> = [];
    // Fast enough to be the best node if its time counted; the same script is the agent's answer.
    const script = [
      'num_iterations = 100',
      'print(f"step:{num_iterations}/{num_iterations} val_loss:1.8500 train_time:1000ms step_avg:1.00ms", flush=True)',
      '',
    ].join('\n');
    const unshortenable = fakeTrainingScript({ timeMs: 500, tag: 'no steps' });
    const input = await tinySearch({ agent: experimentingAgent([script, unshortenable], script, seen, 5), scaffold: makeScaffold('flat', { nodes: 3 }) });
    const summary = await runSearch(input);
    expect(summary.status).toBe('finished');
    const smoked = seen[0] as NodeResult;
    expect(smoked).toMatchObject({ node: 2, status: 'missed-target', measured_by: 'executed', time_to_target_ms: null, final: { step: 5, val_loss: 1.85 } });
    expect(smoked.warnings.join('\n')).toMatch(/smoke experiment: trained 5 steps/);
    expect(seen[1]).toMatch(/^--smoke 5: cannot make a smoke version/);
    const nodeDir = join(input.runDir, 'nodes', '2');
    expect(JSON.parse(await readFile(join(nodeDir, 'node.json'), 'utf8'))).toMatchObject({ experiment_of: 1, smoke_steps: 5 });
    expect(await readFile(join(nodeDir, 'smoke.diff'), 'utf8')).toMatch(/^\+num_iterations = 5$/m);
    // The answer has the smoke's script, yet it trains in full: a few steps do not stand for it.
    const answer = JSON.parse(await readFile(join(input.runDir, 'nodes', '1', 'result.json'), 'utf8'));
    expect(answer).toMatchObject({ status: 'ok', measured_by: 'executed', duplicate_of: null, time_to_target_ms: 1000 });
    expect(summary.best?.node).toBe(1);
  });
});
