import { expect } from 'vitest';
import { join } from 'node:path';
import { speedrun } from './cli.js';
import { tempDir } from './temp.js';

/** The runs nullBench makes, by hint. */
export const NULL_BENCH_RUNS = { none: 'tiny-r5-none-null-flat-s1', L1: 'tiny-r5-L1-null-flat-s1' } as const;

/**
 * A real bench folder made by `speedrun bench` that trains nothing: two null-agent runs on tiny record 5 with the
 * record table's times, whose one node is the baseline's script again (a duplicate, not trained). Seconds to make.
 */
export async function nullBench(prefix: string): Promise<{ dir: string; env: Record<string, string> }> {
  const env = { SPEEDRUN_CACHE: await tempDir(`${prefix}-cache`) };
  const dir = join(await tempDir(prefix), 'bench');
  const made = await speedrun(
    [
      'bench',
      '--track',
      'tiny',
      '--records',
      '5',
      '--hints',
      'none,L1',
      '--agents',
      'null',
      '--scaffolds',
      'flat',
      '--nodes',
      '1',
      '--retime',
      'none',
      '--out',
      dir,
    ],
    env,
  );
  expect(made.exitCode, made.stderr).toBe(0);
  return { dir, env };
}
