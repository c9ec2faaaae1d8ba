import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/** The records the pinned upstream ships level-9 documents for (Muon for 2–3, FlexAttention for 11–12). */
const WITH_L9 = [2, 3, 11, 12];

// The shipped nanogpt manifests in a fresh cache: no upstream text is needed to decide which levels a record has.
describe('hint level L9 on the command line', () => {
  let cache: string;
  beforeAll(async () => {
    cache = await tempDir('l9-cache');
  });
  const run = (...args: string[]) => speedrun([...args, '--cache', cache]);

  it('records show lists L9 exactly for the records that have it', async () => {
    for (const record of [1, 2, 3, 5, 11, 12, 13]) {
      const result = await run('records', 'show', String(record), '--track', 'nanogpt', '--json');
      expect(result.exitCode, result.stderr).toBe(0);
      const levels = (JSON.parse(result.stdout) as { hint_levels: number[] }).hint_levels;
      expect(levels, `record ${record}`).toEqual(WITH_L9.includes(record) ? [0, 1, 2, 3, 9] : [0, 1, 2, 3]);
    }
    const text = await run('records', 'show', '12', '--track', 'nanogpt');
    expect(text.stdout).toMatch(/^hint levels: +L0, L1, L2, L3, L9 /m);
  });

  it('hints show accepts L9 where it exists (the file then needs a sync) and refuses it elsewhere, naming the records that have it', async () => {
    for (const record of WITH_L9) {
      const result = await run('hints', 'show', '--track', 'nanogpt', '--record', String(record), '--level', 'L9');
      expect(result.exitCode).toBe(2);
      expect(result.stderr, `record ${record}`).toMatch(/level_9_\w+\.txt of track nanogpt is not synced/);
    }
    const refused = await run('hints', 'show', '--track', 'nanogpt', '--record', '5', '--level', 'L9');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('track nanogpt has no level-9 documents (L9) for record 5');
    expect(refused.stderr).toContain('L9 exists for records 2, 3, 11, 12');
  });

  it('run and bench refuse L9 on a record without it before creating anything', async () => {
    const out = join(await tempDir('l9-out'), 'results');
    const single = await run('run', '--track', 'nanogpt', '--record', '5', '--hint', 'L1+L9', '--dry-run', '--out', out);
    expect(single.exitCode).toBe(2);
    expect(single.stderr).toContain('L9 exists for records 2, 3, 11, 12');
    const bench = await run('bench', '--track', 'nanogpt', '--records', '3-4', '--hints', 'none,L9', '--out', join(out, 'bench'));
    expect(bench.exitCode).toBe(2);
    expect(bench.stderr).toContain('no level-9 documents (L9) for record 4');
    expect(existsSync(out)).toBe(false);
  });

  it('tiny has no L9, and says so', async () => {
    const result = await run('run', '--track', 'tiny', '--record', '1', '--hint', 'L9', '--dry-run');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no record of track tiny has L9');
  });
});
