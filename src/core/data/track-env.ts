import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrackManifest } from '../catalog/schema.js';
import type { CacheLayout } from '../paths.js';
import { UserError } from '../errors.js';
import { prepareTinyData } from './prepare.js';
import { hubKernelEnvironment } from './hub-kernels.js';
import { recordHubKernels, recordKernelFiles } from './record-kernels.js';

/** Where a track's data is: the environment a record script reads (upstream's variable names) and its folders. */
export interface TrackData {
  env: Record<string, string>;
  /** Folders the env points into; a sandbox mounts them read-only. */
  dirs: string[];
  /** Files copied beside the script before each training (a record's kernel files). */
  besideScript?: string[];
  /** Links in each node's folder into `dirs` (scripts that read their data relative to the folder they run in). */
  links?: { name: string; target: string }[];
}

/** Tiny-track data is made on demand: preparing is idempotent and fast when it is already there. */
export async function trackEnvironment(
  manifest: TrackManifest,
  cache: CacheLayout,
  opts: {
    signal?: AbortSignal;
    log?: (message: string) => void;
    /** The records whose scripts will train (their hub kernels and kernel files); none: the data only. */
    records?: readonly number[];
  } = {},
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
  if (manifest.track === 'nanogpt-modern') {
    const data = modernFineWebData(cache.data('nanogpt-modern'));
    await requireShards(modernShardDir(data.dirs[0]!), 'nanogpt-modern', 'data/nanogpt-modern/data/fineweb10B');
    return withRecordKernels(data, manifest, cache, opts.records ?? [], true);
  }
  throw new UserError(`no data is known for the ${manifest.track} track`, 'use --track tiny, nanogpt or nanogpt-modern');
}

/**
 * The modern ladder's scripts read `DATA_PATH` (default: the working folder) + `data/fineweb10B/fineweb_*.bin`, so
 * the track's data folder holds the shards in that layout and is what DATA_PATH names (a sandbox rewrites it to
 * its mount).
 */
export function modernFineWebData(dir: string): TrackData {
  // The 2024 scripts (records 4-26) ignore DATA_PATH and read data/fineweb10B/ in the folder they run in: a `data`
  // link there serves them; later scripts read the same files through DATA_PATH.
  return { env: { DATA_PATH: dir }, dirs: [dir], links: [{ name: 'data', target: join(dir, 'data') }] };
}

/** Where the modern track's shards lie inside its DATA_PATH folder. */
export function modernShardDir(dataPath: string): string {
  return join(dataPath, 'data', 'fineweb10B');
}

/**
 * Adds what the records' scripts load besides data: hub kernels (fetched by `data prepare`, mounted read-only,
 * the hub set offline) and kernel files to copy beside the script. `strict` refuses a kernel not fetched yet; a
 * dry run leaves it out and says so instead.
 */
export async function withRecordKernels(
  data: TrackData,
  manifest: TrackManifest,
  cache: CacheLayout,
  records: readonly number[],
  strict: boolean,
): Promise<TrackData> {
  const refs = await recordHubKernels(manifest, records, cache);
  let hub: { env: Record<string, string>; dirs: string[] } = { env: {}, dirs: [] };
  try {
    hub = await hubKernelEnvironment(cache.kernels, refs);
  } catch (error) {
    if (strict) throw withTrack(error, manifest.track);
  }
  const besideScript = await recordKernelFiles(manifest, records, cache);
  return {
    env: { ...data.env, ...hub.env },
    dirs: [...data.dirs, ...hub.dirs],
    ...(data.links ? { links: data.links } : {}),
    ...(besideScript.length > 0 ? { besideScript } : {}),
  };
}

/** hubKernelEnvironment's refusal, with the track named in its fix. */
function withTrack(error: unknown, track: string): unknown {
  if (!(error instanceof UserError)) return error;
  return new UserError(error.message, `fetch it once where the hub is reachable: speedrun data prepare --track ${track} (then training needs no network)`);
}

/** Upstream's validation set size: every nanogpt record evaluates on the first 10,485,760 tokens. */
export const NANOGPT_VAL_TOKENS = 10_485_760;

/**
 * The nanogpt track reads FineWeb GPT-2 token shards (upstream's fineweb_{train,val}_NNNNNN.bin) from its data
 * folder; record scripts take the glob patterns and open the files themselves.
 */
async function fineWebEnvironment(dir: string): Promise<TrackData> {
  await requireShards(dir, 'nanogpt', 'data/nanogpt');
  return fineWebData(dir);
}

async function requireShards(dir: string, track: string, cacheSubdir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const missing = ['train', 'val'].filter((split) => !names.some((n) => n.startsWith(`fineweb_${split}_`) && n.endsWith('.bin')));
  if (missing.length > 0) {
    throw new UserError(
      `no FineWeb ${missing.join(' or ')} shards in ${dir}`,
      `download them with: speedrun data prepare --track ${track} (or put upstream's fineweb_train_NNNNNN.bin and fineweb_val_NNNNNN.bin there, or pass --cache to a folder whose ${cacheSubdir} holds them)`,
    );
  }
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
