import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { prepareTinyData } from '../../core/data/prepare.js';
import type { CliContext } from '../context.js';
import { prepareNanogptData } from '../data-nanogpt.js';
import { prepareModernData, type ModernPrepareFlags } from '../data-modern.js';

interface PrepareFlags extends ModernPrepareFlags {
  track: string;
}

/** `speedrun data prepare`: make the token shards a track's scripts read. */
export function registerDataCommands(program: Command, ctx: CliContext): void {
  const data = program.command('data').description('Token shards for the tracks');
  data
    .command('prepare')
    .description(
      'Write the token shards of a track (tiny: a deterministic synthetic corpus, made locally; nanogpt: the FineWeb ' +
        'GPT-2 shards, downloaded from Hugging Face with resume; set HF_TOKEN if it asks for one, SPEEDRUN_HF_ENDPOINT for a mirror; ' +
        "nanogpt-modern: the same shards under data/fineweb10B, linked from nanogpt's where present, and the hub kernels its scripts load)",
    )
    .requiredOption('--track <track>', 'tiny, nanogpt or nanogpt-modern')
    .option('--data-dir <dir>', 'where to write the shards (default: <cache>/data/<track>)')
    .option('--train-shards <n>', 'nanogpt: train shards to download (100M tokens, ~200 MB each; default: what the records need)')
    .option('--records <range>', 'nanogpt: download what these records need (e.g. 4-21) instead of all of them')
    .option('--force', 'nanogpt: download again the shards already there that fail the header check')
    .option('--concurrency <n>', 'nanogpt: files downloading at once (default 4)')
    .option('--no-kernels', 'nanogpt-modern: do not fetch the hub kernels the record scripts load')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: PrepareFlags) => {
      if (flags.track === 'nanogpt-modern') return prepareModernData(flags, ctx);
      if (flags.kernels === false) throw new UserError('--no-kernels only applies to --track nanogpt-modern', 'leave it out');
      if (flags.track === 'nanogpt') return prepareNanogptData(flags, ctx);
      if (flags.track !== 'tiny') {
        throw new UserError(`unknown track "${flags.track}"`, 'use --track tiny, nanogpt or nanogpt-modern');
      }
      const nanogptOnly = (['trainShards', 'records', 'force', 'concurrency'] as const).filter((k) => flags[k] !== undefined);
      if (nanogptOnly.length > 0) {
        throw new UserError(
          `${nanogptOnly.map(flagName).join(', ')} only apply to --track nanogpt`,
          'the tiny corpus is made locally in one piece; leave them out',
        );
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

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
