import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/core/paths.js';
import { benchFinished, killAndResumeBench, outcomes } from './helpers/bench-kill.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

const RECORD_2 = join(packageRoot, 'records', 'tiny', 'r02', 'train_gpt.py');

/** A bench of the built-in LLM agent (simulated model) and an exec agent, on the simulated executor. */
async function benchFile(dir: string): Promise<string> {
  const file = join(dir, 'mixed.yaml');
  await writeFile(
    file,
    [
      'tracks: [tiny]',
      'records: "1"',
      'hints: [none]',
      'agents:',
      '  - {name: llm, model: sim/a}',
      `  - {name: exec, cmd: "cp '${RECORD_2}' train_gpt.py && echo 'the next record' > notes.md"}`,
      'scaffolds: [flat]',
      'nodes: 2',
      'seeds: 1',
      'executor: sim',
      '',
    ].join('\n'),
  );
  return file;
}

describe('a bench mixing llm and exec agents', () => {
  it('resumes after kill -9 to the same results as a bench that was not killed', { timeout: 300_000 }, async () => {
    // Simulated trainings take a hundredth of their time, so the bench is still running when it is killed.
    const env = { SPEEDRUN_CACHE: await tempDir('mixed-cache'), SPEEDRUN_SIM_TIME_SCALE: '0.01' };
    const plainDir = await tempDir('mixed-plain');
    const plain = await speedrun(['bench', await benchFile(plainDir), '--out', join(plainDir, 'bench'), '--json'], env);
    expect(plain.exitCode, plain.stderr).toBe(0);
    const reference = benchFinished(plain.stdout)!;
    expect(reference.map((r) => r.status)).toEqual(['finished', 'finished']);

    const killedDir = await tempDir('mixed-killed');
    const out = join(killedDir, 'bench');
    const runs = await killAndResumeBench(await benchFile(killedDir), env, out);
    expect(outcomes(runs)).toEqual(outcomes(reference));
    const execRun = runs.find((r) => r.run_id.includes('-exec-'))!;
    const node1 = JSON.parse(await readFile(join(out, execRun.run_id, 'nodes', '1', 'result.json'), 'utf8'));
    expect(node1).toMatchObject({ status: 'ok', note: 'the next record' });
  });
});
