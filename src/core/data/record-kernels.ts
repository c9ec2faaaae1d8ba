import { copyFile, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resolveManifestFile, resolveRecordScript } from '../catalog/catalog.js';
import type { TrackManifest } from '../catalog/schema.js';
import type { CacheLayout } from '../paths.js';
import { UserError } from '../errors.js';
import { hubKernelsUsed, type HubKernelRef } from './hub-kernels.js';

/**
 * Log-recovered records from 2026 import kernel files (triton_kernels.py, ...) that their logs carry beside the
 * script. Every training needs them in the script's folder; they are copied there unchanged (agents edit
 * train_gpt.py only).
 */
export async function recordKernelFiles(manifest: TrackManifest, records: readonly number[], cache: CacheLayout): Promise<string[]> {
  const byName = new Map<string, { path: string; sha256: string; record: number }>();
  for (const number of records) {
    const record = manifest.records.find((r) => r.number === number);
    for (const ref of record?.kernels ?? []) {
      const name = basename(ref.path);
      const seen = byName.get(name);
      if (seen && seen.sha256 !== ref.sha256) {
        throw new UserError(
          `records ${seen.record} and ${number} ship different ${name} files, and one training folder holds one`,
          'name these records in separate commands',
        );
      }
      if (!seen) byName.set(name, { path: await resolveManifestFile(manifest.track, manifest.source, ref, cache), sha256: ref.sha256, record: number });
    }
  }
  return [...byName.values()].map((f) => f.path);
}

/** The hub kernels (get_kernel(...)) the scripts of these records load, each once. */
export async function recordHubKernels(manifest: TrackManifest, records: readonly number[], cache: CacheLayout): Promise<HubKernelRef[]> {
  const refs = new Map<string, HubKernelRef>();
  for (const number of records) {
    if (!manifest.records.some((r) => r.number === number)) continue;
    const script = await readFile(await resolveRecordScript(manifest, number, cache), 'utf8');
    for (const ref of hubKernelsUsed(script)) refs.set(`${ref.repo}@${ref.revision}`, ref);
  }
  return [...refs.values()];
}

/** Copies the files a script imports into the folder of the script about to train (replacing what is there). */
export async function placeBesideScript(files: readonly string[] | undefined, scriptPath: string): Promise<void> {
  for (const file of files ?? []) await copyFile(file, join(dirname(scriptPath), basename(file)));
}

/**
 * The hub kernels' build variants these records need (`torch210-` for torch 2.10: the `kernels` package names a
 * build `torch<major><minor>-cxx11-cu<cuda>-<arch>`), from the torch of each record's image, so a fetch downloads
 * the builds the records' containers load and not every one the repository has. Empty when no record names an image.
 */
export function kernelVariantPrefixes(manifest: TrackManifest, records: readonly number[]): string[] {
  const prefixes = manifest.records
    .filter((r) => records.includes(r.number) && r.image !== undefined)
    .map((r) => /torch(\d+)\.(\d+)\./.exec(r.image!))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `torch${m[1]}${m[2]}-`);
  return [...new Set(prefixes)].sort();
}
