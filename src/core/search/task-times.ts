import { getRecord, resolveRecordScript } from '../catalog/catalog.js';
import { sha256OfFile } from '../catalog/files.js';
import type { TrackManifest } from '../catalog/schema.js';
import { calibratedMs, type CalibrationFile } from '../calibrate/calibration-file.js';
import type { CacheLayout } from '../paths.js';

export interface TaskTimes {
  baselineMs: number;
  targetMs: number;
  /** Both times come from one source, so FSR never mixes this machine's times with the reference hardware's. */
  from: 'calibration' | 'record-table';
}

/** t_i and t_{i+1}: calibrated on this machine when both records are, else the record table's. */
export async function taskTimes(manifest: TrackManifest, record: number, calibration: CalibrationFile | null, cache: CacheLayout): Promise<TaskTimes> {
  const base = getRecord(manifest, record);
  const next = getRecord(manifest, record + 1);
  if (calibration) {
    const shaOf = async (n: number) => (await sha256OfFile(await resolveRecordScript(manifest, n, cache))) ?? '';
    const baselineMs = calibratedMs(calibration, record, await shaOf(record));
    const targetMs = calibratedMs(calibration, record + 1, await shaOf(record + 1));
    if (baselineMs !== null && targetMs !== null) return { baselineMs, targetMs, from: 'calibration' };
  }
  return { baselineMs: base.time_ms, targetMs: next.time_ms, from: 'record-table' };
}
