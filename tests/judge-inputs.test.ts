import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { upstreamPaths } from '../src/core/catalog/files.js';
import { syncUpstream } from '../src/core/catalog/sync.js';
import { UserError } from '../src/core/errors.js';
import { loadJudgeInputs } from '../src/core/judge/judge-inputs.js';
import { loadJudgePrompts } from '../src/core/judge/judge-prompts.js';
import { cacheLayout } from '../src/core/paths.js';
import type { RunSummary } from '../src/core/store/schema.js';
import { fixtureFiles, fixtureManifests, makeFixtureRepo, removeTempDirs, sha, tempDir, upstreamSource } from './helpers/catalog-fixtures.js';

afterAll(removeTempDirs);

/**
 * An upstream track synced from a fixture repository (records 1–3, a level-0 diff for task 1), manifests in a
 * package root of its own, and a run folder of task 1 whose best node added a line to record 2's script.
 */
async function syncedRun() {
  const files = fixtureFiles();
  const repo = await makeFixtureRepo(files);
  const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
  const root = await tempDir('judge-root');
  await mkdir(join(root, 'records'));
  await mkdir(join(root, 'hints'));
  await writeFile(join(root, 'records', 'nanogpt.json'), JSON.stringify(manifest));
  await writeFile(join(root, 'hints', 'nanogpt.json'), JSON.stringify(hints));
  const cache = cacheLayout(await tempDir('judge-cache'));
  await syncUpstream({ manifest, hints, source: repo.path, cache });
  const runDir = await tempDir('judge-run');
  for (const [node, text] of [
    [0, files['templates/record_1/train.py']!],
    [2, `${files['templates/record_2/train.py']}print("mine")\n`],
  ] as const) {
    await mkdir(join(runDir, 'nodes', String(node)), { recursive: true });
    await writeFile(join(runDir, 'nodes', String(node), 'train_gpt.py'), text);
  }
  const summary = { run_id: 'run-1', track: 'nanogpt', record: 1, best: { node: 2, train_time_ms: 1, val_loss: 3 } } as RunSummary;
  return { files, root, cache, runDir, summary, commit: repo.commit };
}

describe('what the judge compares', () => {
  it("holds the best node's diff, the record's true diff and the synced level-0 diff, each with its sha256, all in the prompt", async () => {
    const { files, root, cache, runDir, summary } = await syncedRun();
    const inputs = await loadJudgeInputs({ runDir, summary, cache, root });
    expect(inputs).toMatchObject({ node: 2, record: 1, nextRecord: 2, description: 'record 2', level0Diff: files['knowledge/record_1/level_0_diff.txt'] });
    expect(inputs.level0DiffSha256).toBe(sha(files['knowledge/record_1/level_0_diff.txt']!));
    expect(inputs.trueDiff).toContain('-print("record 1 v1")\n+print("record 2 v1")');
    expect(inputs.nodeDiff).toContain('+print("record 2 v1")\n+print("mine")');
    expect(inputs.trueDiffSha256).toBe(sha(inputs.trueDiff));
    const [, user] = (await loadJudgePrompts()).messages(inputs);
    expect(user!.content).toContain(inputs.trueDiff.trimEnd());
    expect(user!.content).toContain(`## Upstream's own diff of the same step (level 0)`);
    expect(user!.content).toContain('-a\n+b v1');
    expect(user!.content).toContain(inputs.nodeDiff.trimEnd());
  });

  it('refuses a level-0 diff that no longer matches its pinned sha256', async () => {
    const { root, cache, runDir, summary, commit } = await syncedRun();
    const synced = join(upstreamPaths(cache, { kind: 'upstream', repo: 'https://example.invalid/acme/fixture-runner', commit, license: 'test' }).filesDir);
    await writeFile(join(synced, 'knowledge/record_1/level_0_diff.txt'), '-a\n+edited\n');
    await expect(loadJudgeInputs({ runDir, summary, cache, root })).rejects.toThrow(UserError);
    await expect(loadJudgeInputs({ runDir, summary, cache, root })).rejects.toThrow(/does not match its sha256/);
  });
});
