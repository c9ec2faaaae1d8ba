import { getRecord } from '../catalog/catalog.js';
import type { TrackManifest } from '../catalog/schema.js';
import { calibratedMs, type CalibrationFile } from '../calibrate/calibration-file.js';

export interface TaskTimes {
  baselineMs: number;
  targetMs: number;
  /** Both times come from one source, so FSR never mixes this machine's times with the reference hardware's. */
  from: 'calibration' | 'record-table';
}

/** t_i and t_{i+1}: calibrated on this machine when both records are, else the record table's. */
export function taskTimes(manifest: TrackManifest, record: number, calibration: CalibrationFile | null): TaskTimes {
  const base = getRecord(manifest, record);
  const next = getRecord(manifest, record + 1);
  // A calibration counts only for the scripts as the manifest pins them (resolving a script verifies that hash).
  const baselineMs = calibratedMs(calibration, record, base.script.sha256);
  const targetMs = calibratedMs(calibration, record + 1, next.script.sha256);
  if (baselineMs !== null && targetMs !== null) return { baselineMs, targetMs, from: 'calibration' };
  return { baselineMs: base.time_ms, targetMs: next.time_ms, from: 'record-table' };
}
