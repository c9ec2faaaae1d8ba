import { resolve } from 'node:path';
import { loadTrack } from '../core/catalog/catalog.js';
import { parseRecordRange } from '../core/catalog/record-range.js';
import { UserError } from '../core/errors.js';
import { prepareFineWebData } from '../core/data/fineweb-download.js';
import {
  DEFAULT_HF_ENDPOINT,
  FINEWEB_SHARD_BYTES,
  FINEWEB_TRAIN_SHARDS_AVAILABLE,
  recordsShortOfShards,
  trainShardsNeeded,
} from '../core/data/fineweb-shards.js';
import type { CliContext } from './context.js';
import { interruptSignal, parsePositiveInt } from './options.js';

export interface NanogptPrepareFlags {
  dataDir?: string;
  trainShards?: string;
  records?: string;
  force?: boolean;
  concurrency?: string;
  json?: boolean;
}

/** `speedrun data prepare --track nanogpt`: the FineWeb shards the records read, downloaded and checked. */
export async function prepareNanogptData(flags: NanogptPrepareFlags, ctx: CliContext): Promise<void> {
  const manifest = await loadTrack('nanogpt');
  const records = flags.records ? parseRecordRange(flags.records) : undefined;
  const need = trainShardsNeeded(manifest, records);
  const scope = records ? `records ${flags.records}` : `records ${manifest.records[0]?.number}–${manifest.records.at(-1)?.number}`;
  let trainShards: number;
  if (flags.trainShards !== undefined) {
    trainShards = parsePositiveInt(flags.trainShards, '--train-shards');
    const short = recordsShortOfShards(manifest, trainShards, records);
    if (short.length > 0) {
      ctx.log(
        `note: ${short.length === 1 ? 'record' : 'records'} ${short.join(', ')} read more than ${trainShards} train shards; they would run out of data (${scope} need ${need.shards})`,
      );
    }
  } else {
    if (need.shards === 0) {
      throw new UserError(`the nanogpt manifest gives no train_shards for ${scope}`, 'pass --train-shards N');
    }
    trainShards = Math.min(need.shards, FINEWEB_TRAIN_SHARDS_AVAILABLE);
    ctx.log(
      `record ${need.record} reads the most train data of ${scope}: ${need.shards} train shards of 100M tokens ` +
        `(+ the val shard, ≈ ${(((need.shards + 1) * FINEWEB_SHARD_BYTES) / 1e9).toFixed(1)} GB); --train-shards N to choose`,
    );
  }
  if (need.unknown.length > 0) ctx.log(`note: no train_shards figure for records ${need.unknown.join(', ')}`);
  const concurrency = flags.concurrency !== undefined ? parsePositiveInt(flags.concurrency, '--concurrency') : 4;
  const dir = resolve(flags.dataDir ?? ctx.cache().data('nanogpt'));
  // The endpoint and token are read here, at the CLI edge; HF_ENDPOINT is what Hugging Face's own tools read.
  const endpoint = ctx.env.SPEEDRUN_HF_ENDPOINT || ctx.env.HF_ENDPOINT || DEFAULT_HF_ENDPOINT;
  const signal = interruptSignal(
    ctx,
    () => new UserError('download interrupted; finished shards are kept and partial ones (.part) resume', 'run the same command again'),
  );
  const result = await prepareFineWebData({
    dir,
    trainShards,
    endpoint,
    token: ctx.env.HF_TOKEN || undefined,
    force: flags.force,
    concurrency,
    signal,
    log: (m) => ctx.log(m),
  });
  if (flags.json) {
    return ctx.json({ track: 'nanogpt', endpoint, needed: { shards: need.shards, record: need.record || null, records: records ?? null }, ...result });
  }
  const counts = (status: string) => result.files.filter((f) => f.status === status).length;
  ctx.out(
    `nanogpt data ready in ${result.dir}: val + ${result.trainShards} train shards ` +
      `(${counts('downloaded') + counts('replaced')} downloaded, ${counts('present')} already present)`,
  );
  ctx.out(`NANOGPT_TRAIN_FILES=${result.trainFiles}`);
  ctx.out(`NANOGPT_VAL_FILES=${result.valFiles}`);
  ctx.out(`NANOGPT_VAL_TOKENS=${result.valTokens}`);
}
