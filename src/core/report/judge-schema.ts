import { z } from 'zod';

/**
 * report.json's `judge`: `speedrun judge`'s reproducibility scores beside FSR, per configuration and per run. Null
 * when no run of the report has a judge.json.
 */

const Num = z.number().nullable();

export const JudgeRow = z.object({
  configuration: z.string(),
  runs: z.number().int(),
  /** Runs with a judge.json; the mean is over them. */
  judged: z.number().int(),
  mean_score: Num,
  /** Mean FSR of the judged runs that are scored, so the two means rest on (nearly) the same runs. */
  mean_fsr: Num,
});
export type JudgeRow = z.infer<typeof JudgeRow>;

/** One judged, scored run: a point of the score-against-FSR scatter. */
export const JudgePoint = z.object({ run_id: z.string(), configuration: z.string(), task: z.string(), score: z.number(), fsr: z.number() });
export type JudgePoint = z.infer<typeof JudgePoint>;

export const JudgeReport = z.object({
  judged: z.number().int(),
  /** The judge models and prompt versions behind the scores (several: the means mix them). */
  models: z.array(z.string()),
  prompt_versions: z.array(z.string()),
  rows: z.array(JudgeRow),
  points: z.array(JudgePoint),
  /** Pearson's r of judge score and FSR over the points; null with fewer than 3 or no spread. */
  correlation: Num,
});
export type JudgeReport = z.infer<typeof JudgeReport>;
