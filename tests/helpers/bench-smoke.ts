import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('../../bench/', import.meta.url));

export interface BenchSmoke {
  exitCode: number | undefined;
  output: string;
  /** The benchmark's closing `BENCH_RESULT {...}` line, parsed (null when it printed none). */
  result: Record<string, unknown> | null;
}

/** Runs `bench/<name>.bench.mjs` in its smoke mode (toy sizes, same code path) against the built dist/. */
export async function runBenchSmoke(name: string, timeout = 240_000): Promise<BenchSmoke> {
  const run = await execa('node', ['--expose-gc', `${BENCH_DIR}${name}.bench.mjs`], {
    env: { BENCH_SMOKE: '1' },
    reject: false,
    all: true,
    timeout,
    stdin: 'ignore',
  });
  const line = run.all
    .split('\n')
    .filter((l) => l.startsWith('BENCH_RESULT '))
    .at(-1);
  return { exitCode: run.exitCode, output: run.all, result: line ? (JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, unknown>) : null };
}

/** A positive, finite number (a time, a size or a ratio). */
export const positive = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;
