import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../src/core/catalog/files.js';
import { LocalExecutor } from '../src/core/exec/local.js';
import { SlotPool } from '../src/core/exec/slot-pool.js';
import type { ExecSpec, Executor } from '../src/core/exec/types.js';
import type { ScriptMeaning } from '../src/core/measure/script-meaning.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { RunStore } from '../src/core/store/run-store.js';
import { NodeResult } from '../src/core/store/schema.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);
afterEach(() => vi.restoreAllMocks());

// The reference agent proposes record i+1's script for every node: one training of it is the measurement, every
// further copy is its duplicate. These tests count what the executor was really asked to train, per script.

/** The local executor, counting each training by the sha256 of the script it was given; `before` may hold a start. */
function countingExecutor(before?: (spec: ExecSpec) => Promise<void>): { executor: Executor; trained: Map<string, number[]> } {
  const local = new LocalExecutor();
  const trained = new Map<string, number[]>();
  const executor: Executor = {
    name: 'local',
    liveLines: true,
    async run(spec) {
      const sha = sha256Hex(await readFile(spec.scriptPath, 'utf8'));
      trained.set(sha, [...(trained.get(sha) ?? []), spec.node]);
      await before?.(spec);
      return local.run(spec);
    },
  };
  return { executor, trained };
}

const textMeaning: ScriptMeaning = async (script) => `text:${sha256Hex(script)}`;

async function results(runDir: string, ids: number[]): Promise<NodeResult[]> {
  return Promise.all(ids.map(async (n) => NodeResult.parse(JSON.parse(await readFile(join(runDir, 'nodes', String(n), 'result.json'), 'utf8')))));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('an identical script in one run', () => {
  it('trains once when node 1 is still waiting for its slot as the copies arrive (the tiny-bench symptom)', { timeout: 60_000 }, async () => {
    const runDir = join(await tempDir('same-script'), 'run');
    const script = fakeTrainingScript({ timeMs: 20_000 });
    const slots = new SlotPool(1);
    // Another run of the bench holds the only slot until the last copy has been proposed.
    const lastProposed = deferred();
    const held = slots.with(() => lastProposed.promise);
    const agent = scriptedAgent(() => ({ ok: true, script, note: 'record i+1' }), { onPropose: (input) => input.node === 3 && lastProposed.resolve() });
    const { executor, trained } = countingExecutor();
    await runSearch(await tinySearch({ runDir, agent, scaffold: makeScaffold('flat', { nodes: 3 }), slots, executor, scriptMeaning: textMeaning }));
    await held;
    expect([...trained.values()]).toEqual([[1]]);
    const nodes = await results(runDir, [1, 2, 3]);
    expect(nodes.map((n) => [n.measured_by, n.duplicate_of])).toEqual([
      ['executed', null],
      ['duplicate', 1],
      ['duplicate', 1],
    ]);
  });

  it('trains once when the copy arrives after node 1 trained but before its result is on record', { timeout: 60_000 }, async () => {
    const runDir = join(await tempDir('same-script'), 'run');
    const script = fakeTrainingScript({ timeMs: 20_000 });
    // Node 1's result.json is slow to write (a busy disk); node 2 is proposed while it is being written, and the
    // write completes as soon as node 2's script has been given its meaning.
    const node1Writing = deferred();
    const node1MayWrite = deferred();
    let node2Proposed = false;
    const write = RunStore.prototype.writeNodeResult;
    vi.spyOn(RunStore.prototype, 'writeNodeResult').mockImplementation(async function (this: RunStore, result) {
      if (result.node === 1) {
        node1Writing.resolve();
        await node1MayWrite.promise;
      }
      return write.call(this, result);
    });
    const meaning: ScriptMeaning = async (text) => {
      if (node2Proposed) node1MayWrite.resolve();
      return textMeaning(text);
    };
    const agent = {
      ...scriptedAgent(() => ({ ok: true, script, note: 'record i+1' })),
      async propose(input: { node: number }) {
        if (input.node === 2) {
          await node1Writing.promise;
          node2Proposed = true;
        }
        return { ok: true as const, script, note: 'record i+1' };
      },
    };
    const { executor, trained } = countingExecutor();
    await runSearch(await tinySearch({ runDir, agent, scaffold: makeScaffold('flat', { nodes: 2 }), executor, scriptMeaning: meaning }));
    expect([...trained.values()]).toEqual([[1]]);
    const nodes = await results(runDir, [1, 2]);
    expect(nodes.map((n) => [n.measured_by, n.duplicate_of])).toEqual([
      ['executed', null],
      ['duplicate', 1],
    ]);
  });

  it('trains once across a resume that finds both copies in flight, the lower id training', { timeout: 60_000 }, async () => {
    const runDir = join(await tempDir('same-script'), 'run');
    const script = fakeTrainingScript({ timeMs: 20_000 });
    const agent = scriptedAgent(() => ({ ok: true, script, note: 'record i+1' }));
    // First run: stopped while node 1 trains and node 2 (its copy) is complete on disk, waiting for it.
    const stop = new AbortController();
    const write = RunStore.prototype.writeProposal;
    vi.spyOn(RunStore.prototype, 'writeProposal').mockImplementation(async function (this: RunStore, node, proposal) {
      await write.call(this, node, proposal);
      if (node === 2) stop.abort();
    });
    const first = countingExecutor(async (spec) => {
      if (spec.signal?.aborted) return;
      await new Promise<void>((resolve) => spec.signal?.addEventListener('abort', () => resolve(), { once: true }));
    });
    const input = { runDir, agent, scaffold: makeScaffold('flat', { nodes: 2 }), scriptMeaning: textMeaning };
    const stopped = await runSearch(await tinySearch({ ...input, executor: first.executor, signal: stop.signal }));
    expect(stopped.status).toBe('aborted');
    vi.restoreAllMocks();
    const stored = await (await RunStore.open(runDir)).readNodes();
    expect(stored.slice(1).map((s) => [s.meta.node, s.proposal !== null, s.result?.status ?? null])).toEqual([
      [1, true, 'aborted'],
      [2, true, null],
    ]);

    const second = countingExecutor();
    const resumed = await runSearch(await tinySearch({ ...input, executor: second.executor }));
    expect(resumed.status).toBe('finished');
    expect([...second.trained.values()]).toEqual([[1]]);
    const nodes = await results(runDir, [1, 2]);
    expect(nodes.map((n) => [n.measured_by, n.duplicate_of])).toEqual([
      ['executed', null],
      ['duplicate', 1],
    ]);
  });
});
