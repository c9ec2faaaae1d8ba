import { getRecord } from '../catalog/catalog.js';
import type { TrackManifest } from '../catalog/schema.js';
import { recordTiming } from '../catalog/task-timing.js';
import { calibratedMs, type CalibrationFile } from './calibration-file.js';

export interface TaskTimes {
  baselineMs: number;
  targetMs: number;
  /** Both times come from one source, so FSR never mixes this machine's times with the reference hardware's. */
  from: 'calibration' | 'record-table';
  /** When they were measured: the calibration file's date; null for the record table (its words say). */
  measuredAt: string | null;
  /** Where they come from, in words, for run.json's `scoring`. */
  detail: string;
}

/**
 * t_i and t_{i+1} known before a run: calibrated on this machine when both records are (by the track's timing
 * rule), else the record table's. A run that re-times (README "Timing and scoring") scores with its own
 * measurements instead and uses these only for the ratio t_{i+1}/t_i (retime `baseline`) and for the prompt.
 */
export function taskTimes(manifest: TrackManifest, record: number, calibration: CalibrationFile | null): TaskTimes {
  const base = getRecord(manifest, record);
  const next = getRecord(manifest, record + 1);
  // A calibration counts only for the scripts as the manifest pins them (resolving a script verifies that hash).
  const baselineMs = calibratedMs(calibration, record, base.script.sha256, recordTiming(manifest, record));
  const targetMs = calibratedMs(calibration, record + 1, next.script.sha256, recordTiming(manifest, record + 1));
  if (baselineMs !== null && targetMs !== null) {
    const machine = calibration!.machine;
    const detail = `median of calibrated repeats (speedrun calibrate) on ${machine.gpus?.length ? machine.gpus.join(', ') : `${machine.cpus} × ${machine.cpu_model}`}`;
    return { baselineMs, targetMs, from: 'calibration', measuredAt: calibration!.updated_at, detail };
  }
  return { baselineMs: base.time_ms, targetMs: next.time_ms, from: 'record-table', measuredAt: null, detail: `record table: ${base.time_source}` };
}
