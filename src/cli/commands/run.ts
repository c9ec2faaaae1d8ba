import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { findPython, formatSeconds, interruptSignal, parsePositiveInt } from '../options.js';
import { runOne } from '../run-setup.js';
import { formatRunSummary } from '../format-run.js';
import type { SpeedrunEvent } from '../../core/events.js';

interface RunFlags {
  track: string;
  record: string;
  hint: string;
  agent: string;
  executor: string;
  python?: string;
  out: string;
  timeout?: string;
  json?: boolean;
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run one task: start from record N, let an agent edit it, train, and score the result (FSR)')
    .option('--track <track>', 'tiny | nanogpt', 'tiny')
    .requiredOption('--record <n>', 'the task: start from this record, aim for the next one')
    .option('--hint <spec>', 'none | L1 | L2 | L3 | L1+L2 | L1+L2+L3', 'none')
    .option('--agent <name>', 'reference (applies record N+1) | null (changes nothing)', 'reference')
    .option('--executor <name>', 'local', 'local')
    .option('--python <path>', 'Python interpreter with torch (default: $SPEEDRUN_PYTHON, else the first of python3, /usr/bin/python3, python that has torch)')
    .option('--out <dir>', 'results folder', 'results')
    .option('--timeout <seconds>', "kill a node's training after this long (default: the track's)")
    .option('--json', 'print one JSON object with the result on stdout')
    .action(async (flags: RunFlags) => {
      const signal = interruptSignal(ctx);
      const python = await findPython(ctx, flags.python);
      ctx.log(`python: ${python.python} (torch ${python.torchVersion})`);
      const summary = await runOne(
        ctx,
        {
          track: flags.track,
          record: parsePositiveInt(flags.record, '--record'),
          hint: flags.hint,
          agent: flags.agent,
          executor: flags.executor,
          out: resolve(flags.out),
          timeoutMs: flags.timeout ? parsePositiveInt(flags.timeout, '--timeout') * 1000 : undefined,
        },
        python,
        signal,
        (event) => {
          const line = progressLine(event);
          if (line) ctx.log(line);
        },
      );
      if (flags.json) ctx.json(summary);
      else ctx.out(formatRunSummary(summary));
      if (summary.status !== 'finished') process.exitCode = 1;
    });
}

/** A compact human line for the events worth seeing live; null for the rest (log lines stay in the files). */
export function progressLine(event: SpeedrunEvent): string | null {
  switch (event.type) {
    case 'run-started':
      return `run ${event.run_id}: track ${event.track}, record ${event.record} → ${event.record + 1}, hint ${event.hint}, agent ${event.agent} (t_i ${formatSeconds(event.baseline_ms)}, t_i+1 ${formatSeconds(event.target_ms)})`;
    case 'edit-applied':
      return `node ${event.node}: +${event.lines_added} −${event.lines_removed} lines${event.duplicate_of !== null ? ` (identical to node ${event.duplicate_of}; not trained again)` : ''}`;
    case 'metric':
      return `node ${event.node}: step ${event.step}/${event.total_steps ?? '?'} val_loss ${event.val_loss.toFixed(4)} at ${formatSeconds(event.train_time_ms)}`;
    case 'node-finished':
      return `node ${event.node}: ${event.result.status}, time to target ${formatSeconds(event.result.time_to_target_ms)}${event.result.warnings.length ? `; warnings: ${event.result.warnings.join('; ')}` : ''}`;
    case 'error':
      return `error: ${event.message}`;
    default:
      return null;
  }
}
