import { UserError } from '../core/errors.js';
import { findPythonWithTorch, type PythonWithTorch } from '../core/exec/python.js';
import type { CliContext } from './context.js';

/** "1-3,5" → [1, 2, 3, 5]; rejects anything else with the accepted forms. */
export function parseRecordRange(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new UserError(`bad record range '${spec}'`, 'use forms like 3, 1-6 or 1-3,5');
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to < from) throw new UserError(`bad record range '${part}'`, 'ranges go upwards from record 1, e.g. 1-6');
    for (let n = from; n <= to; n++) out.add(n);
  }
  if (out.size === 0) throw new UserError('empty record range', 'use forms like 3, 1-6 or 1-3,5');
  return [...out].sort((a, b) => a - b);
}

export function parsePositiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new UserError(`${flag} must be a positive whole number, got ${JSON.stringify(value)}`, flag.includes('record') ? 'e.g. --record 3 (see speedrun records list)' : undefined);
  }
  return Number(value);
}

/** --python wins over SPEEDRUN_PYTHON; with neither, the interpreters that usually have torch are tried. */
export function findPython(ctx: CliContext, flag: string | undefined): Promise<PythonWithTorch> {
  return findPythonWithTorch(flag ?? ctx.env.SPEEDRUN_PYTHON);
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
