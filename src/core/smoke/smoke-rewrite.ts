import { createTwoFilesPatch } from 'diff';
import { UserError } from '../errors.js';
import { turnOffSpeedOnlySettings, type SpeedSetting } from './smoke-speed-off.js';

/** One constant the smoke rewrite changed, by line (1-based) of the original script. */
export interface SmokeChange {
  name: string;
  line: number;
  from: number;
  to: number;
}

export interface SmokeRewrite {
  script: string;
  changes: SmokeChange[];
  /** Compile settings turned off because they only buy speed (smoke-speed-off.ts). */
  speedOff: SpeedSetting[];
  /** The rewrite as a unified diff, for the user to read. */
  diff: string;
}

/** The total step count: every era of the record scripts calls it this. */
const ITERATIONS = 'num_iterations';
/**
 * Schedule lengths counted in steps, which must shrink with the step count or the schedule breaks (a warmdown
 * longer than the run makes the learning rate negative in some eras). Fractions (cooldown_frac) scale by
 * themselves and stay as they are.
 */
const STEP_CONSTANTS = ['warmup_iters', 'warmdown_iters', 'cooldown_iters', 'num_scheduled_iterations', 'num_extension_iterations'];

/**
 * `name = 123` or `name : int = 123` at any indentation (a Hyperparameters class field or a dataclass
 * default), with an optional trailing comment. A value that is an expression is not matched, so the rewrite
 * refuses rather than guesses.
 */
function assignment(name: string): RegExp {
  return new RegExp(`^(\\s*${name}\\s*(?::\\s*int\\s*)?=\\s*)(\\d+)(\\s*(?:#.*)?)$`);
}

function findAssignments(lines: readonly string[], name: string): number[] {
  const pattern = assignment(name);
  return lines.flatMap((line, index) => (pattern.test(line) ? [index] : []));
}

/**
 * Rewrites a record script to train for `steps` steps: its iteration count, and the schedule constants that
 * are counted in steps, scaled by the same factor (at least 1 where they were non-zero). Everything else (data,
 * validation, the clock) is untouched but for compile settings that only buy speed, so a smoke run exercises the
 * real code path, only shorter, and its first step does not spend minutes tuning kernels.
 * Throws a UserError naming what it could not find, rather than run something it does not understand.
 */
export function smokeRewrite(script: string, steps: number, name = 'train_gpt.py'): SmokeRewrite {
  if (!Number.isInteger(steps) || steps < 1) throw new UserError(`--smoke needs a positive whole number of steps, not ${steps}`, 'e.g. --smoke 5');
  const lines = script.split('\n');
  const iterationLines = findAssignments(lines, ITERATIONS);
  if (iterationLines.length !== 1) {
    throw new UserError(
      iterationLines.length === 0
        ? `cannot make a smoke version of ${name}: it sets no integer ${ITERATIONS} (e.g. \`${ITERATIONS} = 5100\`)`
        : `cannot make a smoke version of ${name}: it sets ${ITERATIONS} on ${iterationLines.length} lines (${iterationLines.map((i) => i + 1).join(', ')}), so which one counts is unclear`,
      'run it without --smoke, or give the script a single integer num_iterations',
    );
  }
  const iterationLine = iterationLines[0]!;
  const total = valueAt(lines, iterationLine, ITERATIONS);
  if (total <= steps) {
    throw new UserError(`${name} already trains for ${total} steps, no more than --smoke ${steps}`, 'run it without --smoke');
  }
  const changes: SmokeChange[] = [set(lines, iterationLine, ITERATIONS, steps)];
  for (const constant of STEP_CONSTANTS) {
    for (const index of findAssignments(lines, constant)) {
      const from = valueAt(lines, index, constant);
      const scaled = from === 0 ? 0 : Math.max(1, Math.floor((from * steps) / total));
      if (scaled !== from) changes.push(set(lines, index, constant, Math.min(scaled, steps)));
    }
  }
  const speedOff = turnOffSpeedOnlySettings(lines);
  const rewritten = lines.join('\n');
  return { script: rewritten, changes, speedOff, diff: createTwoFilesPatch(name, `${name} (smoke: ${steps} steps)`, script, rewritten) };
}

function valueAt(lines: readonly string[], index: number, name: string): number {
  const match = assignment(name).exec(lines[index] ?? '');
  return Number(match?.[2]);
}

function set(lines: string[], index: number, name: string, to: number): SmokeChange {
  const line = lines[index] ?? '';
  const match = assignment(name).exec(line)!;
  lines[index] = `${match[1]}${to}${match[3]}`;
  return { name, line: index + 1, from: Number(match[2]), to };
}
