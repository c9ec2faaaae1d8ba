import { z } from 'zod';

/**
 * `speedrun distance`'s code distances in the report (docs/distance.md): per run (RunRow, runs.csv), their means in
 * the Reproduction tables, and the least-squares fit of FSR on the distance to record i+1. Every field defaults to
 * "none", so a report.json written before distances existed still reads.
 */

const Num = z.number().nullable().default(null);

/** A run's distances (cosine 1 − cos, normalized L2), flat for runs.csv; null when the run has no distance.json. */
export const RunDistance = z.object({
  /** The embedding model's profile name. */
  distance_model: z.string().nullable().default(null),
  distance_to_record_i_cosine: Num,
  distance_to_record_i_l2: Num,
  distance_to_next_cosine: Num,
  distance_to_next_l2: Num,
});
export type RunDistance = z.infer<typeof RunDistance>;

export const NO_DISTANCE: RunDistance = {
  distance_model: null,
  distance_to_record_i_cosine: null,
  distance_to_record_i_l2: null,
  distance_to_next_cosine: null,
  distance_to_next_l2: null,
};

/** The means of a Reproduction row, over its runs with a distance. */
export const DistanceMeans = z.object({
  distance_runs: z.number().int().default(0),
  mean_distance_to_record_i_cosine: Num,
  mean_distance_to_record_i_l2: Num,
  mean_distance_to_next_cosine: Num,
  mean_distance_to_next_l2: Num,
});
export type DistanceMeans = z.infer<typeof DistanceMeans>;

/** FSR = intercept + slope · distance, by least squares, and its R²; null with fewer than 3 points or no spread. */
export const Fit = z.object({ n: z.number().int(), slope: z.number(), intercept: z.number(), r2: z.number() }).nullable();

export const DistanceFit = z.object({
  /** Runs with both a distance to record i+1 and a scored FSR: the points fitted. */
  runs: z.number().int(),
  /** The embedding models behind the distances (several: their distances are not on one scale, the fit mixes them). */
  models: z.array(z.string()),
  cosine: Fit,
  l2: Fit,
});
export type DistanceFit = z.infer<typeof DistanceFit>;
