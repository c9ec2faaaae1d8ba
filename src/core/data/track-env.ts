import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrackManifest } from '../catalog/schema.js';
import type { CacheLayout } from '../paths.js';
import { UserError } from '../errors.js';
import { prepareTinyData } from './prepare.js';

/** Where a track's data is: the environment a record script reads (upstream's variable names) and its folders. */
export interface TrackData {
  env: Record<string, string>;
  /** Folders the env points into; a sandbox mounts them read-only. */
  dirs: string[];
}

/** Tiny-track data is made on demand: preparing is idempotent and fast when it is already there. */
export async function trackEnvironment(
  manifest: TrackManifest,
  cache: CacheLayout,
  opts: { signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<TrackData> {
  if (manifest.track === 'tiny') {
    const dir = cache.data('tiny');
    const data = await prepareTinyData(dir, opts);
    return {
      env: {
        NANOGPT_TRAIN_FILES: data.trainFiles,
        NANOGPT_VAL_FILES: data.valFiles,
        NANOGPT_VAL_TOKENS: String(data.valTokens),
      },
      dirs: [dir],
    };
  }
  if (manifest.track === 'nanogpt') return fineWebEnvironment(cache.data('nanogpt'));
  throw new UserError(`no data is known for the ${manifest.track} track`, 'use --track tiny or --track nanogpt');
}

/** Upstream's validation set size: every nanogpt record evaluates on the first 10,485,760 tokens. */
export const NANOGPT_VAL_TOKENS = 10_485_760;

/**
 * The nanogpt track reads FineWeb GPT-2 token shards (upstream's fineweb_{train,val}_NNNNNN.bin) from its data
 * folder; record scripts take the glob patterns and open the files themselves.
 */
async function fineWebEnvironment(dir: string): Promise<TrackData> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const missing = ['train', 'val'].filter((split) => !names.some((n) => n.startsWith(`fineweb_${split}_`) && n.endsWith('.bin')));
  if (missing.length > 0) {
    throw new UserError(
      `no FineWeb ${missing.join(' or ')} shards in ${dir}`,
      `download them with: speedrun data prepare --track nanogpt (or put upstream's fineweb_train_NNNNNN.bin and fineweb_val_NNNNNN.bin there, or pass --cache to a folder whose data/nanogpt holds them)`,
    );
  }
  return fineWebData(dir);
}

/** The environment for FineWeb shards in `dir`, whether or not they are there yet. */
export function fineWebData(dir: string): TrackData {
  return {
    env: {
      NANOGPT_TRAIN_FILES: join(dir, 'fineweb_train_*.bin'),
      NANOGPT_VAL_FILES: join(dir, 'fineweb_val_*.bin'),
      NANOGPT_VAL_TOKENS: String(NANOGPT_VAL_TOKENS),
    },
    dirs: [dir],
  };
}
