import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

// The results folder's files are small and written with synchronous calls: a promise-based write-and-rename
// costs about four times the CPU of the same system calls made at once (README "Capacity"), and a write of a few
// KiB holds the event loop for tens of microseconds. Folders are made only when a write finds them missing.

let tmpCount = 0;

/** Runs a write; when its folder is missing, makes the folder and writes again. */
export function inFolder<T>(dir: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dir, { recursive: true });
    return write();
  }
}

/** Write a file so readers see either the old or the new content, never a torn one. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${++tmpCount}.tmp`;
  inFolder(dirname(path), () => writeFileSync(tmp, data));
  renameSync(tmp, path);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  writeFileAtomicSync(path, data);
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Appends to a file, making its folder when missing. */
export function appendInFolder(path: string, data: string): void {
  inFolder(dirname(path), () => appendFileSync(path, data));
}

/** A JSON file's parsed content, or undefined when the file does not exist (other read errors are thrown). */
export async function readJsonIfPresent(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text);
}
