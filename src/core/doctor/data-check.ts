/**
 * The track's token shards. Tiny data is made locally on the first run, so "absent but preparable" passes;
 * nanogpt's FineWeb shards are a multi-gigabyte download the user starts, so their absence fails with the command.
 */
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fineWebTrack } from '../catalog/track-kind.js';
import { tinyDataPresent } from '../data/prepare.js';
import { modernShardDir } from '../data/track-env.js';
import { fail, ok, type Verdict } from './check.js';
import type { DoctorCheck, DoctorContext } from './context.js';

export const dataCheck: DoctorCheck = {
  id: 'data',
  title: 'track data',
  irrelevant: () => null,
  run: (ctx) => (fineWebTrack(ctx.config.track) ? fineWebShards(ctx) : tinyData(ctx)),
};

async function tinyData({ deps }: DoctorContext): Promise<Verdict> {
  const dir = deps.cache.data('tiny');
  if (await tinyDataPresent(dir)) return ok(`tiny shards prepared in ${dir}`);
  const writable = await nearestWritableAncestor(dir);
  if (writable === null) {
    return fail(
      `tiny shards are not prepared and ${dir} cannot be created (no write access)`,
      'point the cache somewhere writable with --cache DIR or SPEEDRUN_CACHE',
    );
  }
  return ok(`tiny shards not prepared yet; the first run makes them in ${dir} (or now: speedrun data prepare --track tiny)`);
}

async function fineWebShards({ deps, config }: DoctorContext): Promise<Verdict> {
  const { track } = config;
  // The modern ladder's scripts read DATA_PATH + data/fineweb10B/ (see track-env.ts).
  const dir = track === 'nanogpt-modern' ? modernShardDir(deps.cache.data(track)) : deps.cache.data(track);
  // Runs read the shards from the cache's data folder (the track environment sets NANOGPT_* to it), so look there.
  const trainPattern = join(dir, 'fineweb_train_*.bin');
  const valPattern = join(dir, 'fineweb_val_*.bin');
  const [train, val] = await Promise.all([matchingFiles(trainPattern), matchingFiles(valPattern)]);
  if (train.length > 0 && val.length > 0) return ok(`${train.length} train and ${val.length} val FineWeb shards (${trainPattern}, ${valPattern})`);
  const missing = [train.length === 0 && `no train shards match ${trainPattern}`, val.length === 0 && `no val shards match ${valPattern}`]
    .filter(Boolean)
    .join('; ');
  return fail(
    missing,
    `download the FineWeb GPT-2 token shards into ${dir} with: speedrun data prepare --track ${track} (resumable), or pass --cache to a folder whose data/${track} holds shards you have`,
  );
}

/** Files matching a pattern whose wildcards are in the file name only ("/data/fineweb_train_*.bin"), as upstream's are. */
export async function matchingFiles(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const name = basename(pattern);
  const regex = new RegExp(
    `^${name
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  try {
    return (await readdir(dir)).filter((file) => regex.test(file)).map((file) => join(dir, file));
  } catch {
    return [];
  }
}

/** The folder itself or the closest existing parent, if we may write there (mkdir -p would succeed). */
async function nearestWritableAncestor(dir: string): Promise<string | null> {
  for (let current = dir; ; current = dirname(current)) {
    try {
      await access(current, constants.F_OK);
    } catch {
      if (dirname(current) === current) return null;
      continue;
    }
    try {
      await access(current, constants.W_OK);
      return current;
    } catch {
      return null;
    }
  }
}
