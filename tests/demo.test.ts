import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunSummary } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// The README's main job, as `npm run demo` runs it (minus apt-get: CI installs torch before the tests).
describe('speedrun demo', () => {
  it('calibrates the task, then scores the reference agent near 1 and the null agent at exactly 0', { timeout: 600_000 }, async () => {
    const cache = await tempDir('demo');
    const result = await speedrun(['demo', '--no-install', '--json', '--cache', cache, '--out', join(cache, 'results')]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/calibrating tiny records/);
    const out = JSON.parse(result.stdout) as { record: number; runs: unknown[] };
    const [reference, nul] = out.runs.map((r) => RunSummary.parse(r));
    expect(reference).toMatchObject({ agent: 'reference', status: 'finished', times_from: 'calibration', record: out.record });
    expect(reference!.fsr).toBeGreaterThanOrEqual(0.6);
    expect(nul).toMatchObject({ agent: 'null', status: 'finished', fsr: 0 });
  });
});
