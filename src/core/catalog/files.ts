import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { CacheLayout } from '../paths.js';
import { UserError } from '../errors.js';
import type { FileRef, TrackSource } from './schema.js';

export type UpstreamSource = Extract<TrackSource, { kind: 'upstream' }>;

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The file's sha256, or undefined when it does not exist. */
export async function sha256OfFile(path: string): Promise<string | undefined> {
  try {
    return sha256Hex(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A manifest path is relative and stays inside its root; anything else would let a manifest read or write
 * outside the package or the cache.
 */
export function assertContainedPath(path: string, where: string): string {
  const normal = normalize(path);
  if (isAbsolute(path) || normal === '..' || normal.startsWith(`..${sep}`) || normal.startsWith('../')) {
    throw new UserError(`${where}: path ${JSON.stringify(path)} must be relative and stay inside its root`, 'fix the manifest entry');
  }
  return normal;
}

export function joinContained(root: string, path: string, where: string): string {
  return join(root, assertContainedPath(path, where));
}

/** "https://github.com/facebookresearch/llm-speedrunner(.git)" → "llm-speedrunner". */
export function upstreamRepoName(repo: string): string {
  const last = repo.replace(/\/+$/, '').split('/').pop() ?? '';
  const name = last.replace(/\.git$/, '');
  return /^[A-Za-z0-9._-]+$/.test(name) && name !== '.' && name !== '..' ? name : 'repo';
}

/**
 * Where an upstream repository lives in the cache:
 * <upstream>/<name>/mirror.git           bare mirror (a second sync fetches into it)
 * <upstream>/<name>/<commit>/files/...   the verified files of one pinned commit
 * <upstream>/<name>/<commit>/sync.json   written last: the folder is complete
 */
export interface UpstreamPaths {
  repoDir: string;
  mirror: string;
  commitDir: string;
  filesDir: string;
  stampFile: string;
}

export function upstreamPaths(cache: CacheLayout, source: UpstreamSource): UpstreamPaths {
  const repoDir = join(cache.upstream, upstreamRepoName(source.repo));
  const commitDir = join(repoDir, source.commit);
  return {
    repoDir,
    mirror: join(repoDir, 'mirror.git'),
    commitDir,
    filesDir: join(commitDir, 'files'),
    stampFile: join(commitDir, 'sync.json'),
  };
}

export type FileState = 'ok' | 'missing' | 'modified';

/** Compare a file on disk with its manifest entry. */
export async function checkFile(path: string, ref: FileRef): Promise<FileState> {
  const actual = await sha256OfFile(path);
  if (actual === undefined) return 'missing';
  return actual === ref.sha256 ? 'ok' : 'modified';
}
