import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBenchManifest } from '../src/core/bench/bench-manifest.js';
import { planBench } from '../src/core/bench/bench-plan.js';
import { BenchSpec } from '../src/core/bench/bench-spec.js';
import { chainSource, stepStart } from '../src/core/bench/chain-start.js';
import { getRecord, loadTrack } from '../src/core/catalog/catalog.js';
import type { ChainStepEntry } from '../src/core/events.js';
import { fsr } from '../src/core/score/fsr.js';
import { Report } from '../src/core/report/schema.js';
import { NodeResult, RunFile, type RunSummary } from '../src/core/store/schema.js';
import { killAndResume } from './helpers/bench-kill.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/** The steps of the chain-finished event, the last line of `chain --json`. */
function chainFinished(stdout: string): { steps: ChainStepEntry[]; complete: boolean } {
  const events = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string });
  const last = events.at(-1) as { type: string; steps: ChainStepEntry[]; complete: boolean };
  expect(last.type).toBe('chain-finished');
  return last;
}

const stepOutcomes = (steps: ChainStepEntry[]) => steps.map((s) => [s.step, s.run_id, s.status, s.best?.node ?? null, s.fsr, s.start.from, s.start_ms]);

const script = (dir: string, runId: string, node: number) => readFile(join(dir, runId, 'nodes', String(node), 'train_gpt.py'), 'utf8');

describe('speedrun chain on the tiny track with the reference agent (simulated trainings)', () => {
  // Simulated trainings take a hundredth of their time, so a kill lands while the chain is still running.
  const env: Record<string, string> = { SPEEDRUN_SIM_TIME_SCALE: '0.01' };
  const chainArgs = ['chain', '--track', 'tiny', '--from', '1', '--to', '4', '--agent', 'reference', '--executor', 'sim'];
  let out: string;
  let steps: ChainStepEntry[];

  beforeAll(async () => {
    env.SPEEDRUN_CACHE = await tempDir('chain-cache');
    out = join(await tempDir('chain-plain'), 'chain');
    const result = await speedrun([...chainArgs, '--out', out, '--json'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    const finished = chainFinished(result.stdout);
    expect(finished.complete).toBe(true);
    steps = finished.steps;
  }, 300_000);

  it('scores FSR ≈ 1 at every step, against each task’s own records', async () => {
    const manifest = await loadTrack('tiny');
    expect(steps.map((s) => [s.step, s.record, s.status])).toEqual([
      [0, 1, 'finished'],
      [1, 2, 'finished'],
      [2, 3, 'finished'],
    ]);
    for (const step of steps) {
      // The sim times a record's script with about 1 % noise; the scoring round takes medians of 3.
      expect(step.fsr!, `step ${step.step}`).toBeGreaterThanOrEqual(0.8);
      expect(step.fsr!, `step ${step.step}`).toBeLessThanOrEqual(1.2);
      expect(step.best?.node).toBe(1);
      // The FSR is the task's: record i and i+1 re-timed in the step's round (near their table times), not the start's.
      expect(step.fsr).toBeCloseTo(fsr(step.baseline_ms!, step.target_ms!, step.best!.train_time_ms), 10);
      expect(Math.abs(step.baseline_ms! / getRecord(manifest, step.record).time_ms - 1)).toBeLessThan(0.1);
      expect(Math.abs(step.target_ms! / getRecord(manifest, step.record + 1).time_ms - 1)).toBeLessThan(0.1);
    }
  });

  it("starts each step from the best script of the step before, kept in the chain's folder", async () => {
    expect(steps.map((s) => s.start)).toEqual([
      { from: 'record', run_id: null, node: null, file: null },
      { from: 'best', run_id: steps[0]!.run_id, node: 1, file: 'chain/step-1.py' },
      { from: 'best', run_id: steps[1]!.run_id, node: 1, file: 'chain/step-2.py' },
    ]);
    for (const k of [1, 2]) {
      const best = await script(out, steps[k - 1]!.run_id, steps[k - 1]!.best!.node);
      expect(await script(out, steps[k]!.run_id, 0)).toBe(best);
      expect(await readFile(join(out, 'chain', `step-${k}.py`), 'utf8')).toBe(best);
      const config = RunFile.parse(JSON.parse(await readFile(join(out, steps[k]!.run_id, 'run.json'), 'utf8'))).config;
      expect(config.chain).toMatchObject({ step: k, from: 'best', run_id: steps[k - 1]!.run_id, node: 1 });
    }
    expect((await readBenchManifest(out))?.spec).toMatchObject({ chain: true, records: '1-3', agents: ['reference'] });
  });

  it('resumes after kill -9 mid-chain to the same results as the chain that was not killed', { timeout: 300_000 }, async () => {
    const killed = join(await tempDir('chain-killed'), 'chain');
    // Killed once step 1's start script has trained: step 0 is over, step 1 half done, step 2 not begun.
    const stdout = await killAndResume(
      [...chainArgs, '--out', killed, '--json'],
      ['chain', '--resume', killed, '--json'],
      env,
      /"type":"node-finished","run_id":"tiny-r2-[^"]*","node":0/,
    );
    const resumed = chainFinished(stdout);
    expect(resumed.complete).toBe(true);
    expect(stepOutcomes(resumed.steps)).toEqual(stepOutcomes(steps));
    // `bench --resume` on a chain's folder is the same chain: every step is over, so it only reads them back.
    const again = await speedrun(['bench', '--resume', killed, '--json'], env);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(stepOutcomes(chainFinished(again.stdout).steps)).toEqual(stepOutcomes(steps));
  });

  it('reports FSR along the chain in markdown, html and json', { timeout: 120_000 }, async () => {
    const made = await speedrun(['report', out, '--reps', '200'], env);
    expect(made.exitCode, made.stderr).toBe(0);
    const report = Report.parse(JSON.parse(await readFile(join(out, 'report', 'report.json'), 'utf8')));
    expect(report.chains.map((r) => [r.step, r.task, r.start, r.fsr])).toEqual(
      steps.map((s) => [s.step, `tiny/${s.record}`, s.step === 0 ? 'record 1' : `step ${s.step - 1}'s node 1`, s.fsr]),
    );
    const md = await readFile(join(out, 'report', 'report.md'), 'utf8');
    expect(md).toContain('## Chained records');
    expect(md).toMatch(/\| chain \| 1 \| tiny\/2 \| step 0's node 1 \|/);
    const html = await readFile(join(out, 'report', 'report.html'), 'utf8');
    expect(html).toMatch(/<figure class="chart" id="chart-fsr-by-chain-step"><svg/);
    expect(html).toContain('<table id="table-chains">');
  });
});

describe('a chain whose steps start from scripts that are not a record’s', () => {
  it('trains the start script as node 0 and still scores against the record table’s times of the task', { timeout: 300_000 }, async () => {
    const env = { SPEEDRUN_CACHE: await tempDir('chain-own-cache') };
    const out = join(await tempDir('chain-own'), 'chain');
    // The exec agent adds a statement: a script of its own that the sim trains like the task's baseline record.
    const result = await speedrun(
      [
        'chain',
        '--from',
        '1',
        '--to',
        '3',
        '--agent',
        'exec',
        '--agent-cmd',
        'printf "\\nchain_marker = 1\\n" >> train_gpt.py',
        '--executor',
        'sim',
        '--retime',
        'none',
        '--out',
        out,
        '--json',
      ],
      env,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const [step0, step1] = chainFinished(result.stdout).steps;
    const manifest = await loadTrack('tiny');
    // Step 0 is a plain run of task 1: node 0 is record 1, timed by the record table.
    expect(step0!.start_ms).toBeNull();
    expect(step1!.start.from).toBe('best');
    const node0 = NodeResult.parse(JSON.parse(await readFile(join(out, step1!.run_id, 'nodes', '0', 'result.json'), 'utf8')));
    expect(node0).toMatchObject({ status: 'ok', measured_by: 'executed' });
    expect(await script(out, step1!.run_id, 0)).toBe(await script(out, step0!.run_id, step0!.best!.node));
    expect(step1!.start_ms).toBe(node0.time_to_target_ms);
    // t_i and t_i+1 of step 1 are records 2 and 3 from the table, never the start script's own time.
    expect([step1!.baseline_ms, step1!.target_ms]).toEqual([getRecord(manifest, 2).time_ms, getRecord(manifest, 3).time_ms]);
    expect(step1!.fsr).toBeCloseTo(fsr(getRecord(manifest, 2).time_ms, getRecord(manifest, 3).time_ms, step1!.best!.train_time_ms), 10);
  });
});

describe('where a chain step starts', () => {
  const summary = (status: RunSummary['status'], best: number | null) =>
    ({ status, best: best === null ? null : { node: best, train_time_ms: 1000, val_loss: 1.8 } }) as RunSummary;

  it("takes the previous step's best node, carries its start on when it had none, and stops when it did not finish", () => {
    expect(chainSource(summary('finished', 3))).toEqual({ from: 'best', node: 3 });
    expect(chainSource(summary('budget-exhausted', 0))).toEqual({ from: 'best', node: 0 });
    expect(chainSource(summary('finished', null))).toEqual({ from: 'carried', node: 0 });
    expect(chainSource(summary('failed', 2))).toBeNull();
    expect(chainSource(summary('aborted', 2))).toBeNull();
    expect(chainSource(null)).toBeNull();
  });

  it('copies the carried start once, reads it back on resume, and refuses a start file that was changed', async () => {
    const dir = await tempDir('chain-start');
    await mkdir(join(dir, 'prev', 'nodes', '0'), { recursive: true });
    await writeFile(join(dir, 'prev', 'nodes', '0', 'train_gpt.py'), 'print("start of step 0")\n');
    const run = {
      run_id: 'next',
      track: 'tiny',
      record: 2,
      hint: 'none',
      agent: 'reference',
      scaffold: 'flat',
      seed: 1,
      chain: { step: 1, after: 'prev' },
    } as const;
    const start = await stepStart(dir, run, summary('finished', null), 'unused');
    expect(start?.chain).toMatchObject({ step: 1, from: 'carried', run_id: 'prev', node: 0, file: 'chain/step-1.py' });
    expect(await readFile(start!.path!, 'utf8')).toBe('print("start of step 0")\n');
    // A resume finds the step's start already decided, whatever it is told about the step before.
    expect(await stepStart(dir, run, null, 'unused')).toEqual(start);
    await writeFile(start!.path!, 'print("edited")\n');
    await expect(stepStart(dir, run, null, 'unused')).rejects.toThrow(/was changed/);
    // Step 0 always starts from record i's own script.
    expect(await stepStart(dir, { ...run, chain: { step: 0, after: null } }, null, 'abc')).toEqual({
      path: null,
      chain: { step: 0, from: 'record', run_id: null, node: null, file: null, sha256: 'abc' },
    });
  });

  it('plans a chain as one configuration over consecutive records, in order', async () => {
    const manifests = new Map([['tiny' as const, await loadTrack('tiny')]]);
    const plan = (spec: unknown) => planBench(BenchSpec.parse(spec), manifests);
    expect(plan({ records: '1-3', chain: true }).map((r) => [r.record, r.chain])).toEqual([
      [1, { step: 0, after: null }],
      [2, { step: 1, after: 'tiny-r1-none-reference-flat-s1' }],
      [3, { step: 2, after: 'tiny-r2-none-reference-flat-s1' }],
    ]);
    expect(() => plan({ records: '1-3', agents: ['reference', 'null'], chain: true })).toThrow(/agents list several/);
    expect(() => plan({ records: '1-3', seeds: 2, chain: true })).toThrow(/seeds list several/);
    expect(() => plan({ records: '1,3', chain: true })).toThrow(/consecutive/);
    expect(() => plan({ records: '1-2', parallel: 2, chain: true })).toThrow(/one after another/);
  });

  it('refuses a chain without its ends, or ending before it starts', async () => {
    const env = { SPEEDRUN_CACHE: await tempDir('chain-flags-cache') };
    const out = await tempDir('chain-flags');
    const backwards = await speedrun(['chain', '--from', '3', '--to', '2', '--executor', 'sim', '--out', out], env);
    expect(backwards.exitCode).toBe(2);
    expect(backwards.stderr).toMatch(/--to 2 must be above --from 3/);
    const noEnds = await speedrun(['chain', '--executor', 'sim', '--out', out], env);
    expect(noEnds.exitCode).toBe(2);
    const notAChain = await speedrun(['chain', '--resume', out], env);
    expect(notAChain.exitCode).toBe(2);
    expect(notAChain.stderr).toMatch(/holds no chain/);
  });
});
