import { readDistanceFile } from '../store/distance-file.js';
import { NO_DISTANCE, type RunDistance } from './distance-schema.js';
import type { ReportRun } from './runs.js';

/**
 * A run's code distances from its distance.json (`speedrun distance`). One measured for another node than the run's
 * best (the best changed since), or damaged, counts as none: the report never fails over it.
 */
export async function readRunDistance(run: ReportRun): Promise<RunDistance> {
  const best = run.summary.best;
  if (!run.dir || !best) return NO_DISTANCE;
  const file = await readDistanceFile(run.dir).catch(() => null);
  if (!file || file.node !== best.node) return NO_DISTANCE;
  return {
    distance_model: file.model,
    distance_to_record_i_cosine: file.distance_to_record_i.cosine,
    distance_to_record_i_l2: file.distance_to_record_i.l2,
    distance_to_next_cosine: file.distance_to_next.cosine,
    distance_to_next_l2: file.distance_to_next.l2,
  };
}
