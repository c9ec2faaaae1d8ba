import { loadCalibration, type CalibrationFile } from '../calibrate/calibration-file.js';
import { loadTrack } from '../catalog/load.js';
import { TrackName, type TrackManifest } from '../catalog/schema.js';
import type { CacheLayout } from '../paths.js';
import type { ReportRun } from './runs.js';
import type { TimeSpreadRow } from './paper-schema.js';

/**
 * σ_i: the run-to-run spread of a task's baseline time t_i, which the paper's node types need ("no improvement" is
 * slower than t_i + σ_i). It comes from where t_i came from: the record table's spread (nanogpt: the paper authors'
 * 3-run sd, records/nanogpt.json `time_sd_ms`; otherwise the repeat times its `time_source` lists), or the calibration
 * the run scored against (the sample sd of its repeats).
 */

export type SpreadOf = (run: ReportRun) => TimeSpreadRow;

/** Sample standard deviation (n − 1), as numpy's std(ddof=1); null below 2 values. */
export function sampleSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** "median of 3 interleaved runs (36006, 36488, 35698 ms) on …" → the sd of those times; null when none are listed. */
export function sdFromTimeSource(text: string): number | null {
  const listed = /\((\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)+)\s*ms\)/.exec(text);
  return listed ? sampleSd(listed[1]!.split(',').map(Number)) : null;
}

export function spreadLookup(manifests: ReadonlyMap<string, TrackManifest>, calibrations: ReadonlyMap<string, CalibrationFile | null>): SpreadOf {
  return (run) => {
    const s = run.summary;
    const row = { task: `${s.track}/${s.record}`, times_from: s.times_from, baseline_ms: s.baseline_ms };
    if (s.times_from === 'calibration') {
      const entry = calibrations.get(s.track)?.records[String(s.record)];
      if (!entry) return { ...row, sd_ms: null, source: `no calibration of ${s.track} record ${s.record} on this machine any more` };
      // A calibration redone since the run would give another machine state's spread.
      if (entry.median_ms !== s.baseline_ms)
        return { ...row, sd_ms: null, source: `the calibration changed since the run (median ${entry.median_ms} ms, the run used ${s.baseline_ms} ms)` };
      const times = entry.times_ms.filter((t): t is number => t !== null);
      const sd = sampleSd(times);
      return {
        ...row,
        sd_ms: sd,
        source: sd === null ? 'the calibration has fewer than 2 timed repeats' : `sample sd of the calibration's ${times.length} repeats`,
      };
    }
    if (s.times_from === 'record-table') {
      const record = manifests.get(s.track)?.records.find((r) => r.number === s.record);
      if (!record) return { ...row, sd_ms: null, source: `track ${s.track} has no record ${s.record} here` };
      if (record.time_sd_ms !== undefined) return { ...row, sd_ms: record.time_sd_ms, source: `records/${s.track}.json time_sd_ms` };
      const sd = sdFromTimeSource(record.time_source);
      return { ...row, sd_ms: sd, source: sd === null ? 'the record table lists no spread' : `sample sd of the times in records/${s.track}.json time_source` };
    }
    return { ...row, sd_ms: null, source: `no spread known for times from ${s.times_from}` };
  };
}

/** Reads the manifests and calibrations of the runs' tracks: the CLI's spreads for a report. */
export async function loadSpreadLookup(runs: readonly ReportRun[], cache: CacheLayout): Promise<SpreadOf> {
  const manifests = new Map<string, TrackManifest>();
  const calibrations = new Map<string, CalibrationFile | null>();
  for (const track of new Set(runs.map((r) => r.summary.track))) {
    const name = TrackName.safeParse(track);
    if (!name.success) continue;
    manifests.set(track, await loadTrack(name.data));
    calibrations.set(track, await loadCalibration(cache.calibration(track)));
  }
  return spreadLookup(manifests, calibrations);
}

/** One row per task and time source the report's runs used, sorted. */
export function spreadTable(runs: readonly ReportRun[], spreadOf: SpreadOf): TimeSpreadRow[] {
  const rows = new Map<string, TimeSpreadRow>();
  for (const run of runs) {
    const row = spreadOf(run);
    rows.set(`${row.task}\u0000${row.times_from}\u0000${row.baseline_ms}`, row);
  }
  return [...rows.values()].sort((a, b) => a.task.localeCompare(b.task, 'en', { numeric: true }) || a.times_from.localeCompare(b.times_from));
}
