import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { DEFAULT_ALPHA } from '../../core/verify/verdict.js';
import type { CliContext } from '../context.js';
import { prepareExecution } from '../executor-setup.js';
import { findPython, interruptSignal, parsePositiveInt } from '../options.js';
import { findRunFolders } from '../../core/store/load-results.js';
import { formatVerifications, verifyResults } from '../verify-setup.js';

interface VerifyFlags {
  repeats: string;
  alpha: string;
  executor?: string;
  python?: string;
  timeout?: string;
  json?: boolean;
}

const HELP_AFTER = `
A run's best node is verified when every repeat reaches the target, its mean final val loss is below the target
by a one-sided t-test (p < --alpha; upstream asks 0.01), and its mean time is below the baseline record's mean
from the same interleaved session. Otherwise it is unverified and its verified FSR is 0. Each run folder gets a
verification.json; a run verified before with the same repeats and alpha is not trained again.`;

/** `speedrun verify RESULTS`: do the best nodes' speedups reproduce? */
export function registerVerifyCommand(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description("re-run each run's best node k times in fresh folders, interleaved with the baseline record; mark it verified or unverified")
    .argument('<results>', 'a run folder, or a folder of runs (a bench)')
    .option('--repeats <k>', 'trainings of the node and of the baseline record each (at least 2, for the t-test)', '3')
    .option('--alpha <p>', 'significance level of the val-loss test', String(DEFAULT_ALPHA))
    .option('--executor <name>', "local | docker | slurm (default: each run's own)")
    .option('--python <path>', 'Python interpreter with torch')
    .option('--timeout <seconds>', "kill a training after this long (default: the track's)")
    .option('--json', 'print one JSON object: {"runs": [verification.json of each run]}')
    .addHelpText('after', HELP_AFTER)
    .action(async (results: string, flags: VerifyFlags) => {
      const signal = interruptSignal(ctx);
      const dir = resolve(results);
      const repeats = parsePositiveInt(flags.repeats, '--repeats');
      if (repeats < 2) throw new UserError('--repeats must be at least 2: the val-loss t-test needs two values', 'e.g. --repeats 3');
      const alpha = Number(flags.alpha);
      if (!(alpha > 0 && alpha < 1)) throw new UserError(`--alpha must be a number between 0 and 1, got '${flags.alpha}'`, 'e.g. --alpha 0.01');
      if ((await findRunFolders(dir)).length === 0)
        throw new UserError(`no finished run under ${dir}`, 'pass a run folder or a bench folder of `speedrun run`/`speedrun bench`');
      const python = await findPython(ctx, flags.python);
      const execution = flags.executor ? await prepareExecution(ctx, { executor: flags.executor }) : undefined;
      const timeoutMs = flags.timeout ? parsePositiveInt(flags.timeout, '--timeout') * 1000 : undefined;
      const { files, damaged } = await verifyResults(ctx, dir, { repeats, alpha, python, execution, timeoutMs, signal });
      if (flags.json) ctx.json({ runs: files, damaged });
      else ctx.out(formatVerifications(files));
    });
}
