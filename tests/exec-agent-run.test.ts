import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/core/paths.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const RECORD_2 = join(packageRoot, 'records', 'tiny', 'r02', 'train_gpt.py');

/** `speedrun run --agent exec` on the tiny track, trained by the simulated executor (no torch needed). */
async function execRun(command: string | null, extra: string[] = []) {
  const dir = await tempDir('exec-run');
  const commandFlags = command === null ? [] : ['--agent-cmd', command];
  const args = ['run', '--track', 'tiny', '--record', '1', '--agent', 'exec', ...commandFlags, '--executor', 'sim', '--out', dir, '--json', ...extra];
  const ran = await speedrun(args, { SPEEDRUN_CACHE: join(dir, 'cache') });
  return { ran, summary: ran.stdout ? JSON.parse(ran.stdout) : null };
}

async function nodeResult(summary: { results_dir: string }, node: number) {
  return JSON.parse(await readFile(join(summary.results_dir, 'nodes', String(node), 'result.json'), 'utf8'));
}

describe('speedrun run --agent exec', () => {
  it('trains and scores the script a command leaves in its workspace, with its note', async () => {
    const { ran, summary } = await execRun(`cp '${RECORD_2}' train_gpt.py && echo 'applied the next record' > notes.md`);
    expect(ran.exitCode).toBe(0);
    expect(summary).toMatchObject({ status: 'finished', best: { node: 1 } });
    expect(summary.fsr).toBeGreaterThan(0.6);
    expect(await nodeResult(summary, 1)).toMatchObject({ status: 'ok', measured_by: 'executed', note: 'applied the next record' });
    const run = JSON.parse(await readFile(join(summary.results_dir, 'run.json'), 'utf8'));
    expect(run.config.agent_config).toMatchObject({ name: 'exec', sandbox: 'none (local)' });
  });

  it('ends a failing command’s node agent-failed and goes on to the next node', async () => {
    // Fails on node 1, edits on node 2: the scaffold goes on after the failure.
    const command = `if [ "$SPEEDRUN_NODE" = 1 ]; then echo 'cannot think' >&2; exit 2; fi; cp '${RECORD_2}' train_gpt.py`;
    const { ran, summary } = await execRun(command, ['--nodes', '2']);
    expect(ran.exitCode).toBe(0);
    expect(await nodeResult(summary, 1)).toMatchObject({ status: 'agent-failed', measured_by: 'not-run' });
    expect((await nodeResult(summary, 1)).error).toMatch(/exited with code 2; its stderr ends:\ncannot think/);
    expect(await nodeResult(summary, 2)).toMatchObject({ status: 'ok' });
    expect(await readFile(join(summary.results_dir, 'nodes', '1', 'agent-stderr.log'), 'utf8')).toBe('cannot think\n');
  });

  it('says what is missing without a command', async () => {
    const { ran } = await execRun(null);
    expect(ran.exitCode).toBe(2);
    expect(ran.stderr).toMatch(/--agent exec needs --agent-cmd/);
  });
});
