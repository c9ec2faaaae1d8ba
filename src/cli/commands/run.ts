import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { findPython, interruptSignal, parsePositiveInt } from '../options.js';
import { runOne } from '../run-setup.js';
import { formatRunSummary } from '../format.js';
import { logProgress } from '../progress.js';

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
        logProgress(ctx),
      );
      if (flags.json) ctx.json(summary);
      else ctx.out(formatRunSummary(summary));
      if (summary.status !== 'finished') process.exitCode = 1;
    });
}
