import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { prepareTinyData } from '../../core/data/prepare.js';
import type { CliContext } from '../context.js';

interface PrepareFlags {
  track: string;
  dataDir?: string;
  json?: boolean;
}

/** `speedrun data prepare`: make the token shards a track's scripts read. */
export function registerDataCommands(program: Command, ctx: CliContext): void {
  const data = program.command('data').description('Token shards for the tracks');
  data
    .command('prepare')
    .description('Write the token shards of a track (tiny: a deterministic synthetic corpus, made locally)')
    .requiredOption('--track <track>', 'tiny or nanogpt')
    .option('--data-dir <dir>', 'where to write the shards (default: <cache>/data/<track>)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: PrepareFlags) => {
      if (flags.track === 'nanogpt') {
        throw new UserError(
          'downloading the nanogpt track data (FineWeb GPT-2 token shards) is not implemented yet',
          'use --track tiny, or place fineweb_{train,val}_*.bin shards yourself and point NANOGPT_TRAIN_FILES/NANOGPT_VAL_FILES at them',
        );
      }
      if (flags.track !== 'tiny') {
        throw new UserError(`unknown track "${flags.track}"`, 'use --track tiny or --track nanogpt');
      }
      const dir = resolve(flags.dataDir ?? ctx.cache().data('tiny'));
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const started = Date.now();
        const result = await prepareTinyData(dir, { signal: controller.signal, log: (m) => ctx.log(m) });
        if (flags.json) {
          ctx.json({ track: 'tiny', ...result });
        } else {
          ctx.out(`tiny data ready in ${result.dir} (${Date.now() - started} ms)`);
          ctx.out(`NANOGPT_TRAIN_FILES=${result.trainFiles}`);
          ctx.out(`NANOGPT_VAL_FILES=${result.valFiles}`);
          ctx.out(`NANOGPT_VAL_TOKENS=${result.valTokens}`);
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
