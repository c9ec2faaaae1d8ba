import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DryRun } from '../src/core/plan/dry-run.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// --dry-run through the built binary: node 1 prepared, the executor's plan printed, nothing created or trained.
describe('speedrun run --dry-run', () => {
  let env: Record<string, string>;
  let out: string;

  beforeAll(async () => {
    env = { SPEEDRUN_CACHE: await tempDir('cache') };
    out = await tempDir('results');
  });

  async function dryRun(...extra: string[]): Promise<DryRun> {
    const result = await speedrun(['run', '--track', 'tiny', '--record', '2', '--agent', 'reference', '--dry-run', '--json', '--out', out, ...extra], env);
    expect(result.exitCode, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as DryRun;
  }

  it('shows the script diff, the smoke rewrite, the command, the environment and the folders (local)', { timeout: 60_000 }, async () => {
    const dry = await dryRun('--smoke', '5');
    expect(dry.script_diff).toMatch(/^\+\+\+ node 1/m);
    expect(dry.smoke_diff).toMatch(/^\+\s+num_iterations = 5$/m);
    expect(dry.executor).toBe('local');
    expect(dry.plan.command.at(-1)).toMatch(/nodes\/1\/train_gpt\.smoke\.py$/);
    // The spec the executor would receive is printed too; the command is the executor's reading of it.
    expect(dry.spec).toMatchObject({ runId: dry.run_id, node: 1, runner: 'python', nproc: 1, gpus: [] });
    expect(dry.plan.command.at(-1)).toBe(dry.spec.scriptPath);
    expect(dry.plan.command.join(' ')).toMatch(/launch_with_parent_death\.py/);
    expect(dry.plan.env.NANOGPT_VAL_TOKENS).toMatch(/^\d+$/);
    expect(dry.plan.mounts.filter((m) => m.readOnly).map((m) => m.host)).toEqual([`${env.SPEEDRUN_CACHE}/data/tiny`]);
    expect(dry.notes).toEqual([]);
    expect(dry.scoring).toMatch(/first val line ≤ 1.9; a smoke run is never scored/);
    // Node 1 (record 3's script) audited against the task before anything trains: record 3 is the task's own change.
    expect(dry.audit).toMatchObject({ verdict: 'ok', findings: [] });
    // Nothing of the run exists.
    expect(existsSync(`${out}/${dry.run_id}`)).toBe(false);
  });

  it('shows the container the docker executor would create, with the data read-only inside it', { timeout: 60_000 }, async () => {
    const dry = await dryRun('--executor', 'docker');
    expect(dry.plan.command).toEqual(['python3', expect.stringMatching(/train_gpt\.py$/)]);
    expect(dry.plan.details.join('\n')).toMatch(/image speedrun\/cpu:\d+.*\n.*network none/);
    expect(dry.plan.mounts).toContainEqual({ host: `${env.SPEEDRUN_CACHE}/data/tiny`, target: expect.stringMatching(/^\//), readOnly: true });
    expect(dry.plan.env.NANOGPT_TRAIN_FILES).not.toContain(env.SPEEDRUN_CACHE!);
  });

  it('shows the batch script the slurm executor would submit', { timeout: 60_000 }, async () => {
    const dry = await dryRun('--executor', 'slurm');
    expect(dry.plan.details.join('\n')).toMatch(/#SBATCH/);
    expect(dry.plan.details.join('\n')).toMatch(/exec .*train_gpt\.py/);
  });

  it('prints a readable plan without --json', async () => {
    const result = await speedrun(['run', '--track', 'tiny', '--record', '2', '--agent', 'null', '--dry-run', '--out', out], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/nothing was created or started/);
    expect(result.stdout).toMatch(/^command: \S+python\S* /m);
    expect(result.stdout).toMatch(/^ {2}read-only {2}\S+data\/tiny$/m);
    expect(result.stdout).toMatch(
      /^scoring: .*node 0 \(record 2\) trains first, and after the search a scoring round trains the best node, record 2 and record 3 3 times each/m,
    );
    expect(result.stdout).toMatch(/^audit of node 1: ok \(no findings\)$/m);
  });
});
