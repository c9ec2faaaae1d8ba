import type { TrackData } from '../data/track-env.js';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { getRecord, resolveRecordScript } from '../catalog/catalog.js';
import type { TrackManifest } from '../catalog/schema.js';
import { recordTiming, type Timing } from '../catalog/task-timing.js';
import type { Executor } from '../exec/types.js';
import type { PythonWithTorch } from '../exec/python.js';
import type { CacheLayout } from '../paths.js';
import { checkGpuCounts } from '../exec/process-count.js';
import { trackLaunch } from '../exec/node-job.js';
import { executeNode } from '../train/execute-node.js';
import type { NodeResult } from '../store/schema.js';
import { loadCalibration, saveCalibration, type CalibrationFile, type RecordCalibration } from './calibration-file.js';
import { median } from '../score/stats.js';

export interface CalibrateInput {
  manifest: TrackManifest;
  records: number[];
  repeats: number;
  executor: Executor;
  python: PythonWithTorch;
  cache: CacheLayout;
  trackData: TrackData;
  /** Where each repeat's logs are kept. */
  workRoot: string;
  /** The GPU ids every repeat trains on (torchrun starts one process per GPU); empty or absent: CPU. */
  gpus?: { ids: number[]; names: string[] };
  signal?: AbortSignal;
  /** Called after every repeat, so a long calibration shows progress. */
  onRepeat?: (record: number, repeat: number, result: NodeResult) => void;
  now?: () => Date;
}

/**
 * Measures each record's time to target on this machine. Repeats are interleaved (1,2,..,n,1,2,..) so that
 * slow drifts of the machine (thermal, other load) spread over all records instead of biasing one.
 * Results merge into the track's calibration file; records not asked for keep their earlier entries.
 */
export async function calibrate(input: CalibrateInput): Promise<CalibrationFile> {
  const { manifest, cache } = input;
  const now = input.now ?? (() => new Date());
  const scripts = new Map<number, { path: string; sha: string }>();
  const gpus = input.gpus?.ids ?? [];
  checkGpuCounts(manifest, input.records, gpus.length);
  for (const record of input.records) {
    const path = await resolveRecordScript(manifest, record, cache);
    // resolveRecordScript verified the file against the manifest's hash.
    scripts.set(record, { path, sha: getRecord(manifest, record).script.sha256 });
  }

  const launch = trackLaunch(manifest, input.python.python, input.trackData);
  const times = new Map<number, Array<number | null>>(input.records.map((r) => [r, []]));
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  for (let repeat = 0; repeat < input.repeats; repeat++) {
    for (const record of input.records) {
      input.signal?.throwIfAborted();
      const script = scripts.get(record)!;
      const result = await executeNode({
        runId: `calibrate-${manifest.track}`,
        node: record,
        parent: null,
        operator: 'baseline',
        scriptPath: script.path,
        scriptSha256: script.sha,
        workDir: join(input.workRoot, stamp, `r${String(record).padStart(2, '0')}-${repeat + 1}`),
        executor: input.executor,
        launch,
        gpus,
        // Each record at its own threshold, by the track's rule: the time a task of either side will read.
        timing: recordTiming(manifest, record),
        signal: input.signal,
      });
      times.get(record)!.push(result.status === 'ok' ? result.time_to_target_ms : null);
      input.onRepeat?.(record, repeat + 1, result);
    }
  }

  const path = cache.calibration(manifest.track);
  const previous = await loadCalibration(path);
  const file: CalibrationFile = {
    track: manifest.track,
    updated_at: now().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      python: input.python.python,
      torch_version: input.python.torchVersion,
      ...(gpus.length > 0 ? { gpus: input.gpus!.names } : {}),
    },
    records: { ...(previous?.records ?? {}) },
  };
  for (const [record, values] of times) file.records[String(record)] = summarise(scripts.get(record)!.sha, values, recordTiming(manifest, record));
  await saveCalibration(path, file);
  return file;
}

function summarise(sha: string, values: Array<number | null>, timing: Timing): RecordCalibration {
  const ok = values.filter((v): v is number => v !== null);
  return {
    script_sha256: sha,
    timing_rule: timing.rule,
    target_val_loss: timing.target,
    times_ms: values,
    // A record that failed in any repeat has no trustworthy time.
    median_ms: ok.length === values.length && ok.length > 0 ? median(ok) : null,
    min_ms: ok.length ? Math.min(...ok) : null,
    max_ms: ok.length ? Math.max(...ok) : null,
    failures: values.length - ok.length,
  };
}

export interface LadderRung {
  record: number;
  median_ms: number | null;
  /** How many times faster than the record before it (null for the first or when either is missing). */
  speedup: number | null;
}

/** The ladder property: each record should be clearly faster than the one before it. */
export function ladder(file: CalibrationFile, records: number[]): LadderRung[] {
  return records.map((record, i) => {
    const median_ms = file.records[String(record)]?.median_ms ?? null;
    const prev = i > 0 ? (file.records[String(records[i - 1])]?.median_ms ?? null) : null;
    return { record, median_ms, speedup: prev !== null && median_ms ? prev / median_ms : null };
  });
}
