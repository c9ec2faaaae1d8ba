import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileState, listTasks, loadHints, loadTrack } from '../src/core/catalog/catalog.js';
import { TrackName } from '../src/core/catalog/schema.js';
import { cacheLayout, packageRoot } from '../src/core/paths.js';

const manifestTracks = (folder: string) =>
  readdirSync(join(packageRoot, folder))
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'));

// Whatever manifests ship (the tiny track's appear once written) are checked; none is skipped.
const recordTracks = manifestTracks('records');
const hintTracks = manifestTracks('hints');
const noCache = cacheLayout('/nonexistent-speedrun-cache');

describe('shipped manifests', () => {
  it('name only known tracks and come in records/hints pairs', () => {
    for (const t of [...recordTracks, ...hintTracks]) expect(TrackName.options).toContain(t);
    expect([...hintTracks].sort()).toEqual([...recordTracks].sort());
  });

  it.each(recordTracks)('records/%s.json validates and has unique, task-forming records', async (track) => {
    const manifest = await loadTrack(TrackName.parse(track));
    expect(manifest.records.length).toBeGreaterThanOrEqual(2);
    expect(listTasks(manifest).length).toBeGreaterThanOrEqual(1);
  });

  it.each(hintTracks)('hints/%s.json validates and pins the same source as records/%s.json', async (track) => {
    const name = TrackName.parse(track);
    const [manifest, hints] = await Promise.all([loadTrack(name), loadHints(name)]);
    expect(hints.source).toEqual(manifest.source);
    const numbers = new Set(manifest.records.map((r) => r.number));
    for (const h of hints.hints) expect(numbers.has(h.record)).toBe(true);
  });

  it.each(recordTracks)('bundled files of %s match their sha256', async (track) => {
    const name = TrackName.parse(track);
    const [manifest, hints] = await Promise.all([loadTrack(name), loadHints(name)]);
    if (manifest.source.kind !== 'bundled') return; // upstream files are verified by `records sync`
    const refs = [...manifest.records.map((r) => r.script), ...hints.hints];
    for (const ref of refs) expect([ref.path, await fileState(manifest.source, ref, noCache)]).toEqual([ref.path, 'ok']);
  });
});

describe('nanogpt manifest', () => {
  it('has records 1–21 with the pinned figures', async () => {
    const manifest = await loadTrack('nanogpt');
    expect(manifest.records.map((r) => r.number)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(manifest.target_val_loss).toBe(3.28);
    expect(manifest.reference_hardware).toBe('8xH100');
    expect(manifest.launch).toEqual({ runner: 'torchrun', nproc: 8, timeout_s: 3600 });
    expect(manifest.source).toMatchObject({
      kind: 'upstream',
      repo: 'https://github.com/facebookresearch/llm-speedrunner',
      commit: 'bfde801f7cef707e85a2d8b64b5ee89d9d5f20b5',
    });
    const r1 = manifest.records[0]!;
    expect(r1).toMatchObject({ date: '2024-05-28', time_ms: 2968348, readme_time_ms: 2700000, description: 'llm.c baseline' });
    // modded-nanogpt lists record 21 three times; the first (2025-01-26) is the record.
    expect(manifest.records[20]).toMatchObject({ date: '2025-01-26', readme_time_ms: 175980, time_ms: 184262 });
    expect(manifest.records.filter((r) => r.task_excluded).map((r) => r.number)).toEqual([6]);
    // The paper's 19 tasks from records 1–20.
    expect(listTasks(manifest).map((t) => t.record)).toEqual([1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(listTasks(manifest)[0]).toEqual({ record: 1, baselineMs: 2968348, targetMs: 2209926 });
  });

  it('lists every hint level 0–3 for tasks 1–20 and none for record 21', async () => {
    const hints = await loadHints('nanogpt');
    for (let n = 1; n <= 20; n++) {
      const levels = hints.hints.filter((h) => h.record === n).map((h) => h.level);
      expect(levels).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    }
    expect(hints.hints.filter((h) => h.record === 21)).toEqual([]);
  });

  const facts = resolve(packageRoot, '..', 'shared', 'upstream', 'nanogpt-speedrun.json');
  it.skipIf(!existsSync(facts))('matches the shared upstream facts file for every record and hint', async () => {
    const data = JSON.parse(readFileSync(facts, 'utf8')) as {
      modded_nanogpt: { track1_records: { number: number; readme_time_ms: number; date: string; description: string }[] };
      llm_speedrunner: {
        records: {
          record: number;
          script: { path: string; sha256: string; bytes: number };
          measured: { train_time_ms: number; train_time_sd_ms: number };
          hints: { path: string; sha256: string; bytes: number; level: number }[];
        }[];
      };
    };
    const [manifest, hints] = await Promise.all([loadTrack('nanogpt'), loadHints('nanogpt')]);
    for (const ours of data.llm_speedrunner.records) {
      const record = manifest.records.find((r) => r.number === ours.record)!;
      const readme = data.modded_nanogpt.track1_records.find((r) => r.number === ours.record)!;
      const [mm, dd, yy] = readme.date.split('/');
      expect(record).toMatchObject({
        time_ms: ours.measured.train_time_ms,
        time_sd_ms: ours.measured.train_time_sd_ms,
        readme_time_ms: readme.readme_time_ms,
        description: readme.description,
        date: `20${yy}-${mm}-${dd}`,
      });
      expect(record.script).toEqual({ path: ours.script.path, sha256: ours.script.sha256, bytes: ours.script.bytes });
      for (const h of ours.hints) {
        expect(hints.hints.find((x) => x.path === h.path)).toMatchObject({ record: ours.record, level: h.level, sha256: h.sha256, bytes: h.bytes });
      }
    }
    expect(hints.hints).toHaveLength(data.llm_speedrunner.records.reduce((n, r) => n + r.hints.length, 0));
  });
});
