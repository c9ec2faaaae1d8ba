import { join } from 'node:path';
import type { TrackManifest } from '../core/catalog/schema.js';
import { calibrate, type LadderRung } from '../core/calibrate/run-calibration.js';
import type { CalibrationFile } from '../core/calibrate/calibration-file.js';
import { trackEnvironment } from '../core/data/track-env.js';
import { runCommand } from '../core/exec/command-runner.js';
import { describeIds, detectGpus, NVIDIA_SMI_ENV, slotPoolFor } from '../core/exec/gpus.js';
import { LocalExecutor } from '../core/exec/local.js';
import { checkGpuCounts } from '../core/exec/process-count.js';
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
  gpus?: CalibrationGpus,
): Promise<CalibrationFile> {
  const cache = ctx.cache();
  checkGpuCounts(manifest, records, gpus?.ids.length ?? 0); // before the data: the cheaper refusal first
  const trackData = await trackEnvironment(manifest, cache, { signal, log: ctx.log, records });
  const where = gpus ? ` on GPU${gpus.ids.length === 1 ? '' : 's'} ${describeIds(gpus.ids)}` : '';
  ctx.log(`calibrating ${manifest.track} records ${records.join(', ')} × ${repeats} repeats (interleaved)${where}…`);
  return calibrate({
    manifest,
    records,
    repeats,
    executor: new LocalExecutor(),
    python,
    cache,
    trackData,
    workRoot: join(cache.root, 'calibration', `${manifest.track}-runs`),
    gpus,
    signal,
    onRepeat: (record, repeat, result) =>
      ctx.log(`  record ${record} repeat ${repeat}/${repeats}: ${result.status}, time to target ${formatTime(result.time_to_target_ms)}`),
  });
}

export interface CalibrationGpus {
  ids: number[];
  names: string[];
}

/**
 * The GPUs a calibration trains on: the first set of --gpus-per-run GPUs from --gpus (all GPUs when only
 * --gpus-per-run is given). Repeats run one at a time on that set, so records never compete for a device.
 * Undefined when neither flag is given (CPU).
 */
export async function calibrationGpus(ctx: CliContext, flags: { gpus?: string; gpusPerRun?: number }): Promise<CalibrationGpus | undefined> {
  if (flags.gpus === undefined && flags.gpusPerRun === undefined) return undefined;
  const inventory = await detectGpus(runCommand, { nvidiaSmi: ctx.env[NVIDIA_SMI_ENV] });
  const plan = slotPoolFor({ gpus: flags.gpus, gpusPerRun: flags.gpusPerRun, inventory });
  const ids = await plan.pool.with(async (slot) => [...slot.gpus]);
  return { ids, names: ids.map((id) => inventory.find((gpu) => gpu.index === id)?.name ?? `GPU ${id}`) };
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
