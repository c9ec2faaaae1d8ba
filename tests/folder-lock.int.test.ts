import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../src/core/errors.js';
import { currentHarness } from '../src/core/exec/process-identity.js';
import { lockFolder } from '../src/core/store/folder-lock.js';
import { LOCK_FILE } from '../src/core/store/layout.js';
import { speedrun } from './helpers/cli.js';
import { nullBench } from './helpers/null-bench.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

/** The built lock module, as a second process loads it (npm test builds dist/ first). */
const DIST_LOCK = fileURLToPath(new URL('../dist/core/store/folder-lock.js', import.meta.url));

const children: ResultPromise[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/**
 * Another process that takes the folder's lock, says so on stdout, and holds it until it is killed. Wrapped in an
 * object: the child is a promise itself, which an async function would wait for.
 */
async function holder(dir: string): Promise<{ child: ResultPromise }> {
  const code = `const { lockFolder } = await import(${JSON.stringify(DIST_LOCK)}); await lockFolder(${JSON.stringify(dir)}, 'bench'); console.log('locked'); setInterval(() => {}, 1 << 30);`;
  const child = execa('node', ['--input-type=module', '-e', code], { reject: false, stdin: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    void child.then((r) => reject(new Error(`the lock holder ended first: ${r.stderr}`)));
  });
  return { child };
}

async function writeLock(dir: string, owner: Record<string, unknown>): Promise<void> {
  await writeFile(join(dir, LOCK_FILE), JSON.stringify({ purpose: 'bench', since: '2026-01-01T00:00:00.000Z', ...owner }));
}

describe('one folder, one writer', () => {
  it(
    'refuses a bench --resume and a verify while another live process holds the bench folder, and takes a killed owner’s lock over',
    { timeout: 300_000 },
    async () => {
      const { dir, env } = await nullBench('lock');
      const { child } = await holder(dir);
      const pid = child.pid!;

      const resumed = await speedrun(['bench', '--resume', dir], env);
      expect(resumed.exitCode, resumed.stderr).toBe(2);
      expect(resumed.stderr).toContain(`${dir} is being written by process ${pid} (speedrun bench, since `);
      expect(resumed.stderr).toContain(`kill ${pid}`);

      // verify writes into the bench's run folders: refused as well, naming the bench folder that is locked.
      const verified = await speedrun(['verify', dir], env);
      expect(verified.exitCode, verified.stderr).toBe(2);
      expect(verified.stderr).toMatch(new RegExp(`${dir} \\(.*is inside it\\) is being written by process ${pid}`));

      child.kill('SIGKILL');
      await child;
      // kill -9 leaves the lock file behind: the next writer sees its owner is gone and takes it over.
      expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid });
      const after = await speedrun(['bench', '--resume', dir], env);
      expect(after.exitCode, after.stderr).toBe(0);
      expect(after.stdout).toMatch(/tiny-r5-none-null-flat-s1\s+finished/);
      // Released on a normal exit.
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    },
  );

  it('takes over a lock whose pid now runs another process (another start time) or ran in another boot', async () => {
    const dir = await tempDir('lock-reused');
    const me = currentHarness();
    for (const start of ['0:1', `another-boot:${me.start.split(':')[1] ?? '1'}`]) {
      await writeLock(dir, { host: me.host, pid: me.pid, start });
      const lock = await lockFolder(dir, 'run');
      expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: me.pid, start: me.start, purpose: 'run' });
      await lock.release();
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    }
  });

  it('refuses a lock held on another host, saying how to clear it', async () => {
    const dir = await tempDir('lock-host');
    await writeLock(dir, { host: `not-${hostname()}`, pid: 1, start: 'x:1' });
    const refused = lockFolder(dir, 'verify');
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringContaining(`process 1 on not-${hostname()}`),
      fix: expect.stringContaining(`delete ${join(dir, LOCK_FILE)}`),
    });
  });

  it('lets the owner lock its own folders again (a bench’s runs, its --verify) and removes the file after the last release', async () => {
    const bench = await tempDir('lock-nested');
    const outer = await lockFolder(bench, 'bench');
    const run = await lockFolder(join(bench, 'run-1'), 'run');
    const again = await lockFolder(bench, 'verify');
    await again.release();
    expect(existsSync(join(bench, LOCK_FILE))).toBe(true);
    await run.release();
    expect(existsSync(join(bench, 'run-1', LOCK_FILE))).toBe(false);
    await outer.release();
    expect(existsSync(join(bench, LOCK_FILE))).toBe(false);
  });
});
