import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveRecordScript } from '../src/core/catalog/catalog.js';
import { upstreamPaths } from '../src/core/catalog/files.js';
import { syncUpstream, SyncVerificationError } from '../src/core/catalog/sync.js';
import { ExternalError, UserError } from '../src/core/errors.js';
import { cacheLayout, type CacheLayout } from '../src/core/paths.js';
import { commitMore, fixtureFiles, fixtureManifests, makeFixtureRepo, removeTempDirs, sha, tempDir, upstreamSource } from './helpers/catalog-fixtures.js';

afterAll(removeTempDirs);

const files = fixtureFiles();
let repo: { path: string; commit: string };
let cache: CacheLayout;

beforeEach(async () => {
  repo = await makeFixtureRepo(files);
  cache = cacheLayout(await tempDir('cache'));
});

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out[path] = await readFile(path, 'utf8');
    }
  }
  return out;
}

async function goodSync() {
  const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
  const report = await syncUpstream({ manifest, hints, source: repo.path, cache });
  return { manifest, hints, report };
}

describe('syncUpstream', () => {
  it('extracts and verifies every referenced file into a per-commit folder', async () => {
    const { manifest, report } = await goodSync();
    expect(report.ok).toBe(true);
    expect(report.mirror).toBe('cloned');
    expect(report.files).toHaveLength(Object.keys(files).length);
    expect(report.missing).toEqual([]);
    expect(report.dir).toBe(join(cache.upstream, 'fixture-runner', repo.commit));
    const script = await resolveRecordScript(manifest, 2, cache);
    expect(script).toBe(join(report.dir, 'files', 'templates/record_2/train.py'));
    expect(await readFile(script, 'utf8')).toBe(files['templates/record_2/train.py']);
    // No staging or temp folders are left behind.
    expect((await readdir(join(cache.upstream, 'fixture-runner'))).sort()).toEqual([repo.commit, 'mirror.git'].sort());
  });

  it('reports a file missing from the commit by name and leaves the previous good cache intact', async () => {
    const { manifest, hints, report } = await goodSync();
    const before = await snapshot(report.dir);
    const broken = {
      ...hints,
      hints: [
        ...hints.hints,
        { record: 2, level: 2 as const, kind: 'description' as const, path: 'knowledge/record_2/level_2_description.txt', sha256: sha('x') },
      ],
    };
    const error = await syncUpstream({ manifest, hints: broken, source: repo.path, cache }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncVerificationError);
    const failure = error as SyncVerificationError;
    expect(failure.report.missing).toEqual(['knowledge/record_2/level_2_description.txt']);
    expect(failure.report.mismatched).toEqual([]);
    expect(failure.message).toContain('missing: knowledge/record_2/level_2_description.txt');
    expect(failure.exitCode).toBe(2); // a --source that does not match is the user's to fix
    expect(await snapshot(report.dir)).toEqual(before);
    expect((await readdir(join(cache.upstream, 'fixture-runner'))).sort()).toEqual([repo.commit, 'mirror.git'].sort());
  });

  it('reports every file whose sha256 differs and leaves the previous good cache intact', async () => {
    const { manifest, hints, report } = await goodSync();
    const before = await snapshot(report.dir);
    const wrong = structuredClone(manifest);
    wrong.records[0]!.script.sha256 = sha('not the script');
    wrong.records[2]!.script.sha256 = sha('not this one either');
    const error = await syncUpstream({ manifest: wrong, hints, source: repo.path, cache }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncVerificationError);
    const failure = error as SyncVerificationError;
    expect(failure.report.mismatched).toEqual(['templates/record_1/train.py', 'templates/record_3/train.py']);
    expect(failure.message).toContain('sha256 differs: templates/record_1/train.py');
    expect(failure.message).toContain('sha256 differs: templates/record_3/train.py');
    expect(await snapshot(report.dir)).toEqual(before);
  });

  it('works with an ordinary user environment (EDITOR, GIT_SSH_COMMAND set) passed to git', async () => {
    const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
    const env = { ...process.env, EDITOR: 'vi', PAGER: 'less', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
    const report = await syncUpstream({ manifest, hints, source: repo.path, cache, env });
    expect(report.ok).toBe(true);
  });

  it('rejects a source that would be read as a git option', async () => {
    const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
    await expect(syncUpstream({ manifest, hints, source: '--upload-pack=touch /tmp/x', cache })).rejects.toThrow(UserError);
  });

  it('fails with an ExternalError naming git when the source path does not exist', async () => {
    const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
    const error = await syncUpstream({ manifest, hints, source: join(repo.path, 'no-such-repo'), cache }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).system).toBe('git');
    expect((error as ExternalError).exitCode).toBe(3);
    expect((error as ExternalError).fix).toContain('--source');
    await expect(access(upstreamPaths(cache, manifest.source as never).mirror)).rejects.toThrow();
  });

  it('fails with an ExternalError when the pinned repository URL cannot be reached', async () => {
    const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
    const error = await syncUpstream({ manifest, hints, cache, env: { ...process.env } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toContain('https://example.invalid/acme/fixture-runner');
  });

  it('fails clearly when the pinned commit does not exist in the source', async () => {
    const { manifest, hints } = fixtureManifests(upstreamSource('0123456789abcdef0123456789abcdef01234567'), files);
    const error = await syncUpstream({ manifest, hints, source: repo.path, cache }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain('commit 0123456789abcdef0123456789abcdef01234567 does not exist');
  });

  it('fetches into the existing mirror on a second sync instead of recloning', async () => {
    const { report } = await goodSync();
    const mirror = join(cache.upstream, 'fixture-runner', 'mirror.git');
    await writeFile(join(mirror, 'speedrun-test-marker'), 'kept if not recloned');

    const again = await goodSync();
    expect(again.report.mirror).toBe('reused'); // the pinned commit is already there: no network needed

    const newer = fixtureFiles('v2');
    const commit2 = await commitMore(repo.path, newer);
    const next = fixtureManifests(upstreamSource(commit2), newer);
    const second = await syncUpstream({ ...next, source: repo.path, cache });
    expect(second.mirror).toBe('fetched');
    expect(second.ok).toBe(true);
    expect(await readFile(join(mirror, 'speedrun-test-marker'), 'utf8')).toBe('kept if not recloned');
    expect(await readFile(await resolveRecordScript(next.manifest, 1, cache), 'utf8')).toContain('v2');
    // The earlier commit's folder is still there for manifests pinned to it.
    await access(join(report.dir, 'sync.json'));
  });

  it('stops when the signal is aborted and leaves no folder for the commit', async () => {
    const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(syncUpstream({ manifest, hints, source: repo.path, cache, signal: controller.signal })).rejects.toThrow();
    await expect(access(join(cache.upstream, 'fixture-runner', repo.commit))).rejects.toThrow();
  });

  it('refuses to sync a bundled track', async () => {
    const { manifest, hints } = fixtureManifests({ kind: 'bundled' }, files, 'tiny');
    await expect(syncUpstream({ manifest, hints, cache })).rejects.toThrow(/bundled/);
  });
});
