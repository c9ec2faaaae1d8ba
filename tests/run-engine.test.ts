import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, describe, expect, it } from 'vitest';
import type { Agent } from '../src/core/agent/agent.js';
import type { SpeedrunEvent } from '../src/core/events.js';
import { SlotPool } from '../src/core/exec/slot-pool.js';
import { LocalExecutor } from '../src/core/exec/local.js';
import type { Executor } from '../src/core/exec/types.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold, type ScaffoldSpec } from '../src/core/search/scaffolds/index.js';
import { NodeResult, RunSummary } from '../src/core/store/schema.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { tinySearch } from './helpers/search-fixtures.js';

afterAll(removeTempDirs);

interface Options {
  runDir?: string;
  scaffold?: ScaffoldSpec;
  nodes?: number;
  slots?: SlotPool;
  executor?: Executor;
  wallBudgetMs?: number;
  signal?: AbortSignal;
}

async function search(agent: Agent, opts: Options = {}) {
  const runDir = opts.runDir ?? join(await tempDir('engine'), 'run');
  const events: SpeedrunEvent[] = [];
  const summary = await runSearch(
    await tinySearch({
      runDir,
      agent,
      scaffold: makeScaffold(opts.scaffold ?? 'flat', { nodes: opts.nodes ?? 3 }),
      seed: 7,
      ...(opts.slots && { slots: opts.slots }),
      ...(opts.executor && { executor: opts.executor }),
      wallBudgetMs: opts.wallBudgetMs,
      signal: opts.signal,
      emit: (event) => events.push(event),
    }),
  );
  const node = async (n: number) => NodeResult.parse(JSON.parse(await readFile(join(runDir, 'nodes', String(n), 'result.json'), 'utf8')));
  return { summary: RunSummary.parse(summary), events, node, runDir };
}

/** Draft n reports a train_time of (30 − n) s after sleeping `sleepS`, so later drafts are faster. */
const drafts = (sleepS: number) =>
  scriptedAgent(
    (input) => ({ ok: true, script: fakeTrainingScript({ timeMs: (30 - input.node) * 1000, sleepS, tag: String(input.node) }), note: `draft ${input.node}` }),
    { delayMs: 300 },
  );

describe('the run engine', () => {
  it('writes the next node while the previous one trains, picks the fastest valid node, and keeps the tree in git', { timeout: 60_000 }, async () => {
    const { summary, events, node, runDir } = await search(drafts(1));
    expect(summary).toMatchObject({ status: 'finished', scaffold: 'flat', seed: 7, nodes: 4, best: { node: 3, train_time_ms: 27_000 } });
    for (const n of [1, 2, 3]) expect(await node(n)).toMatchObject({ operator: 'draft', parent: 0, status: 'ok', note: `draft ${n}` });

    // Overlap: node 2's proposal was applied before node 1 finished training.
    // Positions in the event stream (one process, in emit order), not clock readings.
    const at = (type: string, n: number) => {
      const index = events.findIndex((e) => e.type === type && 'node' in e && e.node === n);
      expect(index, `${type} ${n} emitted`).toBeGreaterThanOrEqual(0);
      return index;
    };
    expect(at('edit-applied', 2)).toBeLessThan(at('node-finished', 1));

    // The search tree as git history: one branch per node, each on its parent's commit.
    const git = simpleGit(runDir);
    const parentOf = async (n: number) => (await git.raw(['rev-list', '--parents', '-n', '1', `node-${n}`])).trim().split(' ').slice(1);
    const root = (await git.revparse([`node-0`])).trim();
    for (const n of [1, 2, 3]) expect(await parentOf(n)).toEqual([root]);
    expect(await git.raw(['diff', 'node-1', 'node-2', '--', 'train_gpt.py'])).toMatch(
      /-print\("step:10\/10 val_loss:1.8500 train_time:29000ms[\s\S]*\+print\("step:10\/10 val_loss:1.8500 train_time:28000ms/,
    );
    expect(await git.raw(['log', '--all', '--notes', '--format=%s%n%N'])).toMatch(/node 3: draft of node 0\s+reached the target at train_time 27\.0 s/);
    expect((await git.raw(['status', '--porcelain'])).trim()).toBe('');
  });

  it('never trains two nodes at once on one slot, even across runs sharing it', { timeout: 60_000 }, async () => {
    const slots = new SlotPool(1);
    // What the executor itself sees, in the order it happens (run() called, run() returned): no clock is compared,
    // so a busy machine cannot make this pass or fail. One slot means each start is followed by its own end.
    const trace: string[] = [];
    const local = new LocalExecutor();
    const executor: Executor = {
      name: 'local',
      liveLines: true,
      async run(spec) {
        trace.push(`start ${spec.workDir}`);
        try {
          return await local.run(spec);
        } finally {
          trace.push(`end ${spec.workDir}`);
        }
      },
    };
    const runs = await Promise.all([search(drafts(0.5), { slots, nodes: 2, executor }), search(drafts(0.5), { slots, nodes: 2, executor })]);
    expect(runs.map((r) => r.summary.status)).toEqual(['finished', 'finished']);
    expect(trace).toHaveLength(8);
    for (let i = 0; i < trace.length; i += 2) expect(trace[i + 1], `training ${i / 2} ends before the next starts`).toBe(trace[i]!.replace('start', 'end'));
    // Both runs trained on the shared slot (node folders under two run folders), so the check covered both.
    expect(new Set(trace.map((t) => t.replace(/^\w+ /, '').replace(/\/nodes\/\d+$/, ''))).size).toBe(2);
  });

  it(
    'resumes an interrupted run: finished nodes are kept, the node in flight trains again, and a finished run is never run again',
    { timeout: 60_000 },
    async () => {
      const runDir = join(await tempDir('engine-resume'), 'run');
      const controller = new AbortController();
      const proposed: number[] = [];
      const agent = scriptedAgent((input) => {
        proposed.push(input.node);
        return {
          ok: true,
          script: fakeTrainingScript({ timeMs: (30 - input.node) * 1000, sleepS: input.node === 2 ? 3 : 0.2, tag: String(input.node) }),
          note: `draft ${input.node}`,
        };
      });
      // Stop while node 2 trains (3 s), once node 1 is measured and node 3 is written and waits for the slot: judged by
      // the run folder's own marker files, not by a delay (nodes need not take the slot in id order: node 2's meaning
      // check may finish before node 1's on a busy machine).
      const stopping = search(agent, { runDir, nodes: 3, signal: controller.signal });
      const exists = (...path: string[]) =>
        readFile(join(runDir, 'nodes', ...path), 'utf8').then(
          () => true,
          () => false,
        );
      const timer = setInterval(async () => {
        const ready = (await exists('1', 'result.json')) && (await exists('2', 'stdout.log')) && (await exists('3', 'proposal.json'));
        if (ready && !controller.signal.aborted) {
          clearInterval(timer);
          controller.abort();
        }
      }, 50);
      const first = await stopping;
      expect(first.summary.status).toBe('aborted');
      const before = await first.node(1);
      expect(before.status).toBe('ok');
      expect((await first.node(2)).status).toBe('aborted');
      expect(proposed).toEqual([1, 2, 3]);

      const resumedAgent = scriptedAgent(() => {
        throw new Error('a resumed run must not propose nodes whose scripts are on disk');
      });
      const second = await search(resumedAgent, { runDir, nodes: 3 });
      expect(second.summary).toMatchObject({ status: 'finished', nodes: 4, best: { node: 3 } });
      expect(await second.node(1)).toEqual(before);
      expect(await second.node(2)).toMatchObject({ status: 'ok', time_to_target_ms: 28_000 });
      expect(second.events.map((e) => e.type)).toContain('run-resumed');
      expect(
        second.events
          .filter((e) => e.type === 'node-finished')
          .map((e) => (e as { node: number }).node)
          .sort(),
      ).toEqual([2, 3]);

      const third = await search(resumedAgent, { runDir, nodes: 3 });
      expect(third.summary).toEqual(second.summary);
      expect(third.events).toEqual([]);
    },
  );

  it('stops creating nodes at the wall-clock budget and says so', { timeout: 60_000 }, async () => {
    const { summary } = await search(drafts(1), { nodes: 20, wallBudgetMs: 1_500 });
    expect(summary.status).toBe('finished');
    expect(summary.stop_reason).toMatch(/wall-clock budget of 2 s reached|wall-clock budget of 1 s reached/);
    // Proposals take at least 300 ms each, one at a time: by 1.5 s at most five have started (at 0, 0.3, ..., 1.2 s),
    // so the baseline and five nodes at most, far below the cap of 20. (The harness's own time per node no longer
    // eats into the budget enough to bound it tighter.)
    expect(summary.nodes).toBeLessThanOrEqual(6);
  });
});

describe('identical proposals', () => {
  it('trains a script once even when identical nodes are written while it trains', { timeout: 60_000 }, async () => {
    const same = scriptedAgent(() => ({ ok: true, script: fakeTrainingScript({ timeMs: 25_000, sleepS: 1, tag: 'same' }), note: 'the same script' }));
    const { summary, node } = await search(same, { nodes: 3 });
    expect(await node(1)).toMatchObject({ measured_by: 'executed', status: 'ok' });
    for (const n of [2, 3]) expect(await node(n)).toMatchObject({ measured_by: 'duplicate', duplicate_of: 1, time_to_target_ms: 25_000 });
    expect(summary.best).toMatchObject({ node: 1 });
  });
});
