import type { TrackManifest } from '../catalog/schema.js';
import type { CacheLayout } from '../paths.js';
import { UserError } from '../errors.js';
import { prepareTinyData } from './prepare.js';

/**
 * The environment a record script reads its data from (the same variable names as the upstream copies).
 * Tiny-track data is made on demand: preparing is idempotent and fast when it is already there.
 */
export async function trackEnvironment(
  manifest: TrackManifest,
  cache: CacheLayout,
  opts: { signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<Record<string, string>> {
  if (manifest.track === 'tiny') {
    const data = await prepareTinyData(cache.data('tiny'), opts);
    return {
      NANOGPT_TRAIN_FILES: data.trainFiles,
      NANOGPT_VAL_FILES: data.valFiles,
      NANOGPT_VAL_TOKENS: String(data.valTokens),
    };
  }
  throw new UserError(
    `running the ${manifest.track} track needs its FineWeb token shards, which this version cannot prepare yet`,
    'use --track tiny for now',
  );
}
