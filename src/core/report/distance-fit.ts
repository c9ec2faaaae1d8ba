import { leastSquares } from '../score/linear-fit.js';
import { isScored } from '../score/per-hint.js';
import type { DistanceFit, DistanceMeans, RunDistance } from './distance-schema.js';
import type { ReportRun } from './runs.js';

/** The code distances' share of the Reproduction tables: means per row, and FSR fitted on the distance to record i+1. */

function meanOf(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}

export function distanceMeans(measures: readonly RunDistance[]): DistanceMeans {
  const measured = measures.filter((m) => m.distance_to_next_cosine !== null);
  return {
    distance_runs: measured.length,
    mean_distance_to_record_i_cosine: meanOf(measured.map((m) => m.distance_to_record_i_cosine)),
    mean_distance_to_record_i_l2: meanOf(measured.map((m) => m.distance_to_record_i_l2)),
    mean_distance_to_next_cosine: meanOf(measured.map((m) => m.distance_to_next_cosine)),
    mean_distance_to_next_l2: meanOf(measured.map((m) => m.distance_to_next_l2)),
  };
}

/** FSR = a + b · distance to record i+1 over the scored runs with a distance (cosine and L2 apart); null when none has one. */
export function distanceFit(runs: readonly ReportRun[], measuresOf: (run: ReportRun) => RunDistance): DistanceFit | null {
  const measured = runs.map((run) => ({ run, d: measuresOf(run) })).filter(({ d }) => d.distance_to_next_cosine !== null);
  if (measured.length === 0) return null;
  const points = measured.filter(({ run }) => isScored(run));
  const fsr = points.map(({ run }) => run.summary.fsr as number);
  return {
    runs: points.length,
    models: [...new Set(measured.map(({ d }) => d.distance_model!))].sort(),
    cosine: leastSquares(
      points.map(({ d }) => d.distance_to_next_cosine!),
      fsr,
    ),
    l2: leastSquares(
      points.map(({ d }) => d.distance_to_next_l2!),
      fsr,
    ),
  };
}
