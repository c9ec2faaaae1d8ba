import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/core/paths.js';
import { BIN, speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

interface BenchRun {
  run_id: string;
  status: string;
  fsr: number | null;
  best: { node: number } | null;
}

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

function finished(stdout: string): BenchRun[] | null {
  const last = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; runs?: BenchRun[] })
    .find((e) => e.type === 'bench-finished');
  return last?.runs ?? null;
}

describe('a bench mixing llm and exec agents', () => {
  it('resumes after kill -9 to the same results as a bench that was not killed', { timeout: 300_000 }, async () => {
    // Simulated trainings take a hundredth of their time, so the bench is still running when it is killed.
    const env = { SPEEDRUN_CACHE: await tempDir('mixed-cache'), SPEEDRUN_SIM_TIME_SCALE: '0.01' };
    const plainDir = await tempDir('mixed-plain');
    const plain = await speedrun(['bench', await benchFile(plainDir), '--out', join(plainDir, 'bench'), '--json'], env);
    expect(plain.exitCode, plain.stderr).toBe(0);
    const reference = finished(plain.stdout)!;
    expect(reference.map((r) => r.status)).toEqual(['finished', 'finished']);

    const killedDir = await tempDir('mixed-killed');
    const out = join(killedDir, 'bench');
    const child = execa('node', [BIN, 'bench', await benchFile(killedDir), '--out', out, '--json'], { env, extendEnv: true, reject: false, stdin: 'ignore' });
    let killed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      // Once the first run has finished: mid-bench.
      if (!killed && /"type":"run-finished"/.test(String(chunk))) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    const first = await child;
    expect(killed).toBe(true);
    expect(finished(String(first.stdout))).toBeNull();

    const resumed = await speedrun(['bench', '--resume', out, '--json'], env);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const runs = finished(resumed.stdout)!;
    expect(runs.map((r) => [r.run_id, r.status, r.best?.node ?? null, r.fsr])).toEqual(reference.map((r) => [r.run_id, r.status, r.best?.node ?? null, r.fsr]));
    const execRun = runs.find((r) => r.run_id.includes('-exec-'))!;
    const node1 = JSON.parse(await readFile(join(out, execRun.run_id, 'nodes', '1', 'result.json'), 'utf8'));
    expect(node1).toMatchObject({ status: 'ok', note: 'the next record' });
  });
});
