import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SpeedrunError, UserError } from '../errors.js';
import type { CacheLayout } from '../paths.js';
import { assertContainedPath, sha256Hex, upstreamPaths, type UpstreamSource } from './files.js';
import { ensureCommit, listTree, normaliseSource, readBlob, type MirrorAction } from './git-mirror.js';
import { recoverLogFiles } from './recover-sync.js';
import type { SyncFile } from './sync-file.js';
import type { HintManifest, TrackManifest } from './schema.js';

export type { SyncFile };

export interface SyncReport {
  track: string;
  repo: string;
  /** What was cloned or fetched from (the manifest's repo unless overridden). */
  source: string;
  commit: string;
  mirror: MirrorAction;
  /** The per-commit folder; files are under `<dir>/files/<path>`. Unchanged when the sync failed. */
  dir: string;
  ok: boolean;
  files: SyncFile[];
  missing: string[];
  mismatched: string[];
  /** Log-recovered tracks: the files cut out of each record's log, verified like fetched ones. */
  recovered: SyncFile[];
  /** Records of the table with no recoverable script, with the manifest's reason; listed, not an error. */
  unrecoverable: { record: number; reason: string }[];
}

export interface SyncOptions {
  manifest: TrackManifest;
  hints: HintManifest;
  /** URL or local path; default manifest.source.repo. */
  source?: string;
  cache: CacheLayout;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Environment for git (the CLI passes its own); git prompts are turned off. */
  env?: NodeJS.ProcessEnv;
}

/** Some files were missing from the commit or differed from the manifest; `report` lists them all. */
export class SyncVerificationError extends SpeedrunError {
  constructor(
    readonly report: SyncReport,
    exitCode: 2 | 3,
  ) {
    const lines = [...report.files, ...report.recovered]
      .filter((f) => f.status !== 'ok')
      .map((f) => (f.status === 'missing' ? `  missing: ${f.path}` : `  sha256 differs: ${f.path} (expected ${f.expectedSha256}, got ${f.actualSha256})`));
    super(
      `sync of ${report.repo} at ${report.commit.slice(0, 12)} failed verification (${report.missing.length} missing, ${report.mismatched.length} differing); the previous cache is unchanged:\n${lines.join('\n')}`,
      exitCode,
      exitCode === 2
        ? 'the --source repository does not match the manifest at the pinned commit; point --source at the upstream repository or a faithful clone'
        : 'upstream does not match the pinned figures; report this to the speedrun maintainers',
    );
  }
}

function upstreamSource(manifest: TrackManifest, hints: HintManifest): UpstreamSource {
  const source = manifest.source;
  if (source.kind !== 'upstream') {
    throw new UserError(
      `track ${manifest.track} is bundled with speedrun and needs no sync`,
      'use it directly, e.g. speedrun records list --track ' + manifest.track,
    );
  }
  const hs = hints.source;
  if (hs.kind !== 'upstream' || hs.repo !== source.repo || hs.commit !== source.commit) {
    throw new UserError(
      `the hints manifest of track ${manifest.track} pins a different source than its records manifest`,
      'make hints/<track>.json and records/<track>.json name the same repo and commit',
    );
  }
  return source;
}

/** Every file the manifests reference, once per path. */
function wantedFiles(manifest: TrackManifest, hints: HintManifest): SyncFile[] {
  const byPath = new Map<string, SyncFile>();
  const add = (path: string, sha256: string, usedBy: string) => {
    assertContainedPath(path, usedBy);
    const existing = byPath.get(path);
    if (existing && existing.expectedSha256 !== sha256) {
      throw new UserError(`${path} has two different sha256 in the ${manifest.track} manifests (${existing.usedBy[0]}, ${usedBy})`, 'fix the manifests');
    }
    if (existing) existing.usedBy.push(usedBy);
    else byPath.set(path, { path, usedBy: [usedBy], status: 'missing', expectedSha256: sha256 });
  };
  for (const r of manifest.records) {
    if (r.log) add(r.log.path, r.log.sha256, `record ${r.number} log`);
    else add(r.script.path, r.script.sha256, `record ${r.number} script`);
  }
  for (const u of manifest.unrecoverable ?? []) if (u.log) add(u.log.path, u.log.sha256, `record ${u.number} log (script not recoverable)`);
  for (const h of hints.hints) add(h.path, h.sha256, `record ${h.record} hint L${h.level}`);
  if (manifest.paper) add(manifest.paper.notebook.path, manifest.paper.notebook.sha256, 'paper notebook');
  return [...byPath.values()];
}

/**
 * Fetch the pinned upstream commit into the cache's bare mirror, extract every file the manifests reference,
 * verify each sha256, and swap the verified folder into place. A failed sync leaves the previous cache as it was.
 */
export async function syncUpstream(opts: SyncOptions): Promise<SyncReport> {
  const { manifest, hints, cache, signal } = opts;
  const log = opts.log ?? (() => {});
  const pinned = upstreamSource(manifest, hints);
  const source = normaliseSource(opts.source ?? pinned.repo);
  const paths = upstreamPaths(cache, pinned);
  const files = wantedFiles(manifest, hints);
  const gitOpts = { signal, env: opts.env, log };

  const mirror = await ensureCommit(paths.mirror, source, pinned.commit, { ...gitOpts, sourceOverridden: opts.source !== undefined });
  const tree = await listTree(paths.mirror, pinned.commit, gitOpts);

  const staging = join(paths.repoDir, `.staging-${pinned.commit.slice(0, 12)}-${randomBytes(4).toString('hex')}`);
  try {
    for (const file of files) {
      signal?.throwIfAborted();
      if (!tree.has(file.path)) continue; // stays 'missing'
      const bytes = await readBlob(paths.mirror, pinned.commit, file.path, gitOpts);
      file.actualSha256 = sha256Hex(bytes);
      file.bytes = bytes.length;
      file.status = file.actualSha256 === file.expectedSha256 ? 'ok' : 'mismatch';
      const target = join(staging, 'files', file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
    const recovered = await recoverLogFiles(manifest, files, join(staging, 'files'));
    const checked = [...files, ...recovered];
    const report: SyncReport = {
      track: manifest.track,
      repo: pinned.repo,
      source,
      commit: pinned.commit,
      mirror,
      dir: paths.commitDir,
      ok: checked.every((f) => f.status === 'ok'),
      files,
      missing: checked.filter((f) => f.status === 'missing').map((f) => f.path),
      mismatched: checked.filter((f) => f.status === 'mismatch').map((f) => f.path),
      recovered,
      unrecoverable: (manifest.unrecoverable ?? []).map((u) => ({ record: u.number, reason: u.reason })),
    };
    if (!report.ok) throw new SyncVerificationError(report, opts.source !== undefined ? 2 : 3);

    await writeFile(
      join(staging, 'sync.json'),
      `${JSON.stringify({ repo: pinned.repo, source, commit: pinned.commit, syncedAt: new Date().toISOString(), files: files.length, recovered: recovered.length }, null, 2)}\n`,
    );
    await swapInto(staging, paths.commitDir);
    if (recovered.length > 0) log(`recovered and verified ${recovered.length} script and kernel files from the logs`);
    log(`verified ${files.length} files of ${pinned.repo} at ${pinned.commit.slice(0, 12)} into ${paths.commitDir}`);
    return report;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Replace `target` with `staging` by renames, so readers see the old folder or the new one, never a mix. */
async function swapInto(staging: string, target: string): Promise<void> {
  const old = `${target}.old-${randomBytes(4).toString('hex')}`;
  let moved = false;
  try {
    await rename(target, old);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(staging, target);
  } catch (error) {
    if (moved) await rename(old, target);
    throw error;
  }
  if (moved) await rm(old, { recursive: true, force: true });
}
