import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { z } from 'zod';
import { UserError } from '../errors.js';

/** A run whose folder holds a file that does not read back (truncated, edited by hand, from another version). */
export interface DamagedRun {
  /** The run folder. */
  dir: string;
  /** The file that failed, relative to the run folder (e.g. nodes/1/result.json). */
  file: string;
  reason: string;
}

/**
 * Thrown by the store's readers for a file that is there but does not read back. Commands that walk many runs
 * (report, bench --resume, verify, the TUI's results) list the run as damaged and go on with the rest.
 */
export class DamagedRunError extends UserError {
  constructor(readonly damage: DamagedRun) {
    super(
      `damaged run ${damage.dir}: ${damage.file}: ${damage.reason}`,
      `repair or delete ${damage.file} (or the whole run folder); the other runs are not affected`,
    );
  }
}

/** "nodes/1/result.json: …" for a list of damaged runs, one line each. */
export function formatDamaged(damage: DamagedRun): string {
  return `${damage.dir}: ${damage.file}: ${damage.reason}`;
}

/**
 * A JSON file of a run folder parsed by its schema; undefined when the file does not exist. A file that cannot be
 * read, is not JSON or does not fit the schema throws DamagedRunError naming it. Read synchronously, as the store
 * writes (fs-atomic.ts): a report reads some 150,000 of these small files at the paper's scale.
 */
export async function readStoreJson<S extends z.ZodType>(runDir: string, path: string, schema: S): Promise<z.infer<S> | undefined> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw damaged(runDir, path, (error as Error).message);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw damaged(runDir, path, text.trim() === '' ? 'empty file' : `not valid JSON (${(error as Error).message}); the file may be truncated`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw damaged(runDir, path, `does not fit its schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function damaged(runDir: string, path: string, reason: string): DamagedRunError {
  return new DamagedRunError({ dir: runDir, file: relative(runDir, path) || basename(path), reason });
}
