/** The GPUs a GPU configuration would train on: present, and the ones --gpus names among them. */
import { loadTrack } from '../catalog/catalog.js';
import { trainsOnGpus } from '../catalog/track-kind.js';
import { describeIds, parseGpuList, type GpuInfo } from '../exec/gpus.js';
import { gpuCounts } from '../exec/process-count.js';
import { fail, failFromError, ok, warn } from './check.js';
import type { DoctorCheck, DoctorContext } from './context.js';

export const gpuCheck: DoctorCheck = {
  id: 'gpus',
  title: 'GPUs',
  irrelevant: (ctx) => {
    if (!ctx.gpusWanted) return 'only when training on GPUs (--track nanogpt, nanogpt-modern or --gpus)';
    if (ctx.config.executor === 'slurm') return "with --executor slurm the GPUs are on the cluster's nodes, not here";
    return null;
  },
  run: async (ctx) => {
    let inventory: GpuInfo[];
    try {
      inventory = await ctx.gpus();
    } catch (error) {
      return failFromError(error, 'run nvidia-smi yourself to see what is wrong with the driver');
    }
    if (inventory.length === 0) {
      const cpu = trainsOnGpus(ctx.config.track) ? 'use --track tiny on CPU' : 'leave out --gpus to train on CPU';
      return fail(
        'no NVIDIA GPUs found (nvidia-smi is not installed or lists none)',
        `run on a machine whose \`nvidia-smi\` lists its GPUs (install the NVIDIA driver), or ${cpu}`,
      );
    }
    let selected = inventory;
    if (ctx.config.gpus !== undefined) {
      try {
        const ids = parseGpuList(ctx.config.gpus, inventory);
        selected = ids.map((id) => inventory.find((gpu) => gpu.index === id)!);
      } catch (error) {
        return failFromError(error, 'pick GPU ids that nvidia-smi lists');
      }
    }
    const detail = `${describeInventory(selected)}${selected.length < inventory.length ? ` (of ${inventory.length} on this machine)` : ''}`;
    return trainsOnGpus(ctx.config.track) ? enoughForTrack(ctx, selected, detail) : ok(detail);
  },
};

/**
 * The records launch one process per GPU. With fewer than 8, the records whose scripts accumulate gradients still
 * train as recorded; the others are refused by `speedrun run`, and the doctor names them. Records whose logs report
 * more peak memory per process than the smallest GPU here has are named too: they would run out of memory.
 */
async function enoughForTrack(ctx: DoctorContext, selected: GpuInfo[], detail: string) {
  const manifest = await loadTrack(ctx.config.track);
  const needMore = manifest.records.filter((r) => !gpuCounts(manifest, r.number).some((n) => n <= selected.length)).map((r) => r.number);
  const smallest = Math.min(...selected.map((gpu) => gpu.memoryMiB ?? Infinity));
  const tooBig = manifest.records.filter((r) => r.peak_memory_mib !== undefined && r.peak_memory_mib > smallest);
  const problems = [
    needMore.length > 0
      ? `records ${describeIds(needMore)} train only with ${manifest.launch.nproc} GPUs (torchrun --nproc_per_node=${manifest.launch.nproc}); the others accumulate gradients on fewer`
      : null,
    tooBig.length > 0
      ? `records ${describeIds(tooBig.map((r) => r.number))} peaked above ${Math.round(smallest / 1024)} GiB per GPU in their logs (up to ${Math.round(Math.max(...tooBig.map((r) => r.peak_memory_mib!)) / 1024)} GiB)`
      : null,
  ].filter((p): p is string => p !== null);
  if (problems.length === 0) return ok(detail);
  return warn(
    `${detail}: ${problems.join('; ')}`,
    `use a machine with ${manifest.launch.nproc} GPUs of 80 GiB${ctx.config.gpus !== undefined ? ', or name more with --gpus' : ''} for those records (speedrun records show N gives each record's GPU counts and memory)`,
  );
}

/** "8 GPUs (0-7): 8 × NVIDIA H100 80GB HBM3, 80 GiB" */
export function describeInventory(gpus: readonly GpuInfo[]): string {
  const kinds = new Map<string, number>();
  for (const gpu of gpus) {
    const memory = gpu.memoryMiB === null ? '' : `, ${Math.round(gpu.memoryMiB / 1024)} GiB`;
    const kind = `${gpu.name ?? 'unknown model'}${memory}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const models = [...kinds].map(([kind, count]) => `${count} × ${kind}`).join('; ');
  return `${gpus.length} GPU${gpus.length === 1 ? '' : 's'} (${describeIds(gpus.map((gpu) => gpu.index))}): ${models}`;
}
