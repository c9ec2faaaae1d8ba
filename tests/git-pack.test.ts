import { execFile } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { objectId, writePack } from '../src/core/store/git-pack.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

const run = promisify(execFile);

async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd: dir, maxBuffer: 16 << 20 });
  return stdout;
}

afterAll(removeTempDirs);

describe('writePack', () => {
  it('writes packs that git verifies and reads back byte for byte, at sizes across the size header’s byte boundaries', async () => {
    const dir = await tempDir('git-pack');
    await git(dir, 'init', '--quiet');
    // Sizes of 0, 15 and 16 bytes (one header byte and the first continuation), 2047 and 2048 (the second), and
    // a script of 300 kB (three continuation bytes).
    const blobs = [0, 15, 16, 2047, 2048, 300_000].map((size) => Buffer.from(Array.from({ length: size }, (_, i) => 'ab\n'[i % 3]).join('')));
    const ids = writePack(
      join(dir, '.git'),
      blobs.map((content) => ({ type: 'blob' as const, content })),
    );
    for (const [i, content] of blobs.entries()) {
      const file = join(dir, `blob-${i}`);
      await writeFile(file, content);
      expect(ids[i]).toBe((await git(dir, 'hash-object', file)).trim());
      expect(objectId({ type: 'blob', content })).toBe(ids[i]);
      expect(await git(dir, 'cat-file', '-s', ids[i]!)).toBe(`${content.length}\n`);
      expect(await git(dir, 'cat-file', 'blob', ids[i]!)).toBe(content.toString());
    }
    const [pack] = (await readdir(join(dir, '.git', 'objects', 'pack'))).filter((f) => f.endsWith('.idx'));
    const verified = await git(dir, 'verify-pack', '-v', join('.git', 'objects', 'pack', pack!));
    expect(verified).toContain(`${ids[5]} blob   300000`);
    await git(dir, 'fsck', '--strict', '--no-dangling');
  });
});
