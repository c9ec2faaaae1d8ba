import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePaperNotebook } from '../src/core/catalog/paper-files.js';
import { loadTrack } from '../src/core/catalog/load.js';
import { syncUpstream, SyncVerificationError } from '../src/core/catalog/sync.js';
import { UserError } from '../src/core/errors.js';
import { cacheLayout } from '../src/core/paths.js';
import { fixtureFiles, fixtureManifests, makeFixtureRepo, removeTempDirs, sha, tempDir, upstreamSource } from './helpers/catalog-fixtures.js';

afterAll(removeTempDirs);

const NOTEBOOK = 'analysis/plot_iqm_hint_model_search.ipynb';
const notebookText = '{"cells": [], "metadata": {}}\n';

async function fixture(notebook: string = notebookText) {
  const files = { ...fixtureFiles(), [NOTEBOOK]: notebook };
  const repo = await makeFixtureRepo(files);
  const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
  const withPaper = { ...manifest, paper: { arxiv: '2506.22419', notebook: { path: NOTEBOOK, sha256: sha(notebookText), bytes: notebookText.length } } };
  return { repo, manifest: withPaper, hints, cache: cacheLayout(await tempDir('paper-cache')) };
}

describe("the paper's notebook in the synced files", () => {
  it('is fetched and verified with the record scripts, and found afterwards', async () => {
    const { repo, manifest, hints, cache } = await fixture();
    await expect(resolvePaperNotebook(manifest, cache)).rejects.toThrow(UserError);
    const report = await syncUpstream({ manifest, hints, source: repo.path, cache });
    expect(report.files.find((f) => f.path === NOTEBOOK)).toMatchObject({ status: 'ok', usedBy: ['paper notebook'], bytes: notebookText.length });
    expect(await readFile(await resolvePaperNotebook(manifest, cache), 'utf8')).toBe(notebookText);
  });

  it('fails the sync when upstream changed it, and a changed local copy is refused with the sync as the fix', async () => {
    const changed = await fixture('{"cells": [1]}\n');
    const error = await syncUpstream({ manifest: changed.manifest, hints: changed.hints, source: changed.repo.path, cache: changed.cache }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SyncVerificationError);
    expect((error as SyncVerificationError).report.mismatched).toEqual([NOTEBOOK]);

    const { repo, manifest, hints, cache } = await fixture();
    await syncUpstream({ manifest, hints, source: repo.path, cache });
    await writeFile(await resolvePaperNotebook(manifest, cache), '{}');
    const refused = await resolvePaperNotebook(manifest, cache).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toContain('does not match its sha256');
    expect((refused as UserError).fix).toContain('speedrun records sync --track nanogpt');
  });

  it('says to sync when missing, and that a track without a paper has no figures', async () => {
    const { manifest, cache } = await fixture();
    const missing = (await resolvePaperNotebook(manifest, cache).catch((e: unknown) => e)) as UserError;
    expect(missing.message).toContain(`${NOTEBOOK} is not synced`);
    expect(missing.fix).toMatch(/^speedrun records sync --track nanogpt/);
    await expect(resolvePaperNotebook(await loadTrack('tiny'), cache)).rejects.toThrow(/track tiny has no published paper figures/);
  });

  it('is pinned in records/nanogpt.json at the upstream commit', async () => {
    const nanogpt = await loadTrack('nanogpt');
    expect(nanogpt.paper).toEqual({
      arxiv: '2506.22419',
      notebook: { path: NOTEBOOK, sha256: '1977e5efb41afa7dd8d7c6028ed7e88d72e427e08633f9484f74075247a838b1', bytes: 444661 },
    });
  });
});
