import { afterAll, describe, expect, it } from 'vitest';
import { availableHintLevels, composeHint, formatHintSpec, hintSpecChoices, parseHintSpec, requireHintLevels } from '../src/core/catalog/hints.js';
import { syncUpstream } from '../src/core/catalog/sync.js';
import { UserError } from '../src/core/errors.js';
import { cacheLayout } from '../src/core/paths.js';
import { fixtureFiles, fixtureManifests, makeFixtureRepo, removeTempDirs, sha, tempDir, upstreamSource, writeFiles } from './helpers/catalog-fixtures.js';

afterAll(removeTempDirs);

const files = fixtureFiles();
const noCache = cacheLayout('/nonexistent-speedrun-cache');

describe('parseHintSpec', () => {
  it.each([
    ['none', []],
    ['L1', [1]],
    ['L2', [2]],
    ['L3', [3]],
    ['L1+L2', [1, 2]],
    ['L1+L2+L3', [1, 2, 3]],
    ['L3+L1+L1', [1, 3]],
    [' l2 + L1 ', [1, 2]],
    ['L9', [9]],
    ['L9+L1', [1, 9]],
    ['L0', [0]],
    ['L1+L0', [0, 1]],
  ])('%s → %j', (spec, levels) => {
    expect(parseHintSpec(spec)).toEqual(levels);
  });

  it.each(['', 'L4', 'L8', 'L19', 'L1+', 'all', 'L1,L2', 'none+L1'])('rejects %j listing the valid forms', (spec) => {
    const error = (() => {
      try {
        parseHintSpec(spec);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).fix).toContain('L1+L2+L3');
  });

  it('formats levels back to the canonical spec', () => {
    expect(formatHintSpec([])).toBe('none');
    expect(formatHintSpec([3, 1])).toBe('L1+L3');
  });
});

describe('composeHint', () => {
  async function bundled() {
    const root = await tempDir('root');
    const { manifest, hints } = fixtureManifests({ kind: 'bundled' }, files, 'tiny');
    await writeFiles(root, { ...files, 'records/tiny.json': JSON.stringify(manifest), 'hints/tiny.json': JSON.stringify(hints) });
    return { root, hints };
  }

  it("gives L0 as the next record's one-line description, never a manifest's level-0 diff", async () => {
    const { root } = await bundled();
    const text = await composeHint({ track: 'tiny', record: 1, levels: [1, 0], cache: noCache, root });
    expect(text).toBe(
      "## Hint level 0: the change in one line\n\nThe next record's change: record 2\n\n## Hint level 1: pseudocode of the change\n\npseudo one v1\n",
    );
  });

  it('puts each level under its own heading, in level order, from the bundled manifest', async () => {
    const { root } = await bundled();
    const text = await composeHint({ track: 'tiny', record: 1, levels: [3, 1], cache: noCache, root });
    expect(text).toBe('## Hint level 1: pseudocode of the change\n\npseudo one v1\n\n## Hint level 3: mini-paper about the change\n\npaper one v1\n');
  });

  it('returns nothing for level none and never includes the level-0 diff', async () => {
    const { root } = await bundled();
    expect(await composeHint({ track: 'tiny', record: 1, levels: [], cache: noCache, root })).toBe('');
    const all = await composeHint({ track: 'tiny', record: 1, levels: [1, 2, 3], cache: noCache, root });
    expect(all).not.toContain('+b v1');
    expect(await composeHint({ track: 'tiny', record: 1, levels: [0], cache: noCache, root })).not.toContain('+b v1');
    await expect(composeHint({ track: 'tiny', record: 3, levels: [0], cache: noCache, root })).rejects.toThrow(/there is no record 4 to describe/);
  });

  it('names the available levels when a level is missing for the record', async () => {
    const { root, hints } = await bundled();
    expect(availableHintLevels(hints, 2)).toEqual([1]);
    const error = await composeHint({ track: 'tiny', record: 2, levels: [1, 2], cache: noCache, root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).fix).toContain('L1');
  });

  it('refuses a bundled hint whose bytes do not match its sha256', async () => {
    const { root } = await bundled();
    await writeFiles(root, { 'knowledge/record_1/level_2_description.txt': 'tampered\n' });
    await expect(composeHint({ track: 'tiny', record: 1, levels: [2], cache: noCache, root })).rejects.toThrow(/does not match its sha256/);
  });

  it('reads upstream hints from the synced cache, and asks for a sync before that', async () => {
    const repo = await makeFixtureRepo(files);
    const cache = cacheLayout(await tempDir('cache'));
    const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), files);
    await expect(composeHint({ track: 'nanogpt', record: 1, levels: [2], cache, hints })).rejects.toThrow(/not synced/);
    await syncUpstream({ manifest, hints, source: repo.path, cache });
    expect(await composeHint({ track: 'nanogpt', record: 1, levels: [2], cache, hints })).toBe(
      '## Hint level 2: text description of the change\n\ndescription one v1\n',
    );
  });
});

describe('level 9: the extra documents upstream ships for a few records', () => {
  /** The fixture's upstream with one extra document, shipped (as upstream does) for records 1 and 2 alike. */
  async function withExtras() {
    const extra = 'knowledge/record_1/level_9_optimizer.txt';
    const all = { ...files, [extra]: '\nnotes on an optimizer\n' };
    const repo = await makeFixtureRepo(all);
    const cache = cacheLayout(await tempDir('cache'));
    const { manifest, hints } = fixtureManifests(upstreamSource(repo.commit), all);
    const ref = { path: extra, sha256: sha(all[extra]), bytes: Buffer.byteLength(all[extra]) };
    hints.hints.push({ record: 1, level: 9, kind: 'extra', ...ref }, { record: 2, level: 9, kind: 'extra', ...ref });
    await syncUpstream({ manifest, hints, source: repo.path, cache });
    return { cache, hints };
  }

  it('composes L9 alone and with other levels, titled by its file', async () => {
    const { cache, hints } = await withExtras();
    expect(await composeHint({ track: 'nanogpt', record: 2, levels: parseHintSpec('L9'), cache, hints })).toBe(
      '## Hint level 9: extra documentation (level_9_optimizer.txt)\n\nnotes on an optimizer\n',
    );
    const both = await composeHint({ track: 'nanogpt', record: 1, levels: parseHintSpec('L9+L1'), cache, hints });
    expect(both).toBe(
      '## Hint level 1: pseudocode of the change\n\npseudo one v1\n\n## Hint level 9: extra documentation (level_9_optimizer.txt)\n\nnotes on an optimizer\n',
    );
  });

  it('is refused for a record without level-9 documents, naming the records that have them', async () => {
    const { cache, hints } = await withExtras();
    const error = await composeHint({ track: 'nanogpt', record: 3, levels: [9], cache, hints }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('track nanogpt has no level-9 documents (L9) for record 3');
    expect((error as UserError).fix).toContain('L9 exists for records 1, 2');
  });

  it('is refused on a track that has none, before any file is read', () => {
    const { hints } = fixtureManifests({ kind: 'bundled' }, files, 'tiny');
    const error = (() => {
      try {
        requireHintLevels(hints, 1, [1, 9]);
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(error?.message).toMatch(/no level-9 documents \(L9\) for record 1/);
    expect(error?.fix).toBe('no record of track tiny has L9; record 1 has L1, L2, L3');
    expect(() => requireHintLevels(hints, 1, [1, 2, 3])).not.toThrow();
  });

  it("is listed among a record's levels exactly where it works", async () => {
    const { hints } = await withExtras();
    expect(availableHintLevels(hints, 1)).toEqual([1, 2, 3, 9]);
    expect(availableHintLevels(hints, 2)).toEqual([1, 9]);
    expect(availableHintLevels(hints, 3)).toEqual([]);
    expect(availableHintLevels(hints, 2, true)).toEqual([0, 1, 9]);
    for (const record of [1, 2, 3]) {
      for (const level of [1, 2, 3, 9]) {
        const listed = availableHintLevels(hints, record).includes(level);
        if (listed) expect(() => requireHintLevels(hints, record, [level]), `record ${record} L${level}`).not.toThrow();
        else expect(() => requireHintLevels(hints, record, [level]), `record ${record} L${level}`).toThrow(UserError);
      }
    }
  });

  it('offers pickers the single levels and the usual combinations a record has', () => {
    expect(hintSpecChoices([1, 2, 3])).toEqual(['none', 'L1', 'L2', 'L3', 'L1+L2', 'L1+L2+L3']);
    expect(hintSpecChoices([1, 2, 3, 9])).toEqual(['none', 'L1', 'L2', 'L3', 'L9', 'L1+L2', 'L1+L2+L3', 'L1+L9', 'L1+L2+L3+L9']);
    expect(hintSpecChoices([1, 9])).toEqual(['none', 'L1', 'L9', 'L1+L9']);
    expect(hintSpecChoices([])).toEqual(['none']);
  });
});
