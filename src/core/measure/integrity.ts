import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import type { TimingRule } from '../catalog/schema.js';
import { ExternalError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { FindingSchema, verdictOf, type IntegrityReport } from './integrity-report.js';

/**
 * Integrity of an edited record script (docs/architecture.md, "Measurement"): the agent edits the very file that prints the
 * metric, so each edit is compared with its baseline by python/integrity_check.py, which parses both with Python's
 * own `ast` (a TypeScript re-implementation of Python's grammar would be the weak point of the whole check).
 */

/** The checker ships next to the launcher; packageRoot is the same from src/ (tests) and dist/ (built). */
export const INTEGRITY_CHECKER = join(packageRoot, 'python', 'integrity_check.py');

export {
  FindingSchema,
  IntegrityReportSchema,
  SeveritySchema,
  VerdictSchema,
  verdictOf,
  type Finding,
  type IntegrityReport,
  type Severity,
  type Verdict,
} from './integrity-report.js';

const CheckerOutputSchema = z.object({ findings: z.array(FindingSchema) });

export interface CheckScriptInput {
  /** Source of the edited script. */
  script: string;
  /** Source of the script it was edited from (the record the task starts at). */
  baseline: string;
  /**
   * The task's true next record: a change it makes the same way is the task itself, flagged as the record's own
   * (`by_record`) instead of rejected. Absent: every change of a protected region is judged on its own.
   */
  reference?: string | null;
  /** Absolute path prefixes the track lets a script read (none by default: see python/integrity_files.py). */
  allowedPaths?: readonly string[];
  /** The track's timing rule: under first-crossing the validation schedule is protected too. */
  timingRule?: TimingRule;
  /** Any Python 3.9+ interpreter: the checker needs only the standard library, not torch. */
  python: string;
  timeoutMs?: number;
}

/** Runs the Python checker (request on stdin, JSON on stdout) and returns its findings with the verdict. */
export async function checkScript(input: CheckScriptInput): Promise<IntegrityReport> {
  const request = JSON.stringify({
    script: input.script,
    baseline: input.baseline,
    ...(input.reference ? { reference: input.reference } : {}),
    allowed_paths: input.allowedPaths ?? [],
    ...(input.timingRule ? { timing_rule: input.timingRule } : {}),
  });
  const result = await execa(input.python, [INTEGRITY_CHECKER], {
    input: request,
    reject: false,
    timeout: input.timeoutMs ?? 60_000,
    extendEnv: true,
  });
  const fix = 'pass a working Python 3.9+ interpreter with --python (the check needs no torch)';
  if (result.failed && result.exitCode === undefined) {
    const why = result.timedOut ? `timed out after ${input.timeoutMs ?? 60_000} ms` : String(result.shortMessage ?? 'could not start');
    throw new ExternalError('python', `integrity checker ${why} (${input.python})`, fix);
  }
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr ?? '')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' / ');
    throw new ExternalError('python', `integrity checker exited with ${result.exitCode}: ${stderr || String(result.stdout ?? '')}`, fix);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(result.stdout));
  } catch {
    throw new ExternalError('python', `integrity checker printed no JSON: ${String(result.stdout).slice(0, 200)}`, fix);
  }
  const output = CheckerOutputSchema.safeParse(parsed);
  if (!output.success) {
    throw new ExternalError('python', `integrity checker printed unexpected JSON: ${output.error.message}`, fix);
  }
  return { verdict: verdictOf(output.data.findings), findings: output.data.findings };
}
