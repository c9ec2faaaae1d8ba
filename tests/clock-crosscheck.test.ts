import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Executor } from '../src/core/exec/types.js';
import { DockerExecutor } from '../src/core/exec/docker/docker-executor.js';
import { LocalExecutor } from '../src/core/exec/local.js';
import { checkStepClock, MAX_UNDERREPORT_FACTOR, StepClock } from '../src/core/measure/step-clock.js';
import { executeNode } from '../src/core/train/execute-node.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { CPU_IMAGE, dockerForTests } from './helpers/docker.js';
import { scriptedAgent } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/**
 * A fake training script that prints six step lines 0.6 s apart (3 s of wall time between the first and last)
 * and reports `msPerStep` of train_time per step: 600 is honest, 5 under-reports by a factor of over 100.
 */
function steppingScript(msPerStep: number): string {
  return [
    'import time',
    'for i in range(6):',
    '    if i: time.sleep(0.6)',
    `    print(f"step:{i * 10}/50 val_loss:{3.5 - 0.4 * i:.4f} train_time:{i * ${msPerStep}}ms step_avg:1.00ms", flush=True)`,
    '',
  ].join('\n');
}

async function execute(script: string, executor: Executor = new LocalExecutor()) {
  const dir = await tempDir('clock');
  const path = join(dir, 'train_gpt.py');
  await writeFile(path, script);
  return executeNode({
    runId: 'test', node: 1, parent: 0, operator: 'draft', scriptPath: path, scriptSha256: 'x', workDir: dir, executor,
    launch: { runner: 'python', nproc: 1, timeoutMs: 30_000, python: 'python3', env: {}, readOnlyDirs: [] },
    timing: { target: 3.0, rule: 'first-crossing' },
  });
}

describe('the step-line clock cross-check', () => {
  const arrivals = (reportedMs: number, observedMs: number) => [
    { step: 0, train_time_ms: 0, at_ms: 1_000 },
    { step: 10, train_time_ms: reportedMs / 2, at_ms: 1_000 + observedMs / 2 },
    { step: 20, train_time_ms: reportedMs, at_ms: 1_000 + observedMs },
  ];

  it('flags a reported interval more than the allowed factor smaller than the observed one', () => {
    const [finding] = checkStepClock(arrivals(1_000, 1_000 * MAX_UNDERREPORT_FACTOR + 1));
    expect(finding).toMatchObject({ rule: 'clock_crosscheck', severity: 'flag', lines: [] });
    expect(finding!.message).toMatch(/between step 0 and step 20 the script reports 1000 ms of train_time, but the harness saw 10001 ms/);
  });

  it('accepts untimed validation and a CPU-time clock within the factor, short runs, and over-reporting', () => {
    expect(checkStepClock(arrivals(3_000, 9_000))).toEqual([]);
    expect(checkStepClock(arrivals(1_000, 1_000 * MAX_UNDERREPORT_FACTOR))).toEqual([]);
    expect(checkStepClock(arrivals(10, 1_900))).toEqual([]);
    expect(checkStepClock(arrivals(60_000, 5_000))).toEqual([]);
    expect(checkStepClock(arrivals(0, 0).slice(0, 1))).toEqual([]);
  });

  it('starts the interval over where train_time goes back (the warm-up reset)', () => {
    let now = 0;
    const clock = new StepClock(() => now);
    clock.note(0, 0);
    now = 60_000; // a long untimed warm-up, then the timer is reset
    clock.note(5, 50);
    clock.note(0, 0);
    now = 63_000;
    clock.note(10, 2_900);
    clock.note(11, null);
    expect(clock.findings()).toEqual([]);
  });

  it('flags a real process that under-reports its train_time, and not one that reports honestly', { timeout: 30_000 }, async () => {
    const cheat = await execute(steppingScript(5));
    expect(cheat.status).toBe('ok');
    expect(cheat.integrity).toMatchObject({ verdict: 'flag', baseline_sha256: null, findings: [{ rule: 'clock_crosscheck', severity: 'flag', excerpt: [] }] });

    const honest = await execute(steppingScript(600));
    expect(honest.status).toBe('ok');
    expect(honest.integrity).toBeNull();
  });

  it('flags under-reporting inside a container too: the docker executor streams lines as they are printed', { timeout: 60_000 }, async () => {
    const docker = new DockerExecutor(await dockerForTests(), { image: CPU_IMAGE, compileCacheDir: await tempDir('clock-cache') });
    const cheat = await execute(steppingScript(5), docker);
    expect(cheat.status).toBe('ok');
    expect(cheat.integrity?.findings.map((f) => f.rule)).toEqual(['clock_crosscheck']);
    expect((await execute(steppingScript(600), docker)).integrity).toBeNull();
  });

  it('makes no claim where the executor does not stream lines as they are printed', { timeout: 30_000 }, async () => {
    const local = new LocalExecutor();
    const polled: Executor = { name: 'polled', run: (spec) => local.run(spec) };
    expect((await execute(steppingScript(5), polled)).integrity).toBeNull();
  });

  it('keeps a flagged node valid in a run: recorded, listed in the summary, shown beside the score but never claimed', { timeout: 60_000 }, async () => {
    const agent = scriptedAgent(() => ({ ok: true, script: steppingScript(5), note: 'under-reports' }));
    const summary = await runSearch(await tinySearch({ agent, scaffold: makeScaffold('flat', { nodes: 1 }) }));
    expect(summary.integrity).toEqual({ rejected: [], flagged: [1] });
    expect(summary.best?.node).toBe(0);
    expect(summary.fsr).toBe(0);
    expect(summary.flagged_best).toMatchObject({ node: 1, flags: [expect.stringMatching(/^flag clock_crosscheck/)] });
  });
});
