import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: where records/, hints/ and containers/ ship. Works from src/ (tests) and dist/ (built). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The cache holds synced upstream files, prepared data and calibrations.
 * Precedence: an explicit --cache, then SPEEDRUN_CACHE, then XDG_CACHE_HOME, then ~/.cache.
 * The CLI resolves it once and passes it down; the core never reads process.env itself.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.SPEEDRUN_CACHE) return resolve(env.SPEEDRUN_CACHE);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'speedrun');
}

export interface CacheLayout {
  root: string;
  /** Synced copies of upstream repositories, one folder per repo and commit. */
  upstream: string;
  /** Token shards per track. */
  data: (track: string) => string;
  /** Calibrated record times per track. */
  calibration: (track: string) => string;
  /** Hub kernels fetched by `data prepare` (Hugging Face cache layout), mounted read-only into trainings. */
  kernels: string;
}

export function cacheLayout(root: string): CacheLayout {
  return {
    root,
    upstream: join(root, 'upstream'),
    data: (track) => join(root, 'data', track),
    calibration: (track) => join(root, 'calibration', `${track}.json`),
    kernels: join(root, 'kernels'),
  };
}
