import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TimingRule, TrackManifest } from '../../src/core/catalog/schema.js';
import { upstreamPaths } from '../../src/core/catalog/files.js';
import { cacheLayout, type CacheLayout } from '../../src/core/paths.js';
import { sha } from './catalog-fixtures.js';
import { tempDir } from './temp.js';

/**
 * A track whose records are the given scripts (record n = scripts[n-1], with the record-table time times[n-1]), as
 * if synced from upstream into a fresh cache: the run engine resolves, checks and trains them like real records.
 */
export async function scriptTrack(
  scripts: readonly string[],
  opts: { times: readonly number[]; rule: TimingRule; target: number },
): Promise<{ manifest: TrackManifest; cache: CacheLayout }> {
  const cache = cacheLayout(await tempDir('script-track-cache'));
  const source = { kind: 'upstream' as const, repo: 'https://example.invalid/acme/script-track', commit: 'a'.repeat(40), license: 'test' };
  const filesDir = upstreamPaths(cache, source).filesDir;
  const records = await Promise.all(
    scripts.map(async (script, i) => {
      const path = `records/r${i + 1}/train_gpt.py`;
      await mkdir(dirname(join(filesDir, path)), { recursive: true });
      await writeFile(join(filesDir, path), script);
      return {
        number: i + 1,
        description: `record ${i + 1}`,
        date: `2024-01-0${i + 1}`,
        time_ms: opts.times[i]!,
        time_source: 'test record table',
        script: { path, sha256: sha(script), bytes: Buffer.byteLength(script) },
      };
    }),
  );
  const manifest: TrackManifest = {
    track: 'nanogpt',
    title: 'scripts as records',
    target_val_loss: opts.target,
    timing_rule: opts.rule,
    retime: 'none',
    retime_repeats: 2,
    reference_hardware: 'the test record table',
    source,
    launch: { runner: 'python', nproc: 1, timeout_s: 60 },
    records,
  };
  return { manifest, cache };
}
