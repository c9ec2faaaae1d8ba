import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tempDir } from './temp.js';
import { dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { HintManifest, TrackManifest, TrackSource } from '../../src/core/catalog/schema.js';

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export { removeTempDirs, tempDir } from './temp.js';

/** Small made-up files standing in for record scripts and hint texts. */
export function fixtureFiles(tag = 'v1'): Record<string, string> {
  return {
    'templates/record_1/train.py': `print("record 1 ${tag}")\n`,
    'templates/record_2/train.py': `print("record 2 ${tag}")\n`,
    'templates/record_3/train.py': `print("record 3 ${tag}")\n`,
    'knowledge/record_1/level_0_diff.txt': `-a\n+b ${tag}\n`,
    'knowledge/record_1/level_1_pseudo.txt': `\n\npseudo one ${tag}\n`,
    'knowledge/record_1/level_2_description.txt': `description one ${tag}\n`,
    'knowledge/record_1/level_3_paper.txt': `paper one ${tag}\n`,
    'knowledge/record_2/level_1_pseudo.txt': `pseudo two ${tag}\n`,
  };
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A git repository with `files` committed; returns its path and the commit id. */
export async function makeFixtureRepo(files: Record<string, string>): Promise<{ path: string; commit: string }> {
  const path = await tempDir('upstream');
  const git = simpleGit(path);
  await git.init();
  await git.addConfig('user.email', 'test@example.com').addConfig('user.name', 'test').addConfig('commit.gpgsign', 'false');
  await writeFiles(path, files);
  await git.add('.').commit('fixture');
  return { path, commit: (await git.revparse(['HEAD'])).trim() };
}

export async function commitMore(repo: string, files: Record<string, string>): Promise<string> {
  const git = simpleGit(repo);
  await writeFiles(repo, files);
  await git.add('.').commit('more');
  return (await git.revparse(['HEAD'])).trim();
}

/** Manifests whose figures describe `files` (hashes computed here), for the given source. */
export function fixtureManifests(
  source: TrackSource,
  files: Record<string, string>,
  track: 'nanogpt' | 'tiny' = 'nanogpt',
): { manifest: TrackManifest; hints: HintManifest } {
  const ref = (path: string) => {
    const content = files[path];
    if (content === undefined) throw new Error(`fixture has no ${path}`);
    return { path, sha256: sha(content), bytes: Buffer.byteLength(content) };
  };
  const manifest: TrackManifest = {
    track,
    title: 'fixture track',
    target_val_loss: 3.28,
    timing_rule: 'final',
    retime: 'none',
    retime_repeats: 3,
    reference_hardware: 'test',
    source,
    launch: { runner: 'python', nproc: 1, timeout_s: 60 },
    records: [1, 2, 3].map((n) => ({
      number: n,
      description: `record ${n}`,
      date: `2024-01-0${n}`,
      time_ms: 1000 * (4 - n),
      time_source: 'fixture',
      script: ref(`templates/record_${n}/train.py`),
    })),
  };
  const hints: HintManifest = {
    track,
    source,
    hints: [
      { record: 1, level: 0, kind: 'diff', ...ref('knowledge/record_1/level_0_diff.txt') },
      { record: 1, level: 1, kind: 'pseudo', ...ref('knowledge/record_1/level_1_pseudo.txt') },
      { record: 1, level: 2, kind: 'description', ...ref('knowledge/record_1/level_2_description.txt') },
      { record: 1, level: 3, kind: 'paper', ...ref('knowledge/record_1/level_3_paper.txt') },
      { record: 2, level: 1, kind: 'pseudo', ...ref('knowledge/record_2/level_1_pseudo.txt') },
    ],
  };
  return { manifest, hints };
}

export function upstreamSource(commit: string): TrackSource {
  return { kind: 'upstream', repo: 'https://example.invalid/acme/fixture-runner', commit, license: 'test' };
}
