import { UserError } from '../errors.js';
import { packageRoot, type CacheLayout } from '../paths.js';
import { checkFile } from './files.js';
import { localFilePath } from './catalog.js';
import type { TrackManifest } from './schema.js';

/**
 * The synced copy of the paper's aggregation notebook (records/<track>.json `paper.notebook`), verified against its
 * sha256. Missing or changed, it is a user error whose fix is the sync that fetches it with the record scripts.
 */
export async function resolvePaperNotebook(manifest: TrackManifest, cache: CacheLayout, root: string = packageRoot): Promise<string> {
  const paper = manifest.paper;
  if (!paper) {
    throw new UserError(
      `track ${manifest.track} has no published paper figures`,
      'use --paper-figures with the nanogpt track, whose paper is arXiv 2506.22419',
    );
  }
  const path = localFilePath(manifest.source, paper.notebook, cache, root);
  const state = await checkFile(path, paper.notebook);
  if (state === 'ok') return path;
  throw new UserError(
    state === 'missing'
      ? `the paper's notebook ${paper.notebook.path} is not synced (looked in ${path})`
      : `the synced notebook ${path} does not match its sha256 ${paper.notebook.sha256}`,
    `speedrun records sync --track ${manifest.track} (fetches it with the record scripts and verifies it), or name a copy with --notebook FILE`,
  );
}
