import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/core/paths.js';
import { removeTempDirs, tempDir } from './helpers/catalog-fixtures.js';

afterAll(removeTempDirs);

const bin = join(packageRoot, 'bin', 'speedrun.js');
let cacheDir: string;

function speedrun(...args: string[]) {
  return execa('node', [bin, ...args], { cwd: packageRoot, reject: false, env: { SPEEDRUN_CACHE: cacheDir }, extendEnv: true });
}

beforeAll(async () => {
  if (!existsSync(join(packageRoot, 'dist', 'cli', 'main.js'))) throw new Error('no dist/cli/main.js: run `npm run build` first');
  cacheDir = await tempDir('cli-modern-cache');
});

interface Row {
  record: number;
  script: string;
  torch: string | null;
  log_gpus: number | null;
  log: string | null;
  unrecoverable: string | null;
}

// The committed manifest of the whole ladder, read by the real CLI in a fresh (unsynced) cache.
describe('speedrun records on the nanogpt-modern track', () => {
  it('list --json gives every row of the table: recovered ones with torch, GPUs and log; the rest with the reason', async () => {
    const result = await speedrun('records', 'list', '--track', 'nanogpt-modern', '--json');
    expect(result.exitCode).toBe(0);
    const rows = (JSON.parse(result.stdout) as { records: Row[] }).records;
    const recovered = rows.filter((r) => r.unrecoverable === null);
    expect(recovered.length).toBeGreaterThanOrEqual(80);
    expect(recovered.every((r) => r.script === 'not synced' && r.torch !== null && r.log_gpus !== null && r.log !== null)).toBe(true);
    const lost = rows.filter((r) => r.unrecoverable !== null);
    expect(lost.every((r) => r.script === 'unrecoverable' && r.unrecoverable!.length > 0)).toBe(true);
    expect(lost.map((r) => r.record)).toContain(3);
  });

  it('show prints the log, torch and kernel files of a recovered record, and the reason for an unrecoverable one', async () => {
    const shown = await speedrun('records', 'show', '85', '--track', 'nanogpt-modern');
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toMatch(/^from log: +records\//m);
    expect(shown.stdout).toMatch(/^torch: +2\.\d+/m);
    expect(shown.stdout).toMatch(/^kernel files: +triton_kernels\.py/m);
    const lost = await speedrun('records', 'show', '3', '--track', 'nanogpt-modern', '--json');
    expect(lost.exitCode).toBe(0);
    expect(JSON.parse(lost.stdout)).toMatchObject({ record: 3, script: null, unrecoverable: 'the record table links no log' });
  });

  it('a run from a record with no script is refused with the reason', async () => {
    const result = await speedrun('run', '--track', 'nanogpt-modern', '--record', '3', '--agent', 'null', '--dry-run');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('has no task for record 3: record 3 has no recoverable script');
  });
});
