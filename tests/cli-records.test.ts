import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/core/paths.js';
import { fixtureFiles, makeFixtureRepo, removeTempDirs, tempDir } from './helpers/catalog-fixtures.js';

afterAll(removeTempDirs);

const bin = join(packageRoot, 'bin', 'speedrun.js');
let cacheDir: string;

/** Run the built CLI with its own empty cache; never throws on a non-zero exit. */
function speedrun(...args: string[]) {
  return execa('node', [bin, ...args], { cwd: packageRoot, reject: false, env: { SPEEDRUN_CACHE: cacheDir }, extendEnv: true });
}

beforeAll(async () => {
  // `npm test` builds dist/ before vitest runs; the binary is tested as a user runs it.
  if (!existsSync(join(packageRoot, 'dist', 'cli', 'main.js'))) throw new Error('no dist/cli/main.js: run `npm run build` first');
  cacheDir = await tempDir('cli-cache');
});

describe('speedrun records', () => {
  it('list --json prints one object with every nanogpt record, none synced in a fresh cache', async () => {
    const result = await speedrun('records', 'list', '--track', 'nanogpt', '--json');
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout) as { records: { track: string; record: number; script: string; date: string; time_ms: number }[] };
    expect(out.records.map((r) => r.record)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(out.records.every((r) => r.script === 'not synced')).toBe(true);
    expect(out.records[0]).toMatchObject({ track: 'nanogpt', date: '2024-05-28', time_ms: 2968348 });
  });

  it('list without --track prints a table covering every track that has a manifest', async () => {
    const result = await speedrun('records', 'list');
    expect(result.exitCode).toBe(0);
    // The log-recovered track adds what each log ran on.
    expect(result.stdout.split('\n')[0]).toMatch(/^track\s+record\s+date\s+time\s+script\s+torch\s+gpus\s+description$/);
    expect(result.stdout).toContain('llm.c baseline');
    if (existsSync(join(packageRoot, 'records', 'tiny.json'))) expect(result.stdout).toMatch(/^tiny\s/m);
  });

  it('show --json gives times, the script and its sync state, and the hint levels', async () => {
    const result = await speedrun('records', 'show', '3', '--track', 'nanogpt', '--json');
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout) as Record<string, unknown> & { script: { state: string; local_path: string }; task: unknown };
    expect(out).toMatchObject({ record: 3, time_ms: 1386147, readme_time_ms: 1494000, hint_levels: [0, 1, 2, 3, 9] });
    expect(out.task).toEqual({ record: 3, baselineMs: 1386147, targetMs: 1301740 });
    expect(out.script.state).toBe('not synced');
    expect(out.script.local_path.startsWith(cacheDir)).toBe(true);
  });

  it('show of an unknown record exits 2 listing the valid numbers', async () => {
    const result = await speedrun('records', 'show', '99', '--track', 'nanogpt');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('1–21');
  });

  it('sync from an unreachable source exits 3 naming git and the fix', async () => {
    const result = await speedrun('records', 'sync', '--track', 'nanogpt', '--source', join(cacheDir, 'no-such-clone'));
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('git:');
    expect(result.stderr).toContain('--source');
  });

  it('sync from a URL that cannot be reached exits 3', async () => {
    const result = await speedrun('records', 'sync', '--source', 'https://example.invalid/nobody/nothing.git');
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('git: could not clone https://example.invalid/nobody/nothing.git');
  });

  it('sync from a repository without the pinned commit exits 2 saying so', async () => {
    const repo = await makeFixtureRepo(fixtureFiles());
    const result = await speedrun('records', 'sync', '--source', repo.path, '--json');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('does not exist in');
  });

  it('hints show for an unsynced upstream task exits 2 with the sync command as the fix', async () => {
    const result = await speedrun('hints', 'show', '--track', 'nanogpt', '--record', '3', '--level', 'L1+L2');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('speedrun records sync --track nanogpt');
  });

  it('hints show rejects a bad level spec listing the valid forms', async () => {
    const result = await speedrun('hints', 'show', '--track', 'nanogpt', '--record', '3', '--level', 'L7');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('L1+L2');
  });

  it.each([
    ['records', 'list'],
    ['records', 'show'],
    ['records', 'sync'],
    ['hints', 'show'],
  ])('%s %s --help works', async (group, command) => {
    const result = await speedrun(group, command, '--help');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Usage: speedrun ${group} ${command}`);
  });
});

// The tiny track is bundled: these run once its manifests exist (a colleague writes them).
const tinyPresent = existsSync(join(packageRoot, 'records', 'tiny.json')) && existsSync(join(packageRoot, 'hints', 'tiny.json'));
describe.skipIf(!tinyPresent)('speedrun with the bundled tiny track', () => {
  it('sync says the track is bundled and exits 0', async () => {
    const result = await speedrun('records', 'sync', '--track', 'tiny');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/bundled/);
  });

  it('lists tiny records with their scripts available', async () => {
    const result = await speedrun('records', 'list', '--track', 'tiny', '--json');
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout) as { records: { script: string }[] };
    expect(out.records.length).toBeGreaterThanOrEqual(2);
    expect(out.records.every((r) => r.script === 'bundled')).toBe(true);
  });

  it('show and hints show work for the first tiny task', async () => {
    const show = await speedrun('records', 'show', '1', '--track', 'tiny', '--json');
    expect(show.exitCode).toBe(0);
    const levels = (JSON.parse(show.stdout) as { hint_levels: number[] }).hint_levels.filter((l) => l >= 1 && l <= 3);
    expect(levels.length).toBeGreaterThan(0);
    const spec = levels.map((l) => `L${l}`).join('+');
    const hint = await speedrun('hints', 'show', '--track', 'tiny', '--record', '1', '--level', spec);
    expect(hint.exitCode).toBe(0);
    for (const l of levels) expect(hint.stdout).toContain(`## Hint level ${l}:`);
    expect(hint.stdout).not.toContain('## Hint level 0');
  });
});
