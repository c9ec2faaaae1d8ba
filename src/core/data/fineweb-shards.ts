import type { TrackManifest } from '../catalog/schema.js';
import { UserError } from '../errors.js';
import { SHARD_HEADER_BYTES } from './shards.js';

/**
 * The nanogpt track's data: the GPT-2-tokenised FineWeb-10B shards that upstream's cached_fineweb10B script fetches
 * from a Hugging Face dataset: one val shard (000000) and train shards 000001..000103, 100M tokens each (the last
 * train shard is shorter).
 */
export const FINEWEB_DATASET = 'kjj0/fineweb10B-gpt2';
export const FINEWEB_TRAIN_SHARDS_AVAILABLE = 103;
export const FINEWEB_SHARD_TOKENS = 100_000_000;
/** A full shard on disk: header plus uint16 tokens (200,001,024 bytes). */
export const FINEWEB_SHARD_BYTES = SHARD_HEADER_BYTES + 2 * FINEWEB_SHARD_TOKENS;
export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export const fineWebValName = (index: number) => `fineweb_val_${String(index).padStart(6, '0')}.bin`;
export const fineWebTrainName = (index: number) => `fineweb_train_${String(index).padStart(6, '0')}.bin`;

/** The files for `trainShards` train shards, val first (every record needs it), as upstream's script orders them. */
export function fineWebFileNames(trainShards: number): string[] {
  if (!Number.isInteger(trainShards) || trainShards < 1 || trainShards > FINEWEB_TRAIN_SHARDS_AVAILABLE) {
    throw new UserError(
      `--train-shards must be between 1 and ${FINEWEB_TRAIN_SHARDS_AVAILABLE} (the dataset has ${FINEWEB_TRAIN_SHARDS_AVAILABLE} train shards), got ${trainShards}`,
      'leave --train-shards out to download what the records need',
    );
  }
  return [fineWebValName(0), ...Array.from({ length: trainShards }, (_, i) => fineWebTrainName(i + 1))];
}

/** Hugging Face's plain file URL (`resolve/main`), which redirects to its storage and honours Range requests. */
export function fineWebUrl(endpoint: string, file: string): string {
  return `${endpoint.replace(/\/+$/, '')}/datasets/${FINEWEB_DATASET}/resolve/main/${file}`;
}

/** How many train shards a set of records reads at most, and which record reads that many. */
export interface ShardNeed {
  shards: number;
  /** The most demanding record among those asked about. */
  record: number;
  /** Records without a train_shards figure in the manifest (none for the shipped manifest). */
  unknown: number[];
}

export function trainShardsNeeded(manifest: TrackManifest, records?: number[]): ShardNeed {
  const wanted = records ?? manifest.records.map((r) => r.number);
  let need: ShardNeed = { shards: 0, record: 0, unknown: [] };
  for (const n of wanted) {
    const entry = manifest.records.find((r) => r.number === n);
    if (!entry) {
      throw new UserError(`track ${manifest.track} has no record ${n}`, `records are ${manifest.records[0]?.number}–${manifest.records.at(-1)?.number}`);
    }
    if (entry.train_shards === undefined) need = { ...need, unknown: [...need.unknown, n] };
    else if (entry.train_shards > need.shards) need = { ...need, shards: entry.train_shards, record: n };
  }
  return need;
}

/** Records (of those given, default all) that read more train shards than `available`. */
export function recordsShortOfShards(manifest: TrackManifest, available: number, records?: number[]): number[] {
  return manifest.records.filter((r) => (records ? records.includes(r.number) : true) && (r.train_shards ?? 0) > available).map((r) => r.number);
}

/**
 * Train shards a record reads: its loaders take `batchTokens` (+1 for the shifted targets) per step and move to the
 * next shard when the rest of the current one cannot hold a whole batch, so a shard serves
 * floor((shardTokens − 1) / batchTokens) steps. Early scripts prefetch one batch beyond the last step, so
 * `iterations + 1` batches are counted for all. One shard of margin is added on top. The manifest's figures come
 * from this with each record's num_iterations and global batch tokens.
 */
export function trainShardsForRun(iterations: number, batchTokens: number, shardTokens = FINEWEB_SHARD_TOKENS): number {
  const stepsPerShard = Math.floor((shardTokens - 1) / batchTokens);
  return Math.ceil((iterations + 1) / stepsPerShard) + 1;
}
