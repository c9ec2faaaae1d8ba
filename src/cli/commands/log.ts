import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { checkClock } from '../../core/measure/clock-check.js';
import { LogParser, type ParsedLog, type ValPoint } from '../../core/measure/log-parser.js';
import { timeToTarget, timingFigures, type LineFigure, type TimeToTarget } from '../../core/measure/time-to-target.js';
import { loadTrack, parseTrackName } from '../../core/catalog/catalog.js';
import { TimingRule } from '../../core/catalog/schema.js';
import type { Timing } from '../../core/catalog/task-timing.js';
import type { CliContext } from '../context.js';

interface ParseFlags {
  target?: string;
  track?: string;
  rule?: string;
  json?: boolean;
}

/** `speedrun log parse FILE`: what a training log says, measured the way the harness measures a node. */
export function registerLogCommands(program: Command, ctx: CliContext): void {
  const log = program.command('log').description('Training logs of record scripts');
  log
    .command('parse')
    .description('Parse a training log: validation points, final line, time to a target val loss, warnings')
    .argument('<file>', 'log file (an upstream record log, or the output of a run)')
    .option('--track <track>', 'time the log as this track does: its target and timing rule (default: nanogpt, 3.28, final line)')
    .option('--target <loss>', "target validation loss (default: the track's)")
    .option(
      '--rule <rule>',
      "final (the last val line must reach the target; its train_time is the time) | first-crossing (the first val line at or below it); default: the track's",
    )
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, flags: ParseFlags) => {
      const timing = await logTiming(flags);
      const parsed = await parseLogFile(file);
      // A finished log file stands for an ended process; no wall clock is known here.
      const warnings = [...parsed.warnings, ...checkClock({ parsed, wallMs: null })];
      const ttt = timeToTarget(parsed.points, timing.target, timing.rule);
      const figures = timingFigures(parsed.points, timing.target);
      if (flags.json) {
        ctx.json({
          final: parsed.final === null ? null : pointJson(parsed.final),
          target_val_loss: timing.target,
          timing_rule: timing.rule,
          reached_target: ttt.reached,
          time_to_target_ms: ttt.time_ms,
          first_crossing: figures.first_crossing,
          final_line: figures.final_line,
          points: parsed.points.map(pointJson),
          warnings,
        });
        return;
      }
      ctx.out(summary(file, parsed, timing, ttt, figures.first_crossing, warnings));
    });
}

/** Streams the file through the parser, so a multi-gigabyte log never sits in memory. */
async function parseLogFile(file: string): Promise<ParsedLog> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new UserError(`log file not found: ${file}`, 'check the path (relative paths are taken from the current directory)');
    throw new UserError(`cannot read log file ${file}: ${error.message}`, 'check the path and its permissions');
  });
  if (!info.isFile()) throw new UserError(`not a file: ${file}`, 'give the path of a log file, not a directory');
  const parser = new LogParser();
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    for await (const chunk of stream) parser.push(chunk as string);
  } catch (error) {
    throw new UserError(`cannot read log file ${file}: ${(error as Error).message}`, 'check the file and its permissions');
  }
  parser.end();
  return parser.result();
}

/** --track gives target and rule (nanogpt when neither it nor --target is given); --target and --rule override them. */
async function logTiming(flags: ParseFlags): Promise<Timing> {
  const manifest = await loadTrack(flags.track === undefined ? 'nanogpt' : parseTrackName(flags.track));
  const rule = flags.rule === undefined ? manifest.timing_rule : parseRule(flags.rule);
  return { target: flags.target === undefined ? manifest.target_val_loss : parseTarget(flags.target), rule };
}

function parseRule(raw: string): TimingRule {
  const rule = TimingRule.safeParse(raw);
  if (!rule.success)
    throw new UserError(`--rule must be final or first-crossing, got "${raw}"`, "--rule final (the records' own definition) or --rule first-crossing");
  return rule.data;
}

function parseTarget(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UserError(`--target must be a positive validation loss, got "${raw}"`, 'e.g. --target 3.28 (the nanogpt track target)');
  }
  return value;
}

function pointJson(p: ValPoint): ValPoint {
  return { step: p.step, total_steps: p.total_steps, val_loss: p.val_loss, train_time_ms: p.train_time_ms };
}

function summary(file: string, parsed: ParsedLog, timing: Timing, ttt: TimeToTarget, first: LineFigure | null, warnings: string[]): string {
  const lines = [`log: ${file}`];
  const f = parsed.final;
  lines.push(
    f === null
      ? 'final: no validation line'
      : `final: step ${f.step}${f.total_steps === null ? '' : `/${f.total_steps}`} val_loss ${f.val_loss} train_time ${ms(f.train_time_ms)}`,
  );
  const how = timing.rule === 'final' ? 'final line' : 'first crossing';
  if (!ttt.reached) lines.push(`target ${timing.target} (${how}): not reached (the run is invalid, not slow)`);
  else lines.push(`target ${timing.target} (${how}): reached at step ${ttt.step}, train_time ${ms(ttt.time_ms)}`);
  if (timing.rule === 'final')
    lines.push(first === null ? 'first crossing: none' : `first crossing: step ${first.step}, train_time ${ms(first.train_time_ms)}`);
  lines.push(`validation points: ${parsed.points.length}, train lines: ${parsed.train_points_count}`);
  if (parsed.output_start_line > 1) lines.push(`output starts at line ${parsed.output_start_line} (after the script's source)`);
  if (warnings.length === 0) lines.push('warnings: none');
  else lines.push(`warnings (${warnings.length}):`, ...warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${value} ms (${(value / 1000).toFixed(1)} s)`;
}
