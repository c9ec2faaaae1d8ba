import { UserError } from '../core/errors.js';
import { RetimeMode } from '../core/catalog/schema.js';
import { findPythonWithoutTorch, findPythonWithTorch, type PythonWithTorch } from '../core/exec/python.js';
import type { CliContext } from './context.js';

export function parsePositiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new UserError(
      `${flag} must be a positive whole number, got ${JSON.stringify(value)}`,
      flag.includes('record') ? 'e.g. --record 3 (see speedrun records list)' : undefined,
    );
  }
  return Number(value);
}

/** --python wins over SPEEDRUN_PYTHON; with neither, the interpreters that usually have torch are tried. */
/** A flag's whole number of at least `min` (e.g. --answer-retries 0). */
export function parseWholeNumber(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`, `e.g. ${flag} 2`);
  return n;
}

export function findPython(ctx: CliContext, flag: string | undefined, executor?: string): Promise<PythonWithTorch> {
  const named = flag ?? ctx.env.SPEEDRUN_PYTHON;
  return executor === 'sim' ? findPythonWithoutTorch(named) : findPythonWithTorch(named);
}

/**
 * Aborts on the first Ctrl-C / SIGTERM so long operations stop cleanly; a second Ctrl-C exits at once.
 * `reason` makes the error the command ends with (by default: interrupted, results so far are kept).
 */
export function interruptSignal(ctx: CliContext, reason?: () => Error): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: string) => {
    if (controller.signal.aborted) process.exit(130);
    ctx.log(`\n${name}: stopping…`);
    controller.abort(reason?.() ?? new Error(`interrupted by ${name}; results so far are kept`));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  return controller.signal;
}

/** --retime: both | baseline | none (README "Timing and scoring"). */
export function parseRetime(value: string): RetimeMode {
  const mode = RetimeMode.safeParse(value);
  if (!mode.success) {
    throw new UserError(
      `--retime must be both, baseline or none, got ${JSON.stringify(value)}`,
      'both: record i, record i+1 and the best node are trained again in the run and scored together; baseline: record i and the best node; none: calibration or record-table times',
    );
  }
  return mode.data;
}
