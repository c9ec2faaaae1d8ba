import { UserError } from '../../errors.js';
import type { GpuInfo } from '../gpus.js';
import { parseGpuList } from '../gpus.js';

/** Real seconds per simulated second of training for `--executor sim` (default 0: every training ends at once). */
export const SIM_TIME_SCALE_ENV = 'SPEEDRUN_SIM_TIME_SCALE';

export function simTimeScale(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 0;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale < 0)
    throw new UserError(`${SIM_TIME_SCALE_ENV}=${value} is not a number ≥ 0`, `e.g. ${SIM_TIME_SCALE_ENV}=0.001 (a 50-minute record trains in 3 s)`);
  return scale;
}

/**
 * The GPUs a simulated machine has: exactly those --gpus names (e.g. 0-63 for 8 nodes of 8), so slots of 1 or 8
 * GPUs can be planned without nvidia-smi. Without --gpus there is nothing to simulate.
 */
export function simulatedGpus(spec: string | undefined): GpuInfo[] {
  if (spec === undefined)
    throw new UserError('--executor sim with --gpus-per-run needs --gpus to say which GPUs to simulate', 'e.g. --gpus 0-63 --gpus-per-run 8');
  return parseGpuList(spec).map((index) => ({ index, uuid: null, name: 'simulated GPU', memoryMiB: null }));
}
