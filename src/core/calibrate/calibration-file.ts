import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs-atomic.js';
import { UserError } from '../errors.js';

export const RecordCalibration = z.object({
  /** The script these times belong to; a changed script makes the entry stale. */
  script_sha256: z.string(),
  times_ms: z.array(z.number().nullable()),
  median_ms: z.number().nullable(),
  min_ms: z.number().nullable(),
  max_ms: z.number().nullable(),
  /** Repeats that never reached the target (crash, timeout, missed). */
  failures: z.number().int().nonnegative(),
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

/** The calibrated median for a record, only when it was measured on the script as it is now. */
export function calibratedMs(file: CalibrationFile | null, record: number, scriptSha256: string): number | null {
  const entry = file?.records[String(record)];
  if (!entry || entry.script_sha256 !== scriptSha256) return null;
  return entry.median_ms;
}
