import type { TrackManifest } from '../catalog/schema.js';
import { UserError } from '../errors.js';

/** The GPU counts a torchrun record trains its own algorithm with (the manifest's gpu_counts, else launch.nproc). */
export function gpuCounts(manifest: TrackManifest, record: number): number[] {
  return manifest.records.find((r) => r.number === record)?.gpu_counts ?? [manifest.launch.nproc];
}

/**
 * How many processes a record's script is started with: 1 for plain python scripts, else one per GPU of the
 * slot (torchrun). A record whose script only trains its own algorithm on certain GPU counts (it asserts 8
 * processes, or keeps a per-GPU batch without gradient accumulation) is refused on any other count, rather
 * than run as something different from the record.
 */
export function processCount(manifest: TrackManifest, record: number, gpusPerSlot: number): number {
  if (manifest.launch.runner === 'python') return 1;
  const allowed = gpuCounts(manifest, record);
  const listed = allowed.join(', ');
  if (gpusPerSlot === 0) {
    throw new UserError(
      `${manifest.track} record ${record} trains on CUDA GPUs (${listed} of them), but no GPUs were asked for`,
      `pass --gpus (e.g. --gpus 0-7) and --gpus-per-run ${Math.max(...allowed)}`,
    );
  }
  if (!allowed.includes(gpusPerSlot)) {
    throw new UserError(
      `${manifest.track} record ${record} trains its own algorithm only with ${listed} GPU${listed === '1' ? '' : 's'} per run, not ${gpusPerSlot}` +
        (allowed.length === 1 ? ' (its script asserts that count or keeps a per-GPU batch without gradient accumulation)' : ''),
      `use --gpus-per-run ${allowed.filter((n) => n <= gpusPerSlot).at(-1) ?? Math.min(...allowed)}, on a machine with that many GPUs`,
    );
  }
  return gpusPerSlot;
}

/** Refuses, before any work, a GPU count one of the records cannot train with. */
export function checkGpuCounts(manifest: TrackManifest, records: readonly number[], gpusPerSlot: number): void {
  for (const record of records) processCount(manifest, record, gpusPerSlot);
}
