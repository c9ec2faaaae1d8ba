import { z } from 'zod';

/** How a node's execution ended. `missed-target` ran fine but never reached the target: valid-but-slow. */
export const NodeStatus = z.enum(['ok', 'crashed', 'timeout', 'no-metric', 'missed-target', 'aborted']);
export type NodeStatus = z.infer<typeof NodeStatus>;

export const NodeResult = z.object({
  node: z.number().int().nonnegative(),
  parent: z.number().int().nonnegative().nullable(),
  operator: z.enum(['baseline', 'draft', 'improve', 'debug']),
  status: NodeStatus,
  /** Where the numbers come from: a training run here, a calibration, the record table, or an identical earlier node. */
  measured_by: z.enum(['executed', 'calibration', 'record-table', 'duplicate']),
  duplicate_of: z.number().int().nonnegative().nullable(),
  script_sha256: z.string(),
  time_to_target_ms: z.number().nullable(),
  /** The validation loss on the line that reached the target. */
  val_loss_at_target: z.number().nullable(),
  final: z
    .object({ step: z.number(), total_steps: z.number().nullable(), val_loss: z.number(), train_time_ms: z.number().nullable() })
    .nullable(),
  wall_ms: z.number().nullable(),
  exit_code: z.number().nullable(),
  stderr_tail: z.string(),
  warnings: z.array(z.string()),
});
export type NodeResult = z.infer<typeof NodeResult>;

export const RunConfig = z.object({
  run_id: z.string(),
  track: z.string(),
  record: z.number().int().positive(),
  hint: z.string(),
  agent: z.string(),
  executor: z.string(),
  python: z.string().nullable(),
  torch_version: z.string().nullable(),
  created_at: z.string(),
});
export type RunConfig = z.infer<typeof RunConfig>;

/** The object `speedrun run --json` prints and run.json keeps (beside the config). */
export const RunSummary = z.object({
  run_id: z.string(),
  track: z.string(),
  record: z.number(),
  hint: z.string(),
  agent: z.string(),
  status: z.enum(['finished', 'failed', 'aborted']),
  baseline_ms: z.number(),
  target_ms: z.number(),
  /** calibration: measured on this machine by `speedrun calibrate`; record-table: the manifest's reference times. */
  times_from: z.enum(['calibration', 'record-table']),
  /** val_loss is null when the best node is the baseline timed by calibration or the record table. */
  best: z.object({ node: z.number(), train_time_ms: z.number(), val_loss: z.number().nullable() }).nullable(),
  fsr: z.number().nullable(),
  fsr_flags: z.array(z.string()),
  results_dir: z.string(),
});
export type RunSummary = z.infer<typeof RunSummary>;
