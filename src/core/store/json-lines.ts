import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { UserError } from '../errors.js';

/**
 * The records of a JSON-lines file (call transcripts), in order. A line that is not `what` is refused, naming the
 * file and line, with `fix` as the way out: a transcript is evidence and is never read around.
 */
export function parseJsonLines<T>(text: string, file: string, schema: z.ZodType<T>, what: string, fix: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = schema.safeParse(jsonOrNull(line));
      if (!parsed.success) throw new UserError(`${file}:${i + 1} is not ${what}`, fix);
      return parsed.data;
    });
}

/** parseJsonLines of a file; [] when the file does not exist (no call was made). */
export function readJsonLines<T>(file: string, schema: z.ZodType<T>, what: string, fix: string): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseJsonLines(text, file, schema, what, fix);
}

function jsonOrNull(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
