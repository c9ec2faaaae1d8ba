import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

describe('speedrun bench --executor sim', () => {
  it('runs a simulated model on simulated 8-GPU slots through the real bench, store and journal, then resumes it as finished', async () => {
    const out = join(await tempDir('sim-cli'), 'bench');
    const args = [
      'bench',
      '--out',
      out,
      '--records',
      '1',
      '--agents',
      'llm:sim/a',
      '--executor',
      'sim',
      '--gpus',
      '0-15',
      '--gpus-per-run',
      '8',
      '--nodes',
      '3',
      '--seeds',
      '2',
      '--parallel',
      '2',
      '--json',
    ];
    // No nvidia-smi is consulted for simulated GPUs: a path that cannot run proves it.
    const env = { SPEEDRUN_CACHE: join(out, '..', 'cache'), SPEEDRUN_NVIDIA_SMI: '/nonexistent/nvidia-smi' };
    const first = await speedrun(args, env);
    expect(first.stderr).toMatch(/executor: sim, 2 slots of 8 GPUs: \[0,1,2,3,4,5,6,7\] \[8,9,10,11,12,13,14,15\]/);
    expect(first.exitCode).toBe(0);
    const events = first.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; runs?: Array<{ run_id: string; status: string }> });
    const finished = events.find((e) => e.type === 'bench-finished')!;
    expect(finished.runs!.map((r) => r.status)).toEqual(['finished', 'finished']);

    const runDir = join(out, finished.runs![0]!.run_id);
    const node1 = JSON.parse(await readFile(join(runDir, 'nodes', '1', 'result.json'), 'utf8'));
    // The simulated model's script passed the real integrity audit and trained on one slot's GPUs.
    expect(node1).toMatchObject({ measured_by: 'executed', integrity: { verdict: 'ok' } });
    expect(['ok', 'crashed', 'missed-target']).toContain(node1.status);
    expect(await readFile(join(runDir, 'nodes', '1', 'stdout.log'), 'utf8')).toMatch(/^step:10\/10 val_loss:/m);
    const journal = (await readFile(join(runDir, 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).type);
    expect(journal[0]).toBe('run-started');
    expect(journal.at(-1)).toBe('run-finished');

    const resumed = await speedrun(['bench', '--resume', out, '--json'], env);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stdout).not.toMatch(/"type":"node-created"/);
  }, 300_000);
});
