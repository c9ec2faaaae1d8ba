import { join } from 'node:path';
import { z } from 'zod';
import { TimingRule } from '../catalog/schema.js';
import { writeJsonAtomic } from '../fs-atomic.js';
import { readStoreJson } from './damaged-run.js';
import { VERIFICATION_FILE } from './layout.js';

/** One training of the verification: the best node's script or the baseline record's, in a fresh folder. */
export const VerificationRepeat = z.object({
  script: z.enum(['node', 'baseline']),
  repeat: z.number().int().positive(),
  /** The fresh folder it ran in, relative to the run folder. */
  dir: z.string(),
  status: z.string(),
  time_to_target_ms: z.number().nullable(),
  /** The last validation line's loss: what the t-test is about (upstream tests the final val loss). */
  final_val_loss: z.number().nullable(),
  wall_ms: z.number().nullable(),
  /** The harness's integrity findings of this training (clock cross-check), one line each. */
  flags: z.array(z.string()),
});
export type VerificationRepeat = z.infer<typeof VerificationRepeat>;

const TimeStats = z.object({
  times_ms: z.array(z.number().nullable()),
  /** Over the repeats that reached the target; null when none did. */
  mean_time_ms: z.number().nullable(),
  sd_time_ms: z.number().nullable(),
});

export const VerificationFile = z.object({
  version: z.literal(1),
  run_id: z.string(),
  verified_at: z.string(),
  /** verified: the speedup reproduced; unverified: it did not (see reasons); baseline: the best node is record i itself. */
  status: z.enum(['verified', 'unverified', 'baseline']),
  reasons: z.array(z.string()),
  /** The node re-run (the run's best), and its script's sha256; null when the best is the baseline. */
  node: z.number().int().nullable(),
  script_sha256: z.string().nullable(),
  repeats: z.number().int().positive(),
  /** The significance level the val-loss test must beat. */
  alpha: z.number(),
  target_val_loss: z.number(),
  /** How each repeat's time was read (the run's rule); absent in files written before tracks declared one. */
  timing_rule: TimingRule.optional(),
  node_stats: TimeStats.extend({
    val_losses: z.array(z.number().nullable()),
    mean_val_loss: z.number().nullable(),
    sd_val_loss: z.number().nullable(),
    /** One-sided t-test that the mean final val loss is below the target: t, degrees of freedom, p-value. */
    t: z.number().nullable(),
    df: z.number().nullable(),
    p_value: z.number().nullable(),
  }).nullable(),
  baseline_stats: TimeStats.nullable(),
  /** The run's score as the search measured it, and the score the verification supports (0 when unverified). */
  fsr_claimed: z.number().nullable(),
  fsr_verified: z.number().nullable(),
  runs: z.array(VerificationRepeat),
  /** The integrity flags of `node` that this verification cleared: it reproduced in fresh folders, so it may be scored. */
  cleared_flags: z.array(z.string()).default([]),
  /** Nodes tried before `node` (a flagged node faster than the claimed best) that did not verify. */
  attempts: z.array(z.object({ node: z.number().int(), status: z.string(), reasons: z.array(z.string()) })).default([]),
});
export type VerificationFile = z.infer<typeof VerificationFile>;

/** verification.json (reports, the bench table and the TUI read verified scores from it), or null before `speedrun verify` ran; a damaged one throws DamagedRunError. */
export async function readVerification(runDir: string): Promise<VerificationFile | null> {
  return (await readStoreJson(runDir, join(runDir, VERIFICATION_FILE), VerificationFile)) ?? null;
}

export async function writeVerification(runDir: string, file: VerificationFile): Promise<void> {
  await writeJsonAtomic(join(runDir, VERIFICATION_FILE), VerificationFile.parse(file));
}
