import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Agent } from '../src/core/agent/agent.js';
import type { SpeedrunEvent } from '../src/core/events.js';
import { LocalExecutor } from '../src/core/exec/local.js';
import type { ExecSpec, Executor } from '../src/core/exec/types.js';
import type { RetimeMode } from '../src/core/catalog/schema.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { scoringRound } from '../src/core/search/scoring-round.js';
import { SlotPool } from '../src/core/exec/slot-pool.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { RunSummary } from '../src/core/store/schema.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { scriptTrack } from './helpers/script-track.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// Records 1–3 report 30, 20 and 10 s; the fake scripts print fixed times, so medians are exact and every score
// below is exact arithmetic, whatever the machine is doing.
const RECORDS = [30_000, 20_000, 10_000].map((timeMs, i) => fakeTrainingScript({ timeMs, sleepS: 0.1, tag: `record ${i + 1}` }));
const NODE = fakeTrainingScript({ timeMs: 24_000, sleepS: 0.1, tag: 'node' });

/** Counts the trainings an executor starts, by what they are (a node, or a script of the scoring round). */
function countingExecutor(): { executor: Executor; started: string[] } {
  const local = new LocalExecutor();
  const started: string[] = [];
  return {
    started,
    executor: { name: 'local', liveLines: true, run: (spec: ExecSpec) => (started.push(`${spec.runId}#${spec.node}`), local.run(spec)) },
  };
}

async function scored(
  agent: Agent,
  retime: { mode: RetimeMode; repeats: number },
  opts: { runDir?: string; signal?: AbortSignal; onEvent?: (e: SpeedrunEvent) => void } = {},
) {
  const { manifest, cache } = await scriptTrack(RECORDS, { times: [36_000, 24_000, 12_000], rule: 'final', target: 1.9 });
  const runDir = opts.runDir ?? join(await tempDir('scoring'), 'run');
  const { executor, started } = countingExecutor();
  const events: SpeedrunEvent[] = [];
  const summary = await runSearch(
    await tinySearch({
      runDir,
      manifest,
      cache,
      agent,
      executor,
      retime,
      scaffold: makeScaffold('flat', { nodes: 1 }),
      times: { baselineMs: 36_000, targetMs: 24_000, from: 'record-table', measuredAt: null, detail: 'record table: test' },
      signal: opts.signal,
      emit: (e) => {
        events.push(e);
        opts.onEvent?.(e);
      },
    }),
  );
  return { summary: RunSummary.parse(summary), started, events, runDir };
}

const proposes = (script: string) => scriptedAgent(() => ({ ok: true, script, note: 'the edit' }));

describe('the scoring round (retime both)', () => {
  it(
    'trains record i first, then the best node, record i and record i+1 interleaved in turning order, and scores the medians',
    { timeout: 60_000 },
    async () => {
      const { summary, started, runDir } = await scored(proposes(NODE), { mode: 'both', repeats: 2 });
      expect(started).toEqual([
        'test-run#0',
        'test-run#1',
        'test-run-scoring-baseline#1',
        'test-run-scoring-best#1',
        'test-run-scoring-next#1',
        'test-run-scoring-best#2',
        'test-run-scoring-next#2',
        'test-run-scoring-baseline#2',
      ]);
      // (30 − 24) / (30 − 20): the run's own times, not the record table's 36 and 24 s.
      expect(summary).toMatchObject({
        status: 'finished',
        fsr: 0.6,
        baseline_ms: 30_000,
        target_ms: 20_000,
        times_from: 'run',
        timing_rule: 'final',
        best: { node: 1, train_time_ms: 24_000 },
      });
      const scoring = summary.scoring!;
      expect(scoring).toMatchObject({ retime: 'both', repeats: 2, note: null, ratio: null });
      for (const source of [scoring.baseline, scoring.best!, scoring.next]) {
        expect(source.from).toBe('run');
        expect(source.runs).toHaveLength(2);
        for (const r of source.runs) expect(Date.parse(r.ended_at)).toBeGreaterThanOrEqual(Date.parse(r.started_at));
      }
      expect(scoring.next.runs.map((r) => r.time_ms)).toEqual([20_000, 20_000]);
      expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')).result.scoring).toEqual(scoring);
      expect((await readdir(join(runDir, 'scoring'))).sort()).toEqual(['baseline-r1', 'baseline-r2', 'best-r1', 'best-r2', 'next-r1', 'next-r2', 'round.json']);
    },
  );

  it('scores exactly 0 without a round when the best node is record i: the null agent, or an edit of comments and layout', { timeout: 60_000 }, async () => {
    const nothing = await scored(proposes(RECORDS[0]!), { mode: 'both', repeats: 2 });
    const layout = await scored(proposes(`# tuned\n\n${RECORDS[0]!.replace(/\n/g, '\n\n')}`), { mode: 'both', repeats: 2 });
    for (const { summary, started } of [nothing, layout]) {
      expect(started).toEqual(['test-run#0']);
      expect(summary).toMatchObject({ fsr: 0, best: { node: 0, train_time_ms: 30_000 }, baseline_ms: 30_000, times_from: 'run+record-table' });
      expect(summary.scoring).toMatchObject({ repeats: 0, note: expect.stringMatching(/record i itself/) });
    }
  });

  it('resumes a stopped round without training again what it finished', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const first = await scored(
      proposes(NODE),
      { mode: 'both', repeats: 2 },
      {
        signal: controller.signal,
        onEvent: (e) => e.type === 'scoring-repeat' && e.script === 'best' && e.repeat === 1 && controller.abort(),
      },
    );
    expect(first.summary).toMatchObject({ status: 'aborted', fsr: null });
    expect(first.summary.fsr_flags.join()).toMatch(/scoring round has not finished/);
    expect(first.started.filter((s) => s.includes('scoring'))).toEqual(['test-run-scoring-baseline#1', 'test-run-scoring-best#1']);

    const never = scriptedAgent(() => {
      throw new Error('a resumed run must not propose again');
    });
    const second = await scored(never, { mode: 'both', repeats: 2 }, { runDir: first.runDir });
    expect(second.started).toEqual(['test-run-scoring-next#1', 'test-run-scoring-best#2', 'test-run-scoring-next#2', 'test-run-scoring-baseline#2']);
    expect(second.summary).toMatchObject({ status: 'finished', fsr: 0.6 });
    expect(second.summary.scoring!.baseline.runs).toHaveLength(2);
  });
});

describe('node 0 trained in the run', () => {
  it('is trained again when the run was stopped during its training, and the run then goes on', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const first = await scored(
      proposes(NODE),
      { mode: 'both', repeats: 1 },
      {
        signal: controller.signal,
        onEvent: (e) => e.type === 'edit-applied' && e.node === 0 && setTimeout(() => controller.abort(), 50),
      },
    );
    expect(first.summary.status).toBe('aborted');
    expect(first.started).toEqual(['test-run#0']);
    const second = await scored(proposes(NODE), { mode: 'both', repeats: 1 }, { runDir: first.runDir });
    expect(second.started.slice(0, 2)).toEqual(['test-run#0', 'test-run#1']);
    expect(second.summary).toMatchObject({ status: 'finished', fsr: 0.6 });
  });
});

describe('retime baseline', () => {
  it('measures record i and the best node in the run and takes t_i+1/t_i from the record table', { timeout: 60_000 }, async () => {
    const { summary, started } = await scored(proposes(NODE), { mode: 'baseline', repeats: 1 });
    expect(started).toEqual(['test-run#0', 'test-run#1', 'test-run-scoring-baseline#1', 'test-run-scoring-best#1']);
    // r = 24 / 36; (1 − 24/30) / (1 − r) = 0.6.
    expect(summary.fsr).toBeCloseTo(0.6, 12);
    expect(summary).toMatchObject({ baseline_ms: 30_000, target_ms: 20_000, times_from: 'run+record-table' });
    expect(summary.scoring).toMatchObject({ retime: 'baseline', ratio: 24_000 / 36_000, next: { from: 'record-table', runs: [] } });
  });
});

describe('the scoring round with kernel files', () => {
  it("trains record i+1 beside its own kernel files and the others beside record i's", { timeout: 60_000 }, async () => {
    const root = await tempDir('scoring-kernels');
    // Two versions of one kernel file, as 2026 records ship them: the script prints which one it imported.
    const kernelsOf = async (record: number) => {
      const dir = join(root, `record_${record}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'kern.py'), `VERSION = ${record}\n`);
      return [join(dir, 'kern.py')];
    };
    const script = (timeMs: number) =>
      `from kern import VERSION\nprint(f"kernel {VERSION}", flush=True)\nprint("step:10/10 val_loss:1.8500 train_time:${timeMs}ms step_avg:1.00ms", flush=True)\n`;
    const runDir = join(root, 'run');
    const runs = await scoringRound({
      runId: 'kern',
      runDir,
      retime: 'both',
      repeats: 1,
      best: { node: 1, script: script(24_000) },
      baselineScript: script(30_000),
      nextScript: script(20_000),
      nextBesideScript: await kernelsOf(2),
      executor: new LocalExecutor(),
      slots: new SlotPool(1),
      launch: { runner: 'python', nproc: 1, timeoutMs: 30_000, python: 'python3', env: {}, readOnlyDirs: [], besideScript: await kernelsOf(1) },
      timing: { target: 1.9, rule: 'final' },
    });
    const kernelSeen = async (dir: string) => (await readFile(join(runDir, dir, 'stdout.log'), 'utf8')).split('\n')[0];
    expect(Object.fromEntries(await Promise.all(runs.map(async (r) => [r.script, await kernelSeen(r.dir)])))).toEqual({
      baseline: 'kernel 1',
      best: 'kernel 1',
      next: 'kernel 2',
    });
  });
});
