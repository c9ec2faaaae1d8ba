import { afterAll, describe, expect, it } from 'vitest';
import type { Executor } from '../src/core/exec/types.js';
import { LocalExecutor } from '../src/core/exec/local.js';
import { checkStepClock, MAX_UNDERREPORT_FACTOR, StepClock } from '../src/core/measure/step-clock.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { execute, steppingScript } from './helpers/clock-scripts.js';
import { scriptedAgent } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs } from './helpers/temp.js';

afterAll(removeTempDirs);

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
