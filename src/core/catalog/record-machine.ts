/**
 * What a recovered record needs of a machine, read from its script and log by the manifest generator: the container
 * image of its torch era, the GPU counts its script trains its own algorithm with, and the memory its log reports.
 */
export interface RecordMachine {
  image?: string;
  /** Why the image is not the exact build the log ran (a nightly gone from the wheel index, another CUDA). */
  approximate_env?: string;
  gpu_counts: number[];
  /** The peak GPU memory per process the log prints (reserved where it says, else allocated), MiB. */
  peak_memory_mib?: number;
}

/**
 * GPU counts from the script's own checks: `assert world_size == 8` trains only on 8; `8 % world_size == 0` (with
 * `grad_accum_steps = 8 // world_size`) keeps the global batch on 1, 2, 4 or 8. A script with neither is taken at
 * its reference 8, so a record is never offered on fewer GPUs than it was shown to train with.
 */
export function gpuCountsOfScript(script: string): number[] {
  if (/^\s*assert\s+world_size\s*==\s*8\b/m.test(script)) return [8];
  if (/^\s*assert\s+8\s*%\s*world_size\s*==\s*0\b/m.test(script)) return [1, 2, 4, 8];
  return [8];
}

/** `peak memory allocated: 31361 MiB reserved: 36734 MiB` or `peak memory consumption: 34239 MiB`: the last one. */
export function peakMemoryMiB(log: string): number | undefined {
  const lines = [...log.matchAll(/^peak memory (?:allocated: (\d+) MiB reserved: (\d+) MiB|consumption: (\d+) MiB)\s*$/gm)];
  const last = lines.at(-1);
  return last ? Number(last[2] ?? last[3]) : undefined;
}

/** The image of a torch era and why it is approximate (exec/docker/torch-eras.ts; given, as the catalog sits below exec). */
export type EraImageOf = (torch: string) => { image: string; approximate: string | null } | null;

export function recordMachine(script: string, log: string, torch: string | null, eraImage?: EraImageOf): RecordMachine {
  const era = torch && eraImage ? eraImage(torch) : null;
  const memory = peakMemoryMiB(log);
  return {
    ...(era ? { image: era.image, ...(era.approximate ? { approximate_env: era.approximate } : {}) } : {}),
    gpu_counts: gpuCountsOfScript(script),
    ...(memory !== undefined ? { peak_memory_mib: memory } : {}),
  };
}
