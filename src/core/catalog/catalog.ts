import { UserError } from '../errors.js';
import { packageRoot, type CacheLayout } from '../paths.js';
import { checkFile, joinContained, upstreamPaths, type FileState } from './files.js';
import type { FileRef, RecordEntry, TrackManifest, TrackSource } from './schema.js';

export { loadHints, loadTrack, parseTrackName, recordsManifestPath, hintsManifestPath } from './load.js';

/** A task: start from `record`, aim for the next record's time. */
export interface TaskEntry {
  record: number;
  baselineMs: number;
  targetMs: number;
}

export function getRecord(manifest: TrackManifest, n: number): RecordEntry {
  const record = manifest.records.find((r) => r.number === n);
  const lost = manifest.unrecoverable?.find((u) => u.number === n);
  if (!record && lost) {
    throw new UserError(
      `record ${n} of track ${manifest.track} has no recoverable script: ${lost.reason}`,
      `pick another record (speedrun records list --track ${manifest.track})`,
    );
  }
  if (!record) {
    const valid = manifest.records.map((r) => r.number);
    throw new UserError(`track ${manifest.track} has no record ${n}`, `use one of: ${formatNumbers(valid)}`);
  }
  return record;
}

/** Records i whose successor i+1 exists and that are not excluded. */
export function listTasks(manifest: TrackManifest): TaskEntry[] {
  const byNumber = new Map(manifest.records.map((r) => [r.number, r]));
  const tasks: TaskEntry[] = [];
  for (const record of manifest.records) {
    const next = byNumber.get(record.number + 1);
    if (!next || record.task_excluded !== undefined) continue;
    tasks.push({ record: record.number, baselineMs: record.time_ms, targetMs: next.time_ms });
  }
  return tasks;
}

/** Why record n starts no task, in words (excluded, no next record, a next record with no script); null if it does. */
export function whyNoTask(manifest: TrackManifest, n: number): string | null {
  if (listTasks(manifest).some((t) => t.record === n)) return null;
  const record = manifest.records.find((r) => r.number === n);
  if (!record) {
    const lost = manifest.unrecoverable?.find((u) => u.number === n);
    return lost ? `record ${n} has no recoverable script: ${lost.reason}` : `the track has no record ${n}`;
  }
  if (record.task_excluded !== undefined) return `excluded: ${record.task_excluded}`;
  const lost = manifest.unrecoverable?.find((u) => u.number === n + 1);
  if (lost) return `record ${n + 1} has no recoverable script (${lost.reason})`;
  return `record ${n} is the last of the track`;
}

/** Where a manifest file lives on this machine (whether or not it is there). */
export function localFilePath(source: TrackSource, ref: FileRef, cache: CacheLayout, root: string = packageRoot): string {
  const where = `file ${ref.path}`;
  if (source.kind === 'bundled') return joinContained(root, ref.path, where);
  return joinContained(upstreamPaths(cache, source).filesDir, ref.path, where);
}

/**
 * Availability of a manifest file: `ok`, `missing` (bundled: not shipped; upstream: not synced)
 * or `modified` (the bytes differ from the manifest's sha256).
 */
export async function fileState(source: TrackSource, ref: FileRef, cache: CacheLayout, root: string = packageRoot): Promise<FileState> {
  return checkFile(localFilePath(source, ref, cache, root), ref);
}

/** The absolute path of a manifest file, verified against its sha256. */
export async function resolveManifestFile(track: string, source: TrackSource, ref: FileRef, cache: CacheLayout, root: string = packageRoot): Promise<string> {
  const path = localFilePath(source, ref, cache, root);
  const state = await checkFile(path, ref);
  if (state === 'ok') return path;
  if (source.kind === 'bundled') {
    throw new UserError(
      state === 'missing' ? `bundled file ${path} is missing` : `bundled file ${path} does not match its sha256 ${ref.sha256}`,
      state === 'missing'
        ? 'reinstall speedrun, or restore the file from the package'
        : `restore ${ref.path} (git checkout), or update its sha256 in the ${track} manifest if the change is intended`,
    );
  }
  if (state === 'missing') {
    throw new UserError(`${ref.path} of track ${track} is not synced (looked in ${path})`, `speedrun records sync --track ${track}`);
  }
  throw new UserError(
    `synced file ${path} does not match its sha256 ${ref.sha256}`,
    `speedrun records sync --track ${track} (re-extracts and verifies every file)`,
  );
}

/** The absolute path of record n's training script: bundled under the package root, upstream in the synced cache. */
export async function resolveRecordScript(manifest: TrackManifest, n: number, cache: CacheLayout, root: string = packageRoot): Promise<string> {
  const record = getRecord(manifest, n);
  return resolveManifestFile(manifest.track, manifest.source, record.script, cache, root);
}

/** 1,2,3,5 → "1–3, 5" */
export function formatNumbers(numbers: number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (const n of [...sorted.slice(1), Number.NaN]) {
    if (n === (prev ?? 0) + 1) {
      prev = n;
      continue;
    }
    if (start !== undefined && prev !== undefined) parts.push(start === prev ? `${start}` : `${start}–${prev}`);
    start = n;
    prev = n;
  }
  return parts.join(', ') || '(none)';
}
