import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { HintManifest, TrackManifest, TrackName } from './schema.js';

export function recordsManifestPath(track: TrackName, root: string = packageRoot): string {
  return join(root, 'records', `${track}.json`);
}

export function hintsManifestPath(track: TrackName, root: string = packageRoot): string {
  return join(root, 'hints', `${track}.json`);
}

/** `["records", 3, "script", "sha256"]` → `records[3].script.sha256`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

/** Parse a JSON file against a schema; a bad file fails naming the file and the path of each bad field. */
export async function readManifestFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`no ${what} at ${file}`, 'check the track name, or reinstall speedrun if the file should ship with it');
    }
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`, `fix the JSON syntax in ${file}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${formatIssuePath(issue.path)}: ${issue.message}`);
    throw new UserError(`${file} is not a valid ${what}:\n${lines.join('\n')}`, `fix the field(s) named above in ${file}`);
  }
  return result.data;
}

function checkTrackField(file: string, expected: TrackName, actual: TrackName): void {
  if (expected !== actual) {
    throw new UserError(`${file}: track: is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`, `set "track" to "${expected}" in ${file}`);
  }
}

/** Checks zod cannot express: unique record numbers (sorted on return). */
export function checkRecords(file: string, manifest: TrackManifest): TrackManifest {
  const seen = new Set<number>();
  manifest.records.forEach((record, i) => {
    if (seen.has(record.number)) {
      throw new UserError(`${file}: records[${i}].number: record ${record.number} appears twice`, `give each record in ${file} its own number`);
    }
    seen.add(record.number);
  });
  return { ...manifest, records: [...manifest.records].sort((a, b) => a.number - b.number) };
}

export async function loadTrack(track: TrackName, root: string = packageRoot): Promise<TrackManifest> {
  const file = recordsManifestPath(track, root);
  const manifest = await readManifestFile(file, TrackManifest, `records manifest for track ${track}`);
  checkTrackField(file, track, manifest.track);
  return checkRecords(file, manifest);
}

export async function loadHints(track: TrackName, root: string = packageRoot): Promise<HintManifest> {
  const file = hintsManifestPath(track, root);
  const manifest = await readManifestFile(file, HintManifest, `hints manifest for track ${track}`);
  checkTrackField(file, track, manifest.track);
  const seen = new Set<string>();
  manifest.hints.forEach((hint, i) => {
    if (hint.level === 9) return; // several extra documents per record are fine
    const key = `${hint.record}/${hint.level}`;
    if (seen.has(key)) {
      throw new UserError(`${file}: hints[${i}]: record ${hint.record} has level ${hint.level} twice`, `keep one entry per record and level in ${file}`);
    }
    seen.add(key);
  });
  return manifest;
}

/** Parse a track name from user input. */
export function parseTrackName(value: string): TrackName {
  const result = TrackName.safeParse(value);
  if (!result.success) {
    throw new UserError(`unknown track ${JSON.stringify(value)}`, `use one of: ${TrackName.options.join(', ')}`);
  }
  return result.data;
}
