import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTasks, loadTrack } from '../src/core/catalog/catalog.js';
import { NodeResult } from '../src/core/store/schema.js';
import { VerificationFile } from '../src/core/store/verification-file.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// End to end on the real tiny track: a bench of one reference run, verified at its end with real PyTorch training.
describe('speedrun bench --verify and speedrun verify on the tiny track', () => {
  let env: Record<string, string>;
  let out: string;
  let record: number;

  beforeAll(async () => {
    // The last task has the fastest records, which keeps the test short.
    record = listTasks(await loadTrack('tiny')).at(-1)!.record;
    env = { SPEEDRUN_CACHE: await tempDir('verify-cache') };
    out = join(await tempDir('verify-bench'), 'bench');
  });

  it("verifies the reference agent's next record: p-value, mean ± sd times, a verified FSR", { timeout: 600_000 }, async () => {
    const bench = await speedrun(
      [
        'bench',
        '--track',
        'tiny',
        '--records',
        String(record),
        '--agents',
        'reference',
        '--nodes',
        '1',
        '--retime-repeats',
        '1',
        '--verify',
        '2',
        '--out',
        out,
      ],
      env,
    );
    expect(bench.exitCode, bench.stderr).toBe(0);
    expect(bench.stdout).toMatch(/verified\s+FSR verified/);

    const runDir = join(out, (await readFile(join(out, 'bench.json'), 'utf8')).match(/"run_ids": \[\s*"([^"]+)"/)![1]!);
    // The audit ran on the legitimate next record and found nothing.
    const node = NodeResult.parse(JSON.parse(await readFile(join(runDir, 'nodes', '1', 'result.json'), 'utf8')));
    expect(node.integrity).toMatchObject({ verdict: 'ok', findings: [] });

    const file = VerificationFile.parse(JSON.parse(await readFile(join(runDir, 'verification.json'), 'utf8')));
    expect(file).toMatchObject({ status: 'verified', node: 1, repeats: 2 });
    expect(file.runs.map((r) => `${r.script}-${r.repeat}`)).toEqual(['baseline-1', 'node-1', 'baseline-2', 'node-2']);
    expect(file.node_stats!.p_value).toBeLessThan(0.01);
    expect(file.node_stats!.mean_time_ms).toBeLessThan(file.baseline_stats!.mean_time_ms!);
    expect(file.fsr_verified).toBeGreaterThan(0);

    // `speedrun verify` on the same folder finds the verification done and prints it (no training again).
    const again = await speedrun(['verify', out, '--repeats', '2', '--json'], env);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).runs).toEqual([file]);
  });

  it('refuses fewer than two repeats and a folder without runs, with a fix', async () => {
    const one = await speedrun(['verify', out, '--repeats', '1'], env);
    expect(one.exitCode).toBe(2);
    expect(one.stderr).toMatch(/at least 2/);
    const empty = await speedrun(['verify', await tempDir('verify-empty')], env);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/no finished run under .*\nfix: /);
  });
});
