import { readdir } from 'node:fs/promises';
import type { TrackManifest } from '../catalog/schema.js';
import { UserError } from '../errors.js';
import type { TrackData } from './track-env.js';

/**
 * A record that reads more train shards than the data folder holds does not train as recorded: the early scripts'
 * loaders wrap around to the first shard (the model sees data twice, and the loss curve is not the record's), the
 * later ones crash at the end of the data. So a scored run is refused; a smoke run reads a few batches and is not.
 */
export async function checkTrainShards(manifest: TrackManifest, record: number, data: TrackData, smoke: boolean): Promise<void> {
  const needed = manifest.records.find((r) => r.number === record)?.train_shards;
  const dir = data.dirs[0];
  if (needed === undefined || dir === undefined || smoke) return;
  const present = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^fineweb_train_\d+\.bin$/.test(n)).length;
  if (present >= needed) return;
  throw new UserError(
    `${manifest.track} record ${record} reads ${needed} FineWeb train shards; ${dir} holds ${present}`,
    `speedrun data prepare --track ${manifest.track} --records ${record} (resumes what is there), or use --smoke to check the installation`,
  );
}
