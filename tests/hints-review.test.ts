import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedHintDir, readGeneratedHint, writeDraftHint } from '../src/core/catalog/generated-hints.js';
import { cacheLayout } from '../src/core/paths.js';
import type { CliContext } from '../src/cli/context.js';
import { reviewHints } from '../src/cli/hints-setup.js';
import { HINT_TEXT } from './helpers/hint-answers.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/** A draft of tiny record 1 at `level`, as `hints generate` writes it, in a fresh cache. */
async function cacheWithDrafts(levels: Array<1 | 2>): Promise<CliContext & { printed: string[]; logged: string[] }> {
  const cache = cacheLayout(await tempDir('hint-review'));
  for (const level of levels) {
    await writeDraftHint(
      cache,
      {
        version: 1,
        track: 'tiny',
        record: 1,
        next_record: 2,
        level,
        model: 'writer',
        model_id: 'stub-model',
        prompt_version: 'v1',
        prompt_sha256: 'b'.repeat(64),
        diff_sha256: 'c'.repeat(64),
        description: 'Tuned learning rate',
        created_at: '2026-01-01T00:00:00.000Z',
        calls: 1,
        malformed_answers: 0,
        usage: { prompt_tokens: 1, completion_tokens: 1, cost_usd: null },
      },
      `${HINT_TEXT[level]}\n`,
    );
  }
  const printed: string[] = [];
  const logged: string[] = [];
  return { env: {}, cache: () => cache, log: (m) => logged.push(m), out: (t) => printed.push(t), json: () => {}, printed, logged };
}

const settings = { track: 'tiny' as const, record: 1, level: null, decision: null, reason: null, columns: null };

describe('reviewing on a terminal', () => {
  it('asks a/r/s for each draft, asks again after anything else, and wants a reason for a rejection', async () => {
    const ctx = await cacheWithDrafts([1, 2]);
    const answers = ['x', 'a', 'r', '', 'wrong schedule'];
    const asked: string[] = [];
    const outcomes = await reviewHints(ctx, {
      ...settings,
      ask: async (question) => {
        asked.push(question);
        return answers.shift()!;
      },
    });
    expect(asked).toEqual(['accept, reject or skip? [a/r/s] ', 'accept, reject or skip? [a/r/s] ', 'accept, reject or skip? [a/r/s] ', 'reason: ', 'reason: ']);
    expect(outcomes.map((o) => [o.level, o.decision, o.reason])).toEqual([
      [1, 'accepted', null],
      [2, 'rejected', 'wrong schedule'],
    ]);
    // The diff shown is the catalog's own, recomputed: the fixture's made-up diff sha256 is called stale.
    expect(ctx.printed[0]).toContain('── true diff: record 1 → 2 ──');
    expect(ctx.logged.some((l) => l.startsWith("warning: the records' diff changed since this draft was written"))).toBe(true);
    const cache = ctx.cache();
    expect((await readGeneratedHint(cache, 'tiny', 1, 1, 'accepted'))?.meta.review?.decision).toBe('accepted');
    expect(await readGeneratedHint(cache, 'tiny', 1, 2, 'accepted')).toBeNull();
    expect((await readdir(generatedHintDir(cache, 'tiny', 1))).some((f) => /^L2\.rejected-.*\.md$/.test(f))).toBe(true);
  });

  it('leaves a skipped draft as it was', async () => {
    const ctx = await cacheWithDrafts([1]);
    const outcomes = await reviewHints(ctx, { ...settings, ask: async () => 's' });
    expect(outcomes.map((o) => o.decision)).toEqual(['skipped']);
    expect(existsSync(join(generatedHintDir(ctx.cache(), 'tiny', 1), 'L1.draft.md'))).toBe(true);
  });
});
