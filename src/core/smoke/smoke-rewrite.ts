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

/** The total step count: most eras of the record scripts call it this. */
const ITERATIONS = 'num_iterations';
/**
 * Integer constants whose sum is the number of steps trained. Later scripts split the run into a scheduled part
 * and a few extension steps at the final learning rate (`num_iterations = num_scheduled_iterations +
 * num_extension_iterations`, or no num_iterations at all and a schedule object adding the two), or add an
 * `iteration_extension` to num_iterations. The first one present is the main part; the others are extra steps.
 */
const LENGTH_PARTS = [ITERATIONS, 'num_scheduled_iterations', 'iteration_extension', 'num_extension_iterations'];
const MAIN_PARTS = [ITERATIONS, 'num_scheduled_iterations'];
/**
 * Other lengths counted in steps, which must shrink with the step count or the schedule breaks (a warmdown
 * longer than the run makes the learning rate negative in some eras). Fractions (cooldown_frac) scale by
 * themselves and stay as they are.
 */
const STEP_CONSTANTS = ['warmup_iters', 'warmdown_iters', 'cooldown_iters', 'momentum_cd_steps'];

/**
 * `name = 123` or `name : int = 123` at any indentation (a Hyperparameters class field or a dataclass
 * default), with an optional trailing comment. A value that is an expression is not matched, so the rewrite
 * refuses rather than guesses.
 */
function assignment(name: string): RegExp {
  return new RegExp(`^(\\s*${name}\\s*(?::\\s*int\\s*)?=\\s*)(\\d+)(\\s*(?:#.*)?)$`);
}

/** `num_iterations: int = a + b`: the step count as a sum of other names (read back by sumOfNames). */
function sumAssignment(name: string): RegExp {
  return new RegExp(`^\\s*${name}\\s*(?::\\s*int\\s*)?=\\s*([A-Za-z_][A-Za-z0-9_]*(?:\\s*\\+\\s*[A-Za-z_][A-Za-z0-9_]*)+)\\s*(?:#.*)?$`);
}

function findAssignments(lines: readonly string[], name: string): number[] {
  const pattern = assignment(name);
  return lines.flatMap((line, index) => (pattern.test(line) ? [index] : []));
}

const cannot = (name: string, what: string) =>
  new UserError(`cannot make a smoke version of ${name}: ${what}`, 'run it without --smoke, or give the script a single integer num_iterations');

/** The integer parts of the run length, by name and line; refuses what it cannot read unambiguously. */
function lengthParts(lines: readonly string[], name: string): { name: string; index: number; value: number }[] {
  const parts: { name: string; index: number; value: number }[] = [];
  for (const part of LENGTH_PARTS) {
    const found = findAssignments(lines, part);
    if (found.length > 1)
      throw cannot(name, `it sets ${part} on ${found.length} lines (${found.map((i) => i + 1).join(', ')}), so which one counts is unclear`);
    if (found.length === 1) parts.push({ name: part, index: found[0]!, value: valueAt(lines, found[0]!, part) });
  }
  const main = parts.find((p) => MAIN_PARTS.includes(p.name));
  if (!main) {
    throw cannot(name, `it sets no integer ${ITERATIONS} (e.g. \`${ITERATIONS} = 5100\`), nor a num_scheduled_iterations it is the sum of`);
  }
  if (main.name !== ITERATIONS) {
    // A num_iterations of its own must be the sum of the parts found, or the step count is something else.
    const sums = lines.flatMap((line) => sumAssignment(ITERATIONS).exec(line)?.[1] ?? []);
    const others = lines.filter((line) => new RegExp(`^\\s*${ITERATIONS}\\s*(?::[^=]*)?=`).test(line)).length;
    const known = sums.every((sum) => sum.split('+').every((term) => parts.some((p) => p.name === term.trim())));
    if (others > sums.length || !known)
      throw cannot(name, `it sets no integer ${ITERATIONS} (e.g. \`${ITERATIONS} = 5100\`) and computes it from something else than its step-count parts`);
  }
  return [main, ...parts.filter((p) => p !== main)];
}

/**
 * Rewrites a record script to train for `steps` steps: the integer parts of its run length (see LENGTH_PARTS),
 * scaled to add up to `steps` (each non-zero part at least 1), and the other lengths counted in steps scaled by the
 * same factor. Everything else (data, validation, the clock) is untouched but for compile settings that only buy
 * speed, so a smoke run exercises the real code path, only shorter, and its first step does not spend minutes tuning
 * kernels. Throws a UserError naming what it could not find, rather than run something it does not understand.
 */
export function smokeRewrite(script: string, steps: number, name = 'train_gpt.py'): SmokeRewrite {
  if (!Number.isInteger(steps) || steps < 1) throw new UserError(`--smoke needs a positive whole number of steps, not ${steps}`, 'e.g. --smoke 5');
  const lines = script.split('\n');
  const parts = lengthParts(lines, name);
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  if (total <= steps) {
    throw new UserError(`${name} already trains for ${total} steps, no more than --smoke ${steps}`, 'run it without --smoke');
  }
  const scale = (from: number) => (from === 0 ? 0 : Math.max(1, Math.floor((from * steps) / total)));
  const extras = parts.slice(1).map((p) => ({ ...p, to: scale(p.value) }));
  const mainTo = Math.max(1, steps - extras.reduce((sum, p) => sum + p.to, 0));
  const changes: SmokeChange[] = [set(lines, parts[0]!.index, parts[0]!.name, mainTo)];
  for (const extra of extras) if (extra.to !== extra.value) changes.push(set(lines, extra.index, extra.name, extra.to));
  for (const constant of STEP_CONSTANTS) {
    for (const index of findAssignments(lines, constant)) {
      const from = valueAt(lines, index, constant);
      const scaled = scale(from);
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
