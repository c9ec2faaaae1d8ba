import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { ExternalError } from '../errors.js';
import { packageRoot } from '../paths.js';

/**
 * A script's meaning as a hash (python/script_meaning.py: Python's own ast with comments, formatting and docstrings
 * dropped); null when the script does not parse. Two scripts with the same meaning train the same way, so the run
 * engine measures a meaning once: a no-op edit of any node is a duplicate of it, and scores exactly what it did.
 */
export type ScriptMeaning = (script: string) => Promise<string | null>;

export const SCRIPT_MEANING = join(packageRoot, 'python', 'script_meaning.py');

const Output = z.object({
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
});

/** The shipped normaliser on the given interpreter (standard library only, no torch needed). */
export function pythonScriptMeaning(python: string, timeoutMs = 60_000): ScriptMeaning {
  return async (script) => {
    const result = await execa(python, [SCRIPT_MEANING], { input: script, reject: false, timeout: timeoutMs });
    const fix = 'pass a working Python 3.9+ interpreter with --python';
    if (result.exitCode !== 0) {
      const why = result.timedOut
        ? `timed out after ${timeoutMs} ms`
        : `exited with ${result.exitCode ?? 'no status'}: ${
            String(result.stderr ?? '')
              .trim()
              .split('\n')
              .at(-1) ?? ''
          }`;
      throw new ExternalError('python', `script_meaning.py ${why} (${python})`, fix);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(result.stdout));
    } catch {
      throw new ExternalError('python', `script_meaning.py printed no JSON: ${String(result.stdout).slice(0, 200)}`, fix);
    }
    const output = Output.safeParse(parsed);
    if (!output.success) throw new ExternalError('python', `script_meaning.py printed unexpected JSON: ${output.error.message}`, fix);
    return output.data.sha256;
  };
}

/** One call per distinct script text: a run asks about the same scripts again and again. */
export function cachedMeaning(meaning: ScriptMeaning): ScriptMeaning {
  const seen = new Map<string, Promise<string | null>>();
  return (script) => {
    let known = seen.get(script);
    if (!known) {
      known = meaning(script);
      // A failure is not remembered: the next ask tries again.
      known.catch(() => seen.delete(script));
      seen.set(script, known);
    }
    return known;
  };
}
