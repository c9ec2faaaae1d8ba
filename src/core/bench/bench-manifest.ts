import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { readJsonIfPresent, writeJsonAtomic } from '../fs-atomic.js';
import { BENCH_FILE } from '../store/layout.js';
import { BenchSpec } from './bench-spec.js';

export const BenchManifest = z.object({
  version: z.literal(1),
  created_at: z.string(),
  spec: BenchSpec,
  run_ids: z.array(z.string()),
});
export type BenchManifest = z.infer<typeof BenchManifest>;

export async function readBenchManifest(dir: string): Promise<BenchManifest | null> {
  const raw = await readJsonIfPresent(join(dir, BENCH_FILE)).catch((error: unknown) => {
    // A truncated or hand-broken file is the user's to repair, not a bug.
    if (error instanceof SyntaxError)
      throw new UserError(`${join(dir, BENCH_FILE)} is damaged: not valid JSON (${error.message})`, 'restore it, or use another --out folder');
    throw error;
  });
  if (raw === undefined) return null;
  const parsed = BenchManifest.safeParse(raw);
  if (!parsed.success) throw new UserError(`${join(dir, BENCH_FILE)} is damaged: ${parsed.error.issues[0]?.message}`, 'use another --out folder');
  return parsed.data;
}

/**
 * Writes bench.json for a new bench, or checks that an existing folder holds this very bench (then it resumes).
 * A different bench in the same folder is refused rather than mixed in.
 */
export async function claimBenchFolder(dir: string, spec: BenchSpec, runIds: string[], now: Date): Promise<'new' | 'resume'> {
  const existing = await readBenchManifest(dir);
  if (existing) {
    if (!isDeepStrictEqual(existing.spec, spec)) {
      throw new UserError(`${dir} holds a different bench`, `resume it with \`speedrun bench --resume ${dir}\`, or pass another --out folder`);
    }
    return 'resume';
  }
  await writeJsonAtomic(join(dir, BENCH_FILE), { version: 1, created_at: now.toISOString(), spec, run_ids: runIds } satisfies BenchManifest);
  return 'new';
}
