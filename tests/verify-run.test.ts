import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/core/exec/local.js';
import { SlotPool } from '../src/core/exec/slot-pool.js';
import type { ScriptChecker } from '../src/core/search/integrity-gate.js';
import { runSearch } from '../src/core/search/run-engine.js';
import { makeScaffold } from '../src/core/search/scaffolds/index.js';
import { VerificationFile } from '../src/core/store/verification-file.js';
import { verifyRun } from '../src/core/verify/verify-run.js';
import { fakeTrainingScript, scriptedAgent } from './helpers/scripted-agent.js';
import { tinySearch } from './helpers/search-fixtures.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/** Prints a finished tiny-format run whose train_time and final val loss are Python expressions. */
const printRun = (timeExpr: string, lossExpr: string) => [
  'print("step:0/10 val_loss:3.0000 train_time:0ms step_avg:nanms", flush=True)',
  `print(f"step:10/10 val_loss:{${lossExpr}:.4f} train_time:{${timeExpr}}ms step_avg:1.00ms", flush=True)`,
];

/**
 * A speedup that does not reproduce: fast only when a marker file outside every node folder is absent. It stands
 * for any gain that depends on state an earlier run left behind (a warm cache, a file from a lucky first run):
 * the search's training leaves the marker, so every verification repeat, in its fresh folder, is slow.
 */
function fastOnce(marker: string): string {
  return [
    'import os',
    `MARKER = ${JSON.stringify(marker)}`,
    'first = not os.path.exists(MARKER)',
    'open(MARKER, "a").close()',
    ...printRun('5000 if first else 40000', '1.85'),
    '',
  ].join('\n');
}

/** Below the target on average but too noisy for the t-test: the n-th run's loss comes from a counter file. */
function noisyLoss(counter: string): string {
  return [
    'import os',
    `COUNTER = ${JSON.stringify(counter)}`,
    'n = int(open(COUNTER).read()) if os.path.exists(COUNTER) else 0',
    'open(COUNTER, "w").write(str(n + 1))',
    ...printRun('20000', '[1.85, 1.88, 1.70, 1.899][n % 4]'),
    '',
  ].join('\n');
}

/** A finished run whose only agent node is `script`, then its verification against a fake baseline record. */
async function searchAndVerify(script: string, repeats = 3) {
  const runDir = join(await tempDir('verify'), 'run');
  const agent = scriptedAgent(() => ({ ok: true, script, note: 'candidate' }));
  const summary = await runSearch(await tinySearch({ runDir, agent, scaffold: makeScaffold('flat', { nodes: 1 }) }));
  const seen: string[] = [];
  const verify = () =>
    verifyRun({
      runDir,
      repeats,
      alpha: 0.01,
      timing: { target: 1.9, rule: 'first-crossing' },
      baselineScript: fakeTrainingScript({ timeMs: 36_000, finalLoss: 1.88, tag: 'baseline record' }),
      executor: new LocalExecutor(),
      slots: new SlotPool(1),
      launch: { runner: 'python', nproc: 1, timeoutMs: 30_000, python: 'python3', env: {}, readOnlyDirs: [] },
      onRepeat: (r) => seen.push(`${r.script}-${r.repeat}`),
    });
  const file = await verify();
  const onDisk = VerificationFile.parse(JSON.parse(await readFile(join(runDir, 'verification.json'), 'utf8')));
  expect(onDisk).toEqual(file);
  return { summary, file, seen, verify };
}

describe('verification runs', () => {
  it('verifies a speedup that reproduces, with interleaved repeats, p-value and verified score', { timeout: 60_000 }, async () => {
    const { summary, file, seen } = await searchAndVerify(fakeTrainingScript({ timeMs: 20_000, finalLoss: 1.85 }));
    expect(summary.best?.node).toBe(1);
    expect(seen).toEqual(['baseline-1', 'node-1', 'baseline-2', 'node-2', 'baseline-3', 'node-3']);
    expect(file).toMatchObject({ status: 'verified', reasons: [], node: 1, repeats: 3, alpha: 0.01 });
    expect(file.node_stats).toMatchObject({ times_ms: [20_000, 20_000, 20_000], mean_time_ms: 20_000, sd_time_ms: 0, val_losses: [1.85, 1.85, 1.85] });
    expect(file.node_stats!.p_value).toBeLessThan(1e-6);
    expect(file.baseline_stats).toMatchObject({ mean_time_ms: 36_000 });
    // Same speedup as claimed (20 s against 36 s), so the verified score equals the claimed one.
    expect(file.fsr_verified).toBeCloseTo(file.fsr_claimed!, 10);
    // Each training ran in a fresh folder of its own.
    expect(new Set(file.runs.map((r) => r.dir)).size).toBe(6);
  });

  it('does not verify a run twice with the same node, script, repeats and alpha', { timeout: 60_000 }, async () => {
    const { file, seen, verify } = await searchAndVerify(fakeTrainingScript({ timeMs: 20_000, finalLoss: 1.85 }), 2);
    expect(await verify()).toEqual(file);
    expect(seen).toHaveLength(4);
  });

  it('marks unverified a node that was fast only on its first run', { timeout: 60_000 }, async () => {
    const marker = join(await tempDir('marker'), 'speedup-seen');
    const { summary, file } = await searchAndVerify(fastOnce(marker));
    expect(summary.best).toMatchObject({ node: 1, train_time_ms: 5_000 });
    expect(summary.fsr).toBeGreaterThan(1);
    expect(file.status).toBe('unverified');
    expect(file.node_stats?.mean_time_ms).toBe(40_000);
    expect(file.reasons.join('\n')).toMatch(/mean time 40000 ms is not below the baseline record's 36000 ms/);
    expect(file.fsr_verified).toBe(0);
  });

  it('marks unverified a node whose val loss is below the target only by noise', { timeout: 60_000 }, async () => {
    const counter = join(await tempDir('counter'), 'runs');
    const { file } = await searchAndVerify(noisyLoss(counter));
    expect(file.status).toBe('unverified');
    expect(file.node_stats?.val_losses).toEqual([1.88, 1.7, 1.899]);
    expect(file.node_stats?.p_value).toBeGreaterThan(0.05);
    expect(file.node_stats?.df).toBe(2);
    expect(file.reasons).toEqual([expect.stringMatching(/is not below the target 1.9 at p < 0.01 \(p = 0\.\d+\)/)]);
  });

  it("writes a baseline verdict, training nothing, when the run's best node is the record itself", { timeout: 60_000 }, async () => {
    const { file, seen } = await searchAndVerify(fakeTrainingScript({ timeMs: 50_000 }), 2);
    expect(file).toMatchObject({ status: 'baseline', node: null, runs: [], fsr_verified: 0 });
    expect(seen).toEqual([]);
  });
});

describe('verification of a flagged node faster than the claimed best', () => {
  /** Node 1 is `flagged` (the checker flags its marker), node 2 a clean, slower reproducible speedup. */
  async function flaggedRun(flagged: string) {
    const runDir = join(await tempDir('verify-flagged'), 'run');
    const scripts = [flagged, fakeTrainingScript({ timeMs: 25_000, finalLoss: 1.85, tag: 'clean' })];
    const agent = scriptedAgent((input) => ({ ok: true, script: scripts[input.node - 1]!, note: `node ${input.node}` }));
    const checkScript: ScriptChecker = async ({ script }) =>
      script.includes('FLAGGED')
        ? { verdict: 'flag', findings: [{ rule: 'file_io', severity: 'flag', lines: [1], message: 'file access not in the baseline' }] }
        : { verdict: 'ok', findings: [] };
    const summary = await runSearch(await tinySearch({ runDir, agent, scaffold: makeScaffold('flat', { nodes: 2 }), checkScript }));
    const file = await verifyRun({
      runDir,
      repeats: 3,
      alpha: 0.01,
      timing: { target: 1.9, rule: 'first-crossing' },
      baselineScript: fakeTrainingScript({ timeMs: 36_000, finalLoss: 1.88, tag: 'baseline record' }),
      executor: new LocalExecutor(),
      slots: new SlotPool(1),
      launch: { runner: 'python', nproc: 1, timeoutMs: 30_000, python: 'python3', env: {}, readOnlyDirs: [] },
    });
    return { summary, file };
  }

  it('tries the flagged node first and clears its flags when it reproduces in fresh folders', { timeout: 90_000 }, async () => {
    const { summary, file } = await flaggedRun(`# FLAGGED\n${fakeTrainingScript({ timeMs: 20_000, finalLoss: 1.85 })}`);
    expect(summary).toMatchObject({ best: { node: 2 }, flagged_best: { node: 1 } });
    expect(file).toMatchObject({ status: 'verified', node: 1, attempts: [], cleared_flags: ['flag file_io (line 1): file access not in the baseline'] });
    expect(file.fsr_verified).toBeCloseTo(summary.flagged_best!.fsr!, 10);
  });

  it('falls back to the claimed best when the flagged node does not reproduce, keeping the failed try on record', { timeout: 90_000 }, async () => {
    const marker = join(await tempDir('verify-marker'), 'marker');
    const { summary, file } = await flaggedRun(`# FLAGGED\n${fastOnce(marker)}`);
    expect(summary).toMatchObject({ best: { node: 2 }, flagged_best: { node: 1 } });
    expect(file).toMatchObject({ status: 'verified', node: 2, cleared_flags: [], attempts: [{ node: 1, status: 'unverified' }] });
    expect(file.runs.every((r) => r.dir.includes('node-2') || r.dir.includes('baseline-for-2'))).toBe(true);
  });
});
