import { realpathSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * Whether `path` (following every link) lies inside the folder `rootReal` (itself already a real path). A path that
 * does not exist is inside: there is nothing to read, and the store's readers say so. The viewer asks this before it
 * reads any file, so a link in a results folder that points elsewhere never serves what it points at.
 */
export function isInside(rootReal: string, path: string): boolean {
  let real: string;
  try {
    // The native call is one system call; the JavaScript one walks every component (the index asks this per run).
    real = realpathSync.native(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  return real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

/** A name the viewer uses in URLs and bundle file names: letters, digits, `.`, `_` and `-`, never `.` or `..` alone. */
export const SAFE_ID = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** `name` made into a SAFE_ID: other characters become `_`. */
export function safeId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return SAFE_ID.test(id) ? id : `_${id}`;
}
