import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunSummary } from '../src/core/store/schema.js';
import { speedrun } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterAll(removeTempDirs);

// The README's main job, as `npm run demo` runs it (minus apt-get: CI installs torch before the tests).
describe('speedrun demo', () => {
  it('scores the reference agent against records timed in the same run, and the null agent at exactly 0', { timeout: 600_000 }, async () => {
    const cache = await tempDir('demo');
    const result = await speedrun(['demo', '--no-install', '--json', '--cache', cache, '--out', join(cache, 'results')]);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { record: number; runs: unknown[] };
    const [reference, nul] = out.runs.map((r) => RunSummary.parse(r));
    // No calibration: record i, record i+1 and the reference's node are timed in its scoring round.
    expect(reference).toMatchObject({ agent: 'reference', status: 'finished', times_from: 'run', record: out.record, best: { node: 1 } });
    expect(reference!.fsr!).toBeGreaterThan(0);
    expect(nul).toMatchObject({ agent: 'null', status: 'finished', fsr: 0, best: { node: 0 } });
  });
});
