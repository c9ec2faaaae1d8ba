import { execa } from 'execa';
import { expect } from 'vitest';
import { BIN, speedrun } from './cli.js';

export interface BenchRun {
  run_id: string;
  status: string;
  fsr: number | null;
  best: { node: number } | null;
}

/** The runs of the bench-finished event in `bench --json` output; null when the bench never finished. */
export function benchFinished(stdout: string): BenchRun[] | null {
  const last = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; runs?: BenchRun[] })
    .find((e) => e.type === 'bench-finished');
  return last?.runs ?? null;
}

/**
 * Runs `bench SPEC` with `kill -9` at the first event `killAt` matches (default: the first run finished, so
 * mid-bench), checks that it never finished, then resumes it to the end and returns the resumed bench's runs.
 * `options` go to both commands (e.g. --config).
 */
export async function killAndResumeBench(
  spec: string,
  env: Record<string, string>,
  out: string,
  opts: { options?: string[]; killAt?: RegExp } = {},
): Promise<BenchRun[]> {
  const { options = [], killAt = /"type":"run-finished"/ } = opts;
  const resumed = await killAndResume(['bench', spec, ...options, '--out', out, '--json'], ['bench', '--resume', out, ...options, '--json'], env, killAt);
  return benchFinished(resumed)!;
}

/**
 * Runs the command `first` (which prints NDJSON) with `kill -9` at the first event `killAt` matches, checks that it
 * never finished its bench, then runs `resume` to the end and returns what that printed on stdout.
 */
export async function killAndResume(first: string[], resume: string[], env: Record<string, string>, killAt: RegExp): Promise<string> {
  const child = execa('node', [BIN, ...first], { env, extendEnv: true, reject: false, stdin: 'ignore' });
  let killed = false;
  let seen = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    seen += String(chunk);
    if (!killed && killAt.test(seen)) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  const killedRun = await child;
  expect(killed, String(killedRun.stderr)).toBe(true);
  expect(benchFinished(String(killedRun.stdout))).toBeNull();
  const resumed = await speedrun(resume, env);
  expect(resumed.exitCode, resumed.stderr).toBe(0);
  return resumed.stdout;
}

/** What must match between a bench and the same bench killed and resumed: each run's outcome and score. */
export function outcomes(runs: BenchRun[]): Array<[string, string, number | null, number | null]> {
  return runs.map((r) => [r.run_id, r.status, r.best?.node ?? null, r.fsr]);
}
