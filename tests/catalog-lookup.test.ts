import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getRecord, listTasks, loadHints, loadTrack, resolveRecordScript } from '../src/core/catalog/catalog.js';
import { UserError } from '../src/core/errors.js';
import { cacheLayout } from '../src/core/paths.js';
import { fixtureFiles, fixtureManifests, removeTempDirs, tempDir, upstreamSource, writeFiles } from './helpers/catalog-fixtures.js';

afterAll(removeTempDirs);

const files = fixtureFiles();

/** A package root with bundled manifests for the `tiny` track and its files. */
async function bundledRoot() {
  const root = await tempDir('root');
  const { manifest, hints } = fixtureManifests({ kind: 'bundled' }, files, 'tiny');
  await writeFiles(root, { ...files, 'records/tiny.json': JSON.stringify(manifest), 'hints/tiny.json': JSON.stringify(hints) });
  return { root, manifest, hints };
}

describe('loading manifests', () => {
  it('loads bundled manifests from an injected package root', async () => {
    const { root, manifest, hints } = await bundledRoot();
    expect(await loadTrack('tiny', root)).toEqual(manifest);
    expect(await loadHints('tiny', root)).toEqual(hints);
  });

  it('names the file and the path of the bad field when a manifest fails validation', async () => {
    const { root, manifest } = await bundledRoot();
    const bad = structuredClone(manifest) as unknown as { records: { script: { sha256: string } }[] };
    bad.records[1]!.script.sha256 = 'XYZ';
    await writeFile(join(root, 'records/tiny.json'), JSON.stringify(bad));
    const error = await loadTrack('tiny', root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(join(root, 'records/tiny.json'));
    expect((error as Error).message).toContain('records[1].script.sha256');
  });

  it('names the file when a manifest is not JSON or is absent', async () => {
    const { root } = await bundledRoot();
    await writeFile(join(root, 'hints/tiny.json'), '{ not json');
    await expect(loadHints('tiny', root)).rejects.toThrow(join(root, 'hints/tiny.json'));
    await expect(loadTrack('nanogpt', root)).rejects.toThrow(/no records manifest for track nanogpt/);
  });

  it('rejects a manifest whose track field is another track, or whose record numbers repeat', async () => {
    const { root, manifest } = await bundledRoot();
    await writeFile(join(root, 'records/tiny.json'), JSON.stringify({ ...manifest, track: 'nanogpt' }));
    await expect(loadTrack('tiny', root)).rejects.toThrow(/track: is "nanogpt"/);
    await writeFile(join(root, 'records/tiny.json'), JSON.stringify({ ...manifest, records: [...manifest.records, manifest.records[0]] }));
    await expect(loadTrack('tiny', root)).rejects.toThrow(/records\[3\]\.number: record 1 appears twice/);
  });
});

describe('records and tasks', () => {
  it('getRecord lists the valid numbers when the record is absent', async () => {
    const { manifest } = fixtureManifests({ kind: 'bundled' }, files, 'tiny');
    expect(getRecord(manifest, 2).description).toBe('record 2');
    const error = (() => {
      try {
        getRecord(manifest, 7);
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error?.fix).toContain('1–3');
  });

  it('listTasks pairs each record with its successor and skips excluded ones and the last', () => {
    const { manifest } = fixtureManifests({ kind: 'bundled' }, files, 'tiny');
    expect(listTasks(manifest)).toEqual([
      { record: 1, baselineMs: 3000, targetMs: 2000 },
      { record: 2, baselineMs: 2000, targetMs: 1000 },
    ]);
    manifest.records[0]!.task_excluded = 'empty diff';
    expect(listTasks(manifest).map((t) => t.record)).toEqual([2]);
  });
});

describe('resolveRecordScript', () => {
  const cache = cacheLayout('/nonexistent-speedrun-cache');

  it('returns the bundled script under the package root after checking its sha256', async () => {
    const { root, manifest } = await bundledRoot();
    expect(await resolveRecordScript(manifest, 3, cache, root)).toBe(join(root, 'templates/record_3/train.py'));
  });

  it('names the file when a bundled script does not match its sha256', async () => {
    const { root, manifest } = await bundledRoot();
    await writeFile(join(root, 'templates/record_2/train.py'), 'edited\n');
    await expect(resolveRecordScript(manifest, 2, cache, root)).rejects.toThrow(join(root, 'templates/record_2/train.py'));
  });

  it('asks for a sync when an upstream script is not in the cache', async () => {
    const { manifest } = fixtureManifests(upstreamSource('a'.repeat(40)), files);
    const error = await resolveRecordScript(manifest, 1, cache).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).fix).toBe('speedrun records sync --track nanogpt');
  });

  it('refuses manifest paths that leave the package root', async () => {
    const { root, manifest } = await bundledRoot();
    manifest.records[0]!.script.path = '../outside.py';
    await expect(resolveRecordScript(manifest, 1, cache, root)).rejects.toThrow(/must be relative and stay inside/);
  });
});
