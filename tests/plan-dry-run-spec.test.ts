import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinAgent } from '../src/core/agent/builtin.js';
import { parseBenchSpec } from '../src/core/bench/bench-file.js';
import type { Execution } from '../src/core/exec/execution.js';
import { LocalExecutor } from '../src/core/exec/local.js';
import { SlotPool } from '../src/core/exec/slot-pool.js';
import type { ExecResult, ExecSpec, Executor } from '../src/core/exec/types.js';
import { cacheLayout } from '../src/core/paths.js';
import { planDryRun } from '../src/core/plan/dry-run.js';
import { planRuns, singleCellSpec } from '../src/core/plan/plan-runs.js';
import { runPlanned } from '../src/core/plan/run-inputs.js';
import { runSettingsOf, specLimits } from '../src/core/plan/run-settings.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/**
 * Stands in for the local executor: describes as it does, and records every spec it is asked to run instead of
 * starting a process (node 1 "crashes" at once), so the test needs no torch and takes no training time.
 */
class RecordingExecutor implements Executor {
  readonly name = 'local';
  readonly specs: ExecSpec[] = [];
  private readonly local = new LocalExecutor();

  describe(spec: ExecSpec) {
    return this.local.describe(spec);
  }

  async run(spec: ExecSpec): Promise<ExecResult> {
    this.specs.push(spec);
    await mkdir(spec.workDir, { recursive: true });
    const stdoutPath = join(spec.workDir, 'stdout.log');
    const stderrPath = join(spec.workDir, 'stderr.log');
    await writeFile(stdoutPath, '');
    await writeFile(stderrPath, 'recorded, not run\n');
    return { exitCode: 1, signal: null, timedOut: false, aborted: false, wallMs: 1, stdoutPath, stderrPath, stderrTail: 'recorded, not run' };
  }
}

// The dry run is built from the functions the real run uses, so what it prints is what the executor receives.
describe('run --dry-run shows the spec a real run hands its executor', () => {
  const cases = [
    { name: 'a smoke run on a CPU slot', smoke: 5, slots: new SlotPool(1), spec: { timeout_s: 77 } },
    { name: 'a scored run (no re-timing) on a GPU slot', smoke: undefined, slots: new SlotPool([[3]]), spec: { retime: 'none' as const } },
  ];
  it.each(cases)('$name', { timeout: 120_000 }, async ({ smoke, slots, spec: extra }) => {
    const cache = cacheLayout(await tempDir('cache'));
    const env = { cache, log: () => {} };
    const spec = parseBenchSpec(
      { ...singleCellSpec({ track: 'tiny', record: 2, hint: 'none', agent: { name: 'reference' }, scaffold: 'flat', seed: 1 }), nodes: 1, ...extra },
      'test',
    );
    const [run] = await planRuns(spec);
    const runDir = join(await tempDir('results'), run!.run_id);
    const executor = new RecordingExecutor();
    const execution: Execution = { name: 'local', slots, executorFor: () => executor };

    const dry = await planDryRun(env, { ...specLimits(spec), execution, smoke, python: 'python3' }, run!, runDir);
    expect(existsSync(runDir)).toBe(false);
    expect(executor.specs).toEqual([]);

    const settings = runSettingsOf(spec, { python: { python: 'python3', torchVersion: 'test' }, execution, smoke, signal: new AbortController().signal });
    const summary = await runPlanned(env, settings, run!, runDir, { agent: builtinAgent('reference', cache), model: null, budget: {} });
    expect(summary.nodes).toBe(2);

    const node1 = executor.specs.filter((s) => s.node === 1);
    expect(node1).toHaveLength(1);
    const { signal, onLine, ...received } = node1[0]!;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(onLine).toBeTypeOf('function');
    expect(received).toEqual(dry.spec);
    // And the plan it printed is the executor's own description of that spec.
    expect(await executor.describe(node1[0]!)).toEqual(dry.plan);
  });
});
