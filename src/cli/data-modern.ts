import { resolve } from 'node:path';
import { loadTrack } from '../core/catalog/catalog.js';
import { parseRecordRange } from '../core/catalog/record-range.js';
import { UserError } from '../core/errors.js';
import { prepareFineWebData } from '../core/data/fineweb-download.js';
import { DEFAULT_HF_ENDPOINT, fineWebFileNames, FINEWEB_TRAIN_SHARDS_AVAILABLE } from '../core/data/fineweb-shards.js';
import { fetchHubKernels } from '../core/data/hub-kernels.js';
import { linkExistingShards } from '../core/data/link-shards.js';
import { kernelVariantPrefixes, recordHubKernels } from '../core/data/record-kernels.js';
import { modernShardDir } from '../core/data/track-env.js';
import type { CliContext } from './context.js';
import type { NanogptPrepareFlags } from './data-nanogpt.js';
import { interruptSignal, parsePositiveInt } from './options.js';

export interface ModernPrepareFlags extends NanogptPrepareFlags {
  /** false with --no-kernels. */
  kernels?: boolean;
}

/**
 * The modern ladder's scripts carry no train-shard figures in the manifest yet. Records up to 21 are the nanogpt
 * track's records, so its figures serve; later records train fewer tokens than record 21, whose figure covers them.
 */
async function defaultTrainShards(records: number[] | undefined): Promise<{ shards: number; why: string }> {
  const nanogpt = await loadTrack('nanogpt');
  const figure = (n: number) => nanogpt.records.find((r) => r.number === Math.min(n, 21))?.train_shards ?? 0;
  const wanted = records ?? nanogpt.records.map((r) => r.number).filter((n) => n >= 4);
  const shards = Math.min(Math.max(...wanted.map(figure), 1), FINEWEB_TRAIN_SHARDS_AVAILABLE);
  return { shards, why: `the nanogpt track's figures for the same records (record 21's for later ones)` };
}

/**
 * `speedrun data prepare --track nanogpt-modern`: the FineWeb shards under <data>/data/fineweb10B (the layout the
 * scripts read below DATA_PATH), hard-linked from the nanogpt track's folder where it has them, and the hub kernels
 * the record scripts load, fetched into the cache's kernels folder.
 */
export async function prepareModernData(flags: ModernPrepareFlags, ctx: CliContext): Promise<void> {
  const manifest = await loadTrack('nanogpt-modern');
  const cache = ctx.cache();
  const records = flags.records ? parseRecordRange(flags.records) : undefined;
  let trainShards: number;
  if (flags.trainShards !== undefined) trainShards = parsePositiveInt(flags.trainShards, '--train-shards');
  else {
    const need = await defaultTrainShards(records);
    trainShards = need.shards;
    ctx.log(`downloading ${trainShards} train shards (${need.why}); --train-shards N to choose`);
  }
  const dataPath = resolve(flags.dataDir ?? cache.data('nanogpt-modern'));
  const dir = modernShardDir(dataPath);
  const endpoint = ctx.env.SPEEDRUN_HF_ENDPOINT || ctx.env.HF_ENDPOINT || DEFAULT_HF_ENDPOINT;
  const token = ctx.env.HF_TOKEN || undefined;
  const signal = interruptSignal(
    ctx,
    () => new UserError('download interrupted; finished shards are kept and partial ones (.part) resume', 'run the same command again'),
  );
  const linked = await linkExistingShards(fineWebFileNames(trainShards), cache.data('nanogpt'), dir);
  if (linked.length > 0) ctx.log(`hard-linked ${linked.length} shards from ${cache.data('nanogpt')}`);
  const result = await prepareFineWebData({
    dir,
    trainShards,
    endpoint,
    token,
    force: flags.force,
    concurrency: flags.concurrency !== undefined ? parsePositiveInt(flags.concurrency, '--concurrency') : 4,
    signal,
    log: (m) => ctx.log(m),
  });
  const wanted = records ?? manifest.records.map((r) => r.number);
  const refs = flags.kernels === false ? [] : await recordHubKernels(manifest, wanted, cache);
  const variantPrefixes = kernelVariantPrefixes(manifest, wanted);
  const kernels = await fetchHubKernels(refs, { endpoint, token, dir: cache.kernels, variantPrefixes, signal, log: (m) => ctx.log(m) });
  if (flags.json) return ctx.json({ track: 'nanogpt-modern', endpoint, data_path: dataPath, linked, kernels, ...result });
  const count = (status: string) => result.files.filter((f) => f.status === status).length;
  ctx.out(
    `nanogpt-modern data ready in ${dir}: val + ${result.trainShards} train shards ` +
      `(${linked.length} linked, ${count('downloaded') + count('replaced')} downloaded, ${count('present') - linked.length} already present)`,
  );
  for (const k of kernels) ctx.out(`kernel ${k.repo}@${k.revision}: ${k.status} (${k.commit.slice(0, 12)}, ${k.files} files)`);
  if (flags.kernels === false) ctx.out('hub kernels skipped (--no-kernels): records that load one refuse to train until they are fetched');
  ctx.out(`DATA_PATH=${dataPath}`);
}
