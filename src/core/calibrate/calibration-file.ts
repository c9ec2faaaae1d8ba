import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs-atomic.js';
import { UserError } from '../errors.js';
import { TimingRule } from '../catalog/schema.js';
import type { Timing } from '../catalog/task-timing.js';

export const RecordCalibration = z.object({
  /** The script these times belong to; a changed script makes the entry stale. */
  script_sha256: z.string(),
  times_ms: z.array(z.number().nullable()),
  median_ms: z.number().nullable(),
  min_ms: z.number().nullable(),
  max_ms: z.number().nullable(),
  /** Repeats that never reached the target (crash, timeout, missed). */
  failures: z.number().int().nonnegative(),
  /**
   * How the times were read. Absent in files written before tracks declared a rule: those timed every record at
   * its first crossing of the track's target, and count only where that is still the rule.
   */
  timing_rule: TimingRule.optional(),
  target_val_loss: z.number().optional(),
});
export type RecordCalibration = z.infer<typeof RecordCalibration>;

export const CalibrationFile = z.object({
  track: z.string(),
  updated_at: z.string(),
  machine: z.object({
    cpus: z.number(),
    cpu_model: z.string(),
    python: z.string(),
    torch_version: z.string(),
    /** The GPUs each repeat trained on (nvidia-smi's names); absent for CPU calibrations. */
    gpus: z.array(z.string()).optional(),
  }),
  /** Keyed by record number. */
  records: z.record(z.string(), RecordCalibration),
});
export type CalibrationFile = z.infer<typeof CalibrationFile>;

export async function loadCalibration(path: string): Promise<CalibrationFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const parsed = CalibrationFile.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `calibration file ${path} is invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
      `delete it and run \`speedrun calibrate\` again`,
    );
  }
  return parsed.data;
}

export async function saveCalibration(path: string, file: CalibrationFile): Promise<void> {
  await writeJsonAtomic(path, file);
}

/**
 * The calibrated median for a record, only when it was measured on the script as it is now and read the way the
 * track reads times now (a first-crossing time is not a final-line time).
 */
export function calibratedMs(file: CalibrationFile | null, record: number, scriptSha256: string, timing: Timing): number | null {
  const entry = file?.records[String(record)];
  if (!entry || entry.script_sha256 !== scriptSha256) return null;
  if ((entry.timing_rule ?? 'first-crossing') !== timing.rule) return null;
  if (entry.target_val_loss !== undefined && entry.target_val_loss !== timing.target) return null;
  return entry.median_ms;
}
