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
  throw new UserError(
    `running the ${manifest.track} track needs its FineWeb token shards, which this version cannot prepare yet`,
    'use --track tiny for now',
  );
}
