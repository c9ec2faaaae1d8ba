import { join } from 'node:path';
import type { TrackManifest } from '../core/catalog/schema.js';
import { calibrate, type LadderRung } from '../core/calibrate/run-calibration.js';
import type { CalibrationFile } from '../core/calibrate/calibration-file.js';
import { trackEnvironment } from '../core/data/track-env.js';
import { LocalExecutor } from '../core/exec/local.js';
import type { PythonWithTorch } from '../core/exec/python.js';
import type { CliContext } from './context.js';
import { formatTable } from './format.js';
import { formatTime } from '../core/format-time.js';

/** The demo and `speedrun calibrate` share this: prepare data, measure interleaved repeats, save. */
export async function calibrateRecords(
  ctx: CliContext,
  manifest: TrackManifest,
  records: number[],
  repeats: number,
  python: PythonWithTorch,
  signal: AbortSignal,
): Promise<CalibrationFile> {
  const cache = ctx.cache();
  const trackData = await trackEnvironment(manifest, cache, { signal, log: ctx.log });
  ctx.log(`calibrating ${manifest.track} records ${records.join(', ')} × ${repeats} repeats (interleaved)…`);
  return calibrate({
    manifest,
    records,
    repeats,
    executor: new LocalExecutor(),
    python,
    cache,
    trackData,
    workRoot: join(cache.root, 'calibration', `${manifest.track}-runs`),
    signal,
    onRepeat: (record, repeat, result) =>
      ctx.log(`  record ${record} repeat ${repeat}/${repeats}: ${result.status}, time to target ${formatTime(result.time_to_target_ms)}`),
  });
}

/** The ladder with each rung's speedup and whether it clears the required factor. */
export function formatLadder(rungs: LadderRung[], file: CalibrationFile, minSpeedup: number): string {
  const rows = rungs.map((rung) => {
    const entry = file.records[String(rung.record)];
    const speedup = rung.speedup === null ? '' : `${rung.speedup.toFixed(2)}×${rung.speedup < minSpeedup ? `  below ${minSpeedup}×` : ''}`;
    return [String(rung.record), formatTime(rung.median_ms), formatTime(entry?.min_ms), formatTime(entry?.max_ms), speedup];
  });
  return formatTable(['record', 'median', 'min', 'max', 'speedup'], rows);
}
