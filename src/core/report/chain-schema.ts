import { z } from 'zod';

/**
 * One step of a chain in report.json (README "Chains"): where it started, the start script's own time in the step,
 * the task's t_i and t_i+1 its FSR used (the true records', never the start script's), its best and its FSR.
 */
export const ChainRow = z.object({
  /** The chain's folder name (the folder holding bench.json and the steps' run folders). */
  chain: z.string(),
  step: z.number().int().nonnegative(),
  run_id: z.string(),
  task: z.string(),
  /** record i's own script, step k−1's best node, or step k−1's own start (it had no valid node), in words. */
  start: z.string(),
  start_from: z.enum(['record', 'best', 'carried']),
  /** Node 0 as the step trained it; null when it was timed by the record table or calibration, or missed the target. */
  start_ms: z.number().nullable(),
  baseline_ms: z.number(),
  target_ms: z.number(),
  times_from: z.string(),
  best_node: z.number().int().nullable(),
  best_ms: z.number().nullable(),
  fsr: z.number().nullable(),
  status: z.string(),
});
export type ChainRow = z.infer<typeof ChainRow>;
